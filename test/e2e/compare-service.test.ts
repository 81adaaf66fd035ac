import { mkdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
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

// The Compare page as the working group and a site manager use it (issue 13, point 3): two real
// buildings (LEAD/GEPIII, 2016) imported by the CLI, a pilot site with no data yet, the real
// service process on the embedded store, Debian's Chromium. What the page shows must be what the
// API answers; the Décret tertiaire of the site without data says insufficient-data.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/lead-gepiii/', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'compare');
const CHOSEN = buildings().filter((b) => ['118', '685'].includes(b.id));
const REF_118 = Math.round(CHOSEN.find((b) => b.id === '118')!.annualKWh * 1.1);

let dir: TempDir;
let service: ServiceProcess;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const problems: string[] = [];

function config() {
  const lead = leadConfig(CHOSEN);
  const sites = lead.sites.map((s) => ({ ...s, decretTertiaire: s.id === 'b118' ? { referenceYear: 2015, referenceConsumptionKWh: REF_118 } : { referenceYear: 2016 } }));
  sites.push({ ...sites[0]!, id: 'nouveau-site', name: 'Nouveau site pilote', decretTertiaire: { referenceYear: 2019, referenceConsumptionKWh: 150_000 } });
  return { ...lead, sites };
}

interface Trajectory {
  status: string;
  statusYear: number | null;
  years: { year: number; measuredKWh: number | null; targetKWh: number | null }[];
}
interface CompareRow { site: string; kWhPerM2: number | null; outOfHoursSharePct: number | null; baseloadKW: number | null; deviationPct: number | null; deviationInReferenceDays: number | null; status: string }

const api = async <T>(path: string): Promise<T> => (await (await service.fetch(path)).json()) as T;

async function openCompare2016(): Promise<void> {
  await page.goto(`${service.httpUrl}/#/compare`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.fill('#cmp-from', '2016-01-01');
  await page.fill('#cmp-to', '2016-12-31');
  await page.locator('form.period button[type="submit"]').click();
  await page.locator('table caption', { hasText: '2016' }).waitFor({ timeout: 120_000 });
  await page.locator('[data-decret-site][data-status]').nth(2).waitFor({ timeout: 120_000 });
}

/** Text of the ranking column whose header is `header`, row by row (site ids in row order). */
async function column(header: string): Promise<{ sites: string[]; cells: string[] }> {
  const rows = page.locator('tr[data-site]');
  const headers = await rows.first().locator('xpath=ancestor::table//thead//th').allTextContents();
  const index = headers.indexOf(header);
  expect(index, `a column "${header}" in ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(0);
  const sites: string[] = [];
  const cells: string[] = [];
  for (const row of await rows.all()) {
    sites.push((await row.getAttribute('data-site')) ?? '');
    cells.push(((await row.locator('th, td').nth(index).textContent()) ?? '').trim());
  }
  return { sites, cells };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  dir = await createTempDir('sbe-compare-service-');
  const configPath = join(dir.path, 'sites.yaml');
  await writeFile(configPath, stringify(config()));
  const env = { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath };
  for (const b of CHOSEN) {
    const file = join(FIXTURES, `building_${b.id}.csv`);
    for (const args of [
      ['--device', 'meter', '--quantity', 'energy_kwh'],
      ['--device', 'weather', '--quantity', 'temperature_c', '--values', 'index', '--value-column', 'temp_c'],
    ]) {
      const r = await runCli(['import', '--site', `b${b.id}`, ...args, '--file', file], env, 240_000);
      if (r.code !== 0) throw new Error(`import of building ${b.id} failed (${r.code}): ${r.stderr}`);
    }
  }
  service = await startServiceProcess({ env });
  await mkdir(SHOTS, { recursive: true });
  ({ context, page, profileDir } = await openAdminBrowser(service, problems));
}, 400_000);

afterAll(async () => {
  await context?.close();
  await service?.terminate();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await dir?.remove();
});

describe('Compare page against the real service, real buildings imported', () => {
  it('shows the ranking the API computed on each KPI, and re-ranks on the one chosen, in French', async () => {
    await openCompare2016();
    const fr = (v: number | null, d: number) => (v === null ? '–' : new Intl.NumberFormat('fr-FR', { maximumFractionDigits: d }).format(v));
    const byIntensity = await api<{ sites: CompareRow[] }>('/api/compare?from=2016-01-01&to=2016-12-31');
    const shown = await column('kWh/m²');
    expect(shown.sites).toEqual(byIntensity.sites.map((s) => s.site));
    expect(shown.cells).toEqual(byIntensity.sites.map((s) => fr(s.kWhPerM2, 2)));
    expect((await column('Part hors horaires')).cells).toEqual(byIntensity.sites.map((s) => (s.outOfHoursSharePct === null ? '–' : `${fr(s.outOfHoursSharePct, 1)} %`)));
    expect(byIntensity.sites.find((s) => s.site === 'nouveau-site')).toMatchObject({ status: 'insufficient-data', kWhPerM2: null });
    // 2016 is the baseline's own period: each deviation is in-sample, near 0 by construction, and marked so.
    const withDeviation = byIntensity.sites.filter((s) => s.deviationPct !== null);
    expect(withDeviation.length).toBeGreaterThan(0);
    for (const s of withDeviation) expect(s.deviationInReferenceDays).toBeGreaterThan(300);
    expect((await column('Écart / référence')).cells).toEqual(byIntensity.sites.map((s) => (s.deviationPct === null ? '–' : `${s.deviationPct > 0 ? '+' : ''}${fr(s.deviationPct, 1).replace(/^-0$/, '0')} % *`)));
    const marked = page.locator('[data-in-sample]').first();
    expect(await marked.getAttribute('title')).toContain('par construction');
    expect(await page.locator('p[data-state="in-sample"]').textContent()).toContain('ne mesure pas une économie');

    await page.locator('th button[data-rank-by="baseloadKW"]').click();
    await page.locator('table caption', { hasText: 'Talon' }).waitFor();
    const byBaseload = await api<{ sites: CompareRow[] }>('/api/compare?from=2016-01-01&to=2016-12-31&rankBy=baseloadKW');
    const baseload = await column('Talon (kW)');
    expect(baseload.sites).toEqual(byBaseload.sites.map((s) => s.site));
    expect(baseload.cells).toEqual(byBaseload.sites.map((s) => fr(s.baseloadKW, 2)));
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toBe('Talon (kW)');
    // No placeholder leaks into the page (a null appended as text reads "null").
    expect(await page.locator('main').textContent()).not.toMatch(/\bnull\b|undefined|NaN/);
    await page.screenshot({ path: join(SHOTS, 'compare-fr.png'), fullPage: true });
  });

  it("draws each site's Décret tertiaire trajectory with the API's position, insufficient-data without data", async () => {
    const t118 = await api<Trajectory>('/api/sites/b118/decret');
    expect(t118).toMatchObject({ status: 'on-track', statusYear: 2016 });
    const panel = page.locator('[data-decret-site="b118"]');
    expect(await panel.getAttribute('data-status')).toBe('on-track');
    const y = t118.years.find((x) => x.year === 2016)!;
    const fr0 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
    expect(await panel.locator('.decret-status').textContent()).toBe(`Dans la trajectoire en 2016 – ${fr0.format(y.measuredKWh!)} kWh mesurés pour un objectif de ${fr0.format(y.targetKWh!)} kWh.`);
    await panel.locator('details summary').click();
    const row2016 = panel.locator('tbody tr', { has: page.locator('th', { hasText: /^2016$/ }) });
    expect(await row2016.locator('td').nth(1).textContent()).toBe(fr0.format(y.measuredKWh!));
    expect(await panel.locator('canvas').count()).toBe(1);

    const none = await api<Trajectory>('/api/sites/nouveau-site/decret');
    expect(none.status).toBe('insufficient-data');
    const empty = page.locator('[data-decret-site="nouveau-site"]');
    expect(await empty.getAttribute('data-status')).toBe('insufficient-data');
    expect(await empty.locator('.decret-status').textContent()).toMatch(/^Données insuffisantes : situation inconnue\. Aucune année civile de 2020 à \d{4} n'a 90 % de ses heures mesurées/);
    expect(await page.locator('[data-decret-site="b685"]').getAttribute('data-status')).toBe('insufficient-data');
    // In the ranking, b685's reference year is 2016 itself: no "on track" for a year compared with itself.
    const cell685 = page.locator('tr[data-site="b685"] [data-decret]');
    expect(await cell685.getAttribute('data-decret')).toBe('reference-year');
    expect(await cell685.textContent()).toMatch(/^année de référence 2016 : [\d\s\u202f]+ kWh mesurés, pas encore de réduction due$/);
    expect(await page.locator('tr[data-site="b118"] [data-decret]').getAttribute('data-decret')).toBe('on-track');
    await panel.screenshot({ path: join(SHOTS, 'decret-b118-fr.png') });
    await empty.screenshot({ path: join(SHOTS, 'decret-no-data-fr.png') });
  });

  it('links the yearly OPERAT export, whose CSV holds the figures of its JSON at the meter precision', async () => {
    const href = await page.locator('[data-decret-site="b118"] a[data-download="csv"][href*="operat"]').getAttribute('href');
    expect(href).toBe('/api/sites/b118/operat?format=csv');
    const csv = await (await page.request.get(`${service.httpUrl}${href}`)).text();
    const json = (await (await page.request.get(`${service.httpUrl}/api/sites/b118/operat?format=json`)).json()) as { rows: { year: number; finalEnergyKWh: number | null }[] };
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^site,year,carrier,meterUnit,meterTotal,finalEnergyKWh,/);
    const y2016 = lines.find((l) => l.startsWith('b118,2016,electricity,'))!.split(',');
    expect(Number(y2016[5])).toBe(Number(json.rows.find((r) => r.year === 2016)!.finalEnergyKWh!.toFixed(3)));
    expect(lines.find((l) => l.startsWith('b118,2025,'))).toContain('insufficient-data');
  });

  it('speaks English on request, and stays usable on a phone', async () => {
    await page.locator('[data-lang="en"]').click();
    await openCompare2016();
    expect(await page.locator('table thead th').first().textContent()).toBe('Rank');
    expect(await page.locator('[data-decret-site="nouveau-site"] .decret-status').textContent()).toMatch(/^Insufficient data: position unknown\. No calendar year from 2020 to \d{4} has 90 % of its hours measured/);
    const en = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
    const cmp = await api<{ sites: CompareRow[] }>('/api/compare?from=2016-01-01&to=2016-12-31');
    expect((await column('kWh/m²')).cells).toEqual(cmp.sites.map((s) => (s.kWhPerM2 === null ? '–' : en.format(s.kWhPerM2))));
    expect(await page.locator('nav a[data-route="rejections"]').textContent()).toBe('Refused messages');
    await page.screenshot({ path: join(SHOTS, 'compare-en.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('[data-decret-site="b118"]').scrollIntoViewIfNeeded();
    // Nothing scrolls sideways on a phone: wide tables scroll in their own box, long reasons wrap.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, 'compare-phone-en.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('[data-lang="fr"]').click();
  });

  it('names the refused-messages page so that it is not taken for the alerts, with an empty state', async () => {
    await page.goto(`${service.httpUrl}/#/rejections`);
    await page.locator('main h1').waitFor();
    expect(await page.locator('nav a[data-route="rejections"]').textContent()).toBe('Messages refusés');
    expect(await page.locator('main h1').textContent()).toMatch(/^Messages refusés/);
    await page.locator('main p.notice', { hasText: 'Aucun message refusé' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'refused-messages-fr.png'), fullPage: true });
  });

  it('logged no error in the browser', () => {
    expect(problems).toEqual([]);
  });
});
