import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli-process.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildings, leadConfig } from '../unit/energy/helpers/lead-fixtures.js';
import { CHROMIUM, openAdminBrowser } from './admin-browser.js';

// The site page (issue 13, point 3) as a site manager reads it: a real building's 2016 hourly
// electricity and weather (LEAD/GEPIII, test/fixtures/lead-gepiii) imported with the CLI, the
// real service process answering, Debian's Chromium drawing. Every figure checked is the API's.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/lead-gepiii/', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const BUILDING = buildings().find((b) => b.id === '685')!;
const SITE = `b${BUILDING.id}`;
const PERIOD = { from: '2016-01-04', to: '2016-02-28' };
const QUERY = `from=${PERIOD.from}&to=${PERIOD.to}`;

interface Answers {
  grid: { days: Array<{ kWh: Array<number | null> }> };
  kpis: { kpis: { kWhPerM2: number | null }; cusum: Array<{ date: string; cusumKWh: number }> | null };
  dju: { totalHddC: number | null };
}

let dir: TempDir;
let service: ServiceProcess;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const problems: string[] = [];
const externalRequests: string[] = [];

/** Length of a drawn chart's first dataset and its last value, read from Chart.js itself. */
function drawn(id: string): Promise<{ points: number; last: unknown } | null> {
  return page.evaluate((chartId) => {
    const chart = (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ data: unknown[] }> } } | undefined } }).Chart.getChart(chartId);
    const data = chart?.data.datasets[0]?.data;
    return data ? { points: data.length, last: data.at(-1) } : null;
  }, id);
}

async function openPeriod(lang: 'fr' | 'en'): Promise<void> {
  await page.goto(`${service.httpUrl}/#/site/${SITE}`);
  await page.locator('body[data-ready="true"]').waitFor();
  if ((await page.locator('html').getAttribute('lang')) !== lang) {
    await page.locator(`[data-lang="${lang}"]`).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
  }
  await page.fill('#an-from', PERIOD.from);
  await page.fill('#an-to', PERIOD.to);
  await page.locator('[data-panel="period"] button[type="submit"]').click();
  for (const id of ['carpet-chart', 'cusum-chart', 'degree-days-chart', 'baseline-chart']) await page.locator(`#${id}`).waitFor({ timeout: 60_000 });
}

async function answers(): Promise<Answers> {
  const get = async (path: string) => (await service.fetch(path)).json();
  return {
    grid: (await get(`/api/sites/${SITE}/hourly-energy?${QUERY}`)) as Answers['grid'],
    kpis: (await get(`/api/sites/${SITE}/kpis?${QUERY}`)) as Answers['kpis'],
    dju: (await get(`/api/sites/${SITE}/degree-days?${QUERY}`)) as Answers['dju'],
  };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await createTempDir('sbe-site-page-');
  const configPath = join(dir.path, 'sites.yaml');
  const config = leadConfig([BUILDING]);
  // A second site whose meter has sent nothing: the page must say what to do, not draw nothing.
  const fresh = { ...config.sites[0]!, id: 'nouveau-site', name: 'Nouveau site pilote', baseline: undefined, outdoorTemperature: undefined, devices: config.sites[0]!.devices.slice(0, 1) };
  await writeFile(configPath, stringify({ ...config, sites: [...config.sites, fresh] }));
  const env = { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath };
  const file = join(FIXTURES, `building_${BUILDING.id}.csv`);
  for (const args of [
    ['import', '--site', SITE, '--device', 'meter', '--quantity', 'energy_kwh', '--file', file],
    ['import', '--site', SITE, '--device', 'weather', '--quantity', 'temperature_c', '--values', 'index', '--value-column', 'temp_c', '--file', file],
  ]) {
    const r = await runCli(args, env, 120_000);
    expect(r.code, r.stderr).toBe(0);
  }
  service = await startServiceProcess({ env });
  ({ context, page, profileDir } = await openAdminBrowser(service, problems, { acceptDownloads: true, beforeLogin: (p) => p.on('request', (req) => {
      if (!req.url().startsWith(service.httpUrl) && !/^(data|blob):/.test(req.url())) externalRequests.push(req.url());
    }) }));
}, 300_000);

afterAll(async () => {
  await context?.close();
  await service?.terminate();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await dir?.remove();
});

