import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../helpers/cli-process.js';
import { connectClient, endClient, publishQos1 } from '../helpers/mqtt.js';
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
// A month by hour: Good Friday (25th) and Easter Monday (28th) are bank holidays in London, the 27th loses 01:00.
const MARCH = { from: '2016-03-01', to: '2016-03-31' };
// The LEAD buildings have no room sensor: one is added, fed over MQTT with a week of hourly readings
// (temperature, CO2 rising with office hours, humidity), dated inside PERIOD.
const ROOM = { id: 'salle-a', name: 'Salle A (2e étage)', kind: 'multi-sensor', quantities: ['temperature_c', 'co2_ppm', 'humidity_pct'], secret: 'fixture-secret' };
const ROOM_HOURS = 7 * 24;
const ROOM_FROM_MS = Date.parse('2016-01-11T00:00:00Z');

interface Answers {
  grid: { days: Array<{ kWh: Array<number | null> }> };
  kpis: { kpis: { kWhPerM2: number | null; deviationPct: number | null; deviationInReferenceDays: number | null }; cusum: Array<{ date: string; cusumKWh: number }> | null };
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

/** A room's reading for hour `i` after ROOM_FROM_MS: warmer and stuffier during office hours (08:00-18:00 UTC, winter London). */
function roomReading(i: number): { ts: string; temperature_c: number; co2_ppm: number; humidity_pct: number } {
  const hour = i % 24;
  const office = hour >= 8 && hour < 18 && Math.floor(i / 24) % 7 < 5;
  return { ts: new Date(ROOM_FROM_MS + i * 3_600_000).toISOString(), temperature_c: office ? 21.5 : 18 + (hour % 3) * 0.1, co2_ppm: office ? 650 + (hour - 8) * 60 : 430, humidity_pct: office ? 41 : 47 };
}

/** Chart.js's own view of a chart: dataset lengths and the y axis title. */
function chartFacts(id: string): Promise<{ datasets: Array<{ label: string; points: number }>; yTitle: string } | null> {
  return page.evaluate((chartId) => {
    type C = { data: { datasets: Array<{ label: string; data: unknown[] }> }; options: { scales: { y: { title: { text: string } } } } };
    const chart = (globalThis as unknown as { Chart: { getChart(id: string): C | undefined } }).Chart.getChart(chartId);
    return chart ? { datasets: chart.data.datasets.map((d) => ({ label: d.label, points: d.data.length })), yTitle: chart.options.scales.y.title.text } : null;
  }, id);
}

/** One dataset's values, read from Chart.js. */
function datasetOf(id: string, index: number): Promise<unknown[] | undefined> {
  return page.evaluate(([chartId, i]) => (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: Array<{ data: unknown[] }> } } | undefined } }).Chart.getChart(chartId as string)?.data.datasets[i as number]?.data, [id, index] as const);
}