describe('site page with a real building imported by the CLI', () => {
  it('draws the carpet plot, the CUSUM and the degree days from the API, figures in French', async () => {
    const api = await answers();
    await openPeriod('fr');
    const cells = api.grid.days.flatMap((d) => d.kWh).filter((v) => v !== null);
    expect(cells.length).toBeGreaterThan(50 * 24);
    await expect.poll(() => drawn('carpet-chart')).toMatchObject({ points: cells.length });
    expect(api.kpis.cusum).not.toBeNull();
    const cusum = api.kpis.cusum!;
    await expect.poll(() => drawn('cusum-chart')).toEqual({ points: cusum.length, last: cusum.at(-1)!.cusumKWh });
    const fr = (v: number, digits: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(v);
    // The same figures in the tables that stand in for the charts, formatted for the locale.
    const cusumCells = await page.locator('[data-panel="cusum"] tbody tr:last-child td').allTextContents();
    expect(cusumCells[0]).toBe(fr(cusum.at(-1)!.cusumKWh, 0));
    expect(await page.locator('[data-panel="kpis"] [data-figure="kWhPerM2"]').textContent()).toBe(fr(api.kpis.kpis.kWhPerM2!, 2));
    expect(await page.locator('[data-panel="degreeDays"] [data-figure="totalHddC"]').textContent()).toBe(fr(api.dju.totalHddC!, 1));
    const firstDay = await page.locator('[data-panel="carpet"] tbody tr:first-child td').allTextContents();
    expect(firstDay).toEqual(api.grid.days[0]!.kWh.map((v) => (v === null ? '–' : fr(v, 2))));
    expect(await page.locator('[data-panel="carpet"] thead th').first().textContent()).toBe('Jour');
    // Lead buildings have no indoor sensor: the panel says so instead of an empty chart.
    expect(await page.locator('[data-panel="indoor"] [data-state="empty"]').textContent()).toContain("n'a pas de capteur intérieur");
    await page.screenshot({ path: join(ARTIFACTS, 'site-fr.png'), fullPage: true });
    // The baseline band the API states, drawn around the expected line of each day.
    const band = (await (await service.fetch(`/api/sites/${SITE}/baseline?${QUERY}`)).json()) as { days: Array<{ expectedHighKWh: number | null }> };
    const high = await page.evaluate(() => (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ data: unknown[] }> } } | undefined } }).Chart.getChart('baseline-chart')?.data.datasets[3]?.data);
    expect(high).toEqual(band.days.map((d) => d.expectedHighKWh));
    expect(band.days.some((d) => d.expectedHighKWh !== null)).toBe(true);
    // By month: the API's monthly sums, one bar per month of the period.
    const baseline = (await (await service.fetch(`/api/sites/${SITE}/baseline?${QUERY}`)).json()) as { months: Array<{ month: string; actualKWh: number | null }> };
    expect(baseline.months.map((m) => m.month)).toEqual(['2016-01', '2016-02']);
    await page.locator('[data-panel="baseline"] [data-every="month"]').click();
    await expect.poll(() => drawn('baseline-chart')).toMatchObject({ points: 2 });
    const monthCells = await page.locator('[data-panel="baseline"] tbody tr td:nth-of-type(1)').allTextContents();
    expect(monthCells).toEqual(baseline.months.map((m) => (m.actualKWh === null ? '–' : fr(m.actualKWh, 0))));
    expect(await page.locator('[data-panel="baseline"] [data-every="month"]').getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-panel="baseline"]').screenshot({ path: join(ARTIFACTS, 'site-months-fr.png') });
  });

  it('downloads each chart as PNG and as CSV with the API figures', async () => {
    const png = page.waitForEvent('download');
    await page.locator('[data-panel="carpet"] [data-download="png"]').click();
    const pngFile = await (await png).path();
    expect((await stat(pngFile)).size).toBeGreaterThan(5_000);
    const csv = page.waitForEvent('download');
    await page.locator('[data-panel="carpet"] [data-download="csv"]').click();
    const download = await csv;
    expect(download.suggestedFilename()).toBe(`hourly-energy_${SITE}_${PERIOD.from}_${PERIOD.to}.csv`);
    const cusumCsv = page.waitForEvent('download');
    await page.locator('[data-panel="cusum"] [data-download="csv"]').click();
    const cusumFile = await cusumCsv;
    expect(cusumFile.suggestedFilename()).toBe(`cusum_${SITE}_${PERIOD.from}_${PERIOD.to}.csv`);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(await cusumFile.path(), 'utf8')).trimEnd().split('\r\n');
    const api = await answers();
    expect(lines[0]).toBe('date,cusumKWh,known');
    expect(lines).toHaveLength(api.kpis.cusum!.length + 1);
    expect(Number(lines.at(-1)!.split(',')[1])).toBeCloseTo(api.kpis.cusum!.at(-1)!.cusumKWh, 3);
  });

  it('speaks English with English number formats, and fits a phone', async () => {
    const api = await answers();
    await openPeriod('en');
    const en = (v: number, digits: number) => new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits }).format(v);
    expect(await page.locator('[data-panel="kpis"] [data-figure="kWhPerM2"]').textContent()).toBe(en(api.kpis.kpis.kWhPerM2!, 2));
    expect(await page.locator('[data-panel="carpet"] h2').textContent()).toBe('Hourly load map (hour × day)');
    expect(await page.locator('[data-panel="devices"] [data-status]').first().textContent()).toBe('silent');
    await page.screenshot({ path: join(ARTIFACTS, 'site-en.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#carpet-chart').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(ARTIFACTS, 'site-phone-en.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('tells how to connect a device or import history on a site without data', async () => {
    await page.goto(`${service.httpUrl}/#/site/nouveau-site`);
    await page.locator('[data-lang="fr"]').click();
    const carpet = page.locator('[data-panel="carpet"] [data-state="empty"]');
    await carpet.waitFor({ timeout: 30_000 });
    expect(await carpet.textContent()).toContain('Données insuffisantes : 0 % des heures mesurées');
    expect(await carpet.textContent()).toContain('npm run cli -- import --site nouveau-site');
    expect(await carpet.textContent()).toContain('sites/nouveau-site/devices/meter');
    expect(await page.locator('[data-panel="devices"] [data-status]').first().textContent()).toBe('jamais entendu');
    await page.locator('[data-panel="cusum"] [data-state="empty"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'site-empty-fr.png'), fullPage: true });
  });

  it('logged no error in the browser and asked nothing of another origin', () => {
    expect(problems).toEqual([]);
    expect(externalRequests).toEqual([]);
  });
});