async function openPeriod(lang: 'fr' | 'en', period = PERIOD): Promise<void> {
  await page.goto(`${service.httpUrl}/#/site/${SITE}`);
  await page.locator('body[data-ready="true"]').waitFor();
  if ((await page.locator('html').getAttribute('lang')) !== lang) {
    await page.locator(`[data-lang="${lang}"]`).click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
  }
  await page.fill('#an-from', period.from);
  await page.fill('#an-to', period.to);
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
  const lead = leadConfig([BUILDING]);
  const config = { ...lead, sites: [{ ...lead.sites[0]!, devices: [...lead.sites[0]!.devices, ROOM] }] };
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
  const room = await connectClient(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${SITE}/${ROOM.id}`, password: ROOM.secret });
  try {
    for (let i = 0; i < ROOM_HOURS; i++) await publishQos1(room, `sites/${SITE}/devices/${ROOM.id}`, JSON.stringify(roomReading(i)));
  } finally {
    await endClient(room);
  }
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
    // A deviation over days the baseline was fitted on is said to be near 0 by construction, with how many.
    const inSample = api.kpis.kpis.deviationPct !== null ? (api.kpis.kpis.deviationInReferenceDays ?? 0) : 0;
    await expect(page.locator('[data-panel="kpis"] [data-state="in-sample"]').count()).resolves.toBe(inSample > 0 ? 1 : 0);
    if (inSample > 0) expect(await page.locator('[data-panel="kpis"] [data-state="in-sample"]').textContent()).toContain(`${fr(inSample, 0)} des jours comparés`);
    expect(await page.locator('[data-panel="degreeDays"] [data-figure="totalHddC"]').textContent()).toBe(fr(api.dju.totalHddC!, 1));
    const firstDay = await page.locator('[data-panel="carpet"] tbody tr:first-child td').allTextContents();
    expect(firstDay).toEqual(api.grid.days[0]!.kWh.map((v) => (v === null ? '–' : fr(v, 2))));
    expect(await page.locator('[data-panel="carpet"] thead th').first().textContent()).toBe('Jour');
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
    // By hour: the API serves at most 31 days; over 56 the page says so rather than draw nothing.
    await page.locator('[data-panel="baseline"] [data-every="hour"]').click();
    expect(await page.locator('[data-panel="baseline"] [data-state="empty"]').textContent()).toBe('Par heure : choisissez une période de 31 jours au plus (56 jours choisis).');
  });

  it('draws a month by hour against the hour-of-week median and P10–P90 band the API states, and says which hours have none', async () => {
    await openPeriod('fr', MARCH);
    const api = (await (await service.fetch(`/api/sites/${SITE}/hourly-baseline?from=${MARCH.from}&to=${MARCH.to}`)).json()) as {
      hours: Array<{ date: string; hour: number; actualKWh: number | null; expectedKWh: number | null; lowKWh: number | null; highKWh: number | null; noExpected: string | null }>;
    };
    expect(api.hours).toHaveLength(31 * 24);
    await page.locator('[data-panel="baseline"] [data-every="hour"]').click();
    await expect.poll(() => drawn('baseline-chart'), { timeout: 30_000 }).toMatchObject({ points: 31 * 24 });
    expect(await datasetOf('baseline-chart', 0)).toEqual(api.hours.map((x) => x.actualKWh));
    expect(await datasetOf('baseline-chart', 1)).toEqual(api.hours.map((x) => x.expectedKWh));
    expect(await datasetOf('baseline-chart', 3)).toEqual(api.hours.map((x) => x.highKWh));
    const facts = (await chartFacts('baseline-chart'))!;
    expect(facts.yTitle).toBe('Énergie finale par heure (kWh)');
    expect(facts.datasets.map((d) => d.label)).toEqual(['Mesurée (kWh)', 'Référence (kWh)', 'Bas de la bande (kWh)', 'Bande P10–P90 de la référence (kWh)']);
    // The hours without a band, counted by reason as the API gave them: two bank holidays, one DST hour.
    const holidays = api.hours.filter((x) => x.noExpected === 'unusual-day').length;
    expect(holidays).toBe(48);
    const notice = (await page.locator('[data-panel="baseline"] [data-state="partial-band"]').textContent())!;
    expect(notice).toContain('du 10e au 90e centile');
    expect(notice).toContain(`${holidays} (jour férié ou fermeture, que la référence ne décrit pas)`);
    expect(notice).toContain("1 (heure sautée du passage à l'heure d'été)");
    // The table row of Good Friday at 10:00 says why it has no expected value.
    const goodFriday = api.hours.findIndex((x) => x.date === '2016-03-25' && x.hour === 10);
    const cells = await page.locator(`[data-panel="baseline"] tbody tr:nth-child(${goodFriday + 1}) > *`).allTextContents();
    const fr = (v: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(v);
    expect(cells).toEqual(['25 mars 2016 10:00', 'Férié', api.hours[goodFriday]!.actualKWh === null ? '–' : fr(api.hours[goodFriday]!.actualKWh!), '–', '–', 'jour férié ou fermeture, que la référence ne décrit pas']);
    const tuesday = api.hours.findIndex((x) => x.date === '2016-03-08' && x.hour === 14);
    const t = api.hours[tuesday]!;
    expect(t.lowKWh).not.toBeNull();
    expect(await page.locator(`[data-panel="baseline"] tbody tr:nth-child(${tuesday + 1}) > *`).allTextContents()).toEqual(['8 mars 2016 14:00', 'Ouvré', fr(t.actualKWh!), fr(t.expectedKWh!), `${fr(t.lowKWh!)} – ${fr(t.highKWh!)}`, '']);
    expect(await page.locator('[data-panel="baseline"] [data-download="csv"]').getAttribute('href')).toBe(`/api/sites/${SITE}/hourly-baseline?from=${MARCH.from}&to=${MARCH.to}&format=csv`);
    await page.locator('[data-panel="baseline"]').screenshot({ path: join(ARTIFACTS, 'site-hours-fr.png') });
  });

  it('draws the room temperature, CO2 and humidity published over MQTT, with their units, and tables of the API figures', async () => {
    const answers = new Map<string, Promise<unknown>>();
    const listen = (r: Response) => {
      const m = /\/series\?.*quantity=(\w+)/.exec(r.url());
      if (m && r.url().includes(`device=${ROOM.id}`)) answers.set(m[1]!, r.json());
    };
    page.on('response', listen);
    await openPeriod('fr');
    for (const id of ['temperature_c', 'co2_ppm', 'humidity_pct']) await page.locator(`#indoor-${id}-chart`).waitFor({ timeout: 60_000 });
    page.off('response', listen);
    const fr = (v: number, digits: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(v);
    const titles = await page.locator('[data-panel="indoor"] h3').allTextContents();
    expect(titles).toEqual(['Température (°C)', 'CO₂ (ppm)', 'Humidité (%)']);
    // The API states SenML units (RFC 8428: Cel, %RH); the page shows them as a reader writes them.
    for (const [quantity, senml, unit, digits] of [['temperature_c', 'Cel', '°C', 1], ['co2_ppm', 'ppm', 'ppm', 0], ['humidity_pct', '%RH', '%', 1]] as const) {
      const body = (await answers.get(quantity)) as { unit: string; buckets: Array<{ startMs: number; mean: number }> };
      expect(body.unit, quantity).toBe(senml);
      expect(body.buckets.length, quantity).toBeGreaterThanOrEqual(7);
      const facts = (await chartFacts(`indoor-${quantity}-chart`))!;
      expect(facts.yTitle).toBe(unit);
      expect(facts.datasets).toEqual([{ label: ROOM.name, points: body.buckets.length }]);
      const rows = page.locator(`.chart-block:has(#indoor-${quantity}-chart) tbody tr`);
      expect(await rows.count()).toBe(body.buckets.length);
      expect(await page.locator(`.chart-block:has(#indoor-${quantity}-chart) thead th`).last().textContent()).toBe(`Moyenne (${unit})`);
      const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.lastElementChild!.textContent));
      expect(shown, quantity).toEqual(body.buckets.map((b) => fr(b.mean, digits)));
    }
    // Office hours raise the CO2: the highest mean the API gave is above the night's 430 ppm.
    const co2 = (await answers.get('co2_ppm')) as { buckets: Array<{ mean: number }> };
    expect(Math.max(...co2.buckets.map((b) => b.mean))).toBeGreaterThan(430);
    await page.locator('[data-panel="indoor"]').screenshot({ path: join(ARTIFACTS, 'site-indoor-fr.png') });
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
    await page.locator('#indoor-co2_ppm-chart').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'site-en.png'), fullPage: true });
    expect(await page.locator('[data-panel="indoor"] h3').allTextContents()).toEqual(['Temperature (°C)', 'CO₂ (ppm)', 'Humidity (%)']);
    expect((await chartFacts('indoor-humidity_pct-chart'))!.yTitle).toBe('%');
    await page.locator('[data-panel="indoor"]').screenshot({ path: join(ARTIFACTS, 'site-indoor-en.png') });
    await page.setViewportSize({ width: 375, height: 812 });
    await page.locator('#carpet-chart').waitFor();
    // Chart.js resizes its canvases from a ResizeObserver, a frame or more after the viewport changed.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), { timeout: 10_000 }).toBeLessThanOrEqual(375);
    await page.screenshot({ path: join(ARTIFACTS, 'site-phone-en.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await openPeriod('en', MARCH);
    await page.locator('[data-panel="baseline"] [data-every="hour"]').click();
    await expect.poll(() => drawn('baseline-chart'), { timeout: 30_000 }).toMatchObject({ points: 31 * 24 });
    expect((await chartFacts('baseline-chart'))!.yTitle).toBe('Final energy per hour (kWh)');
    expect(await page.locator('[data-panel="baseline"] [data-state="partial-band"]').textContent()).toContain('48 (public holiday or closure, which the baseline does not describe)');
    await page.locator('[data-panel="baseline"]').screenshot({ path: join(ARTIFACTS, 'site-hours-en.png') });
    // March has no room reading (the week published is in January): the panel says so, per quantity.
    await page.locator('[data-panel="indoor"] [data-state="empty"]').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-panel="indoor"] [data-state="empty"]').allTextContents()).toEqual(Array(3).fill(`No reading over the period for: ${ROOM.name}.`));
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
    // Its only device is the meter: the indoor panel says there is no room sensor instead of an empty chart.
    expect(await page.locator('[data-panel="indoor"] [data-state="empty"]').textContent()).toContain("n'a pas de capteur intérieur");
    await page.screenshot({ path: join(ARTIFACTS, 'site-empty-fr.png'), fullPage: true });
  });

  it('logged no error in the browser and asked nothing of another origin', () => {
    expect(problems).toEqual([]);
    expect(externalRequests).toEqual([]);
  });
});
