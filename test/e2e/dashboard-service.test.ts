import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildings, leadConfig } from '../unit/energy/helpers/lead-fixtures.js';
import { CHROMIUM, openAdminBrowser } from './admin-browser.js';

// The working group's comparison as a site manager sees it: real building data imported with the
// CLI, the real service process (embedded DuckDB) answering, the dashboard in Debian's Chromium.
const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/lead-gepiii/', import.meta.url));
const CHOSEN = buildings().filter((b) => ['118', '685', '439'].includes(b.id));

interface ApiComparison {
  sites: Array<{ site: string; rank: number; kWhPerM2: number; climateCorrectedKWhPerM2: number | null }>;
}

let dir: TempDir;
let service: ServiceProcess;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const problems: string[] = [];

async function cli(args: string[], env: Record<string, string>): Promise<void> {
  await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
}

/** The comparison table as shown: site ids in row order and the text of the column headed `header`. */
async function shownComparison(header: string): Promise<{ sites: string[]; cells: string[] }> {
  const rows = page.locator('table tr[data-site]');
  await rows.first().waitFor();
  const headers = await page.locator('table thead th').allTextContents();
  const column = headers.indexOf(header);
  expect(column, `a column headed "${header}" in ${JSON.stringify(headers)}`).toBeGreaterThanOrEqual(0);
  const sites: string[] = [];
  const cells: string[] = [];
  for (const row of await rows.all()) {
    sites.push((await row.getAttribute('data-site')) ?? '');
    cells.push((await row.locator('th, td').nth(column).textContent()) ?? '');
  }
  return { sites, cells };
}

async function compare2016(): Promise<void> {
  await page.goto(`${service.httpUrl}/#/compare`);
  await page.locator('body[data-ready="true"]').waitFor();
  await page.fill('#cmp-from', '2016-01-01');
  await page.fill('#cmp-to', '2016-12-31');
  await page.locator('form.period button[type="submit"]').click();
  // The view first shows the default period (the last 30 days): wait for the table of 2016.
  await page.locator('table caption', { hasText: '2016' }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  dir = await createTempDir('sbe-dashboard-service-');
  const configPath = join(dir.path, 'sites.yaml');
  await writeFile(configPath, stringify(leadConfig(CHOSEN)));
  const env = { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath };
  // One process at a time: DuckDB lets one process hold the file.
  for (const b of CHOSEN) {
    const file = join(FIXTURES, `building_${b.id}.csv`);
    await cli(['import', '--site', `b${b.id}`, '--device', 'meter', '--quantity', 'energy_kwh', '--file', file], env);
    await cli(['import', '--site', `b${b.id}`, '--device', 'weather', '--quantity', 'temperature_c', '--values', 'index', '--value-column', 'temp_c', '--file', file], env);
  }
  service = await startServiceProcess({ env });

  ({ context, page, profileDir } = await openAdminBrowser(service, problems));
}, 180_000);

afterAll(async () => {
  await context?.close();
  await service?.terminate();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await dir?.remove();
});

describe('dashboard against the real service, with real building data', () => {
  it('ranks the imported buildings as the API does, with the figures of buildings.csv, in French', async () => {
    const api = (await (await service.fetch(`/api/compare?from=2016-01-01&to=2016-12-31`)).json()) as ApiComparison;
    const byEui = [...CHOSEN].sort((a, b) => a.euiKWhPerM2 - b.euiKWhPerM2).map((b) => `b${b.id}`);
    expect(api.sites.map((s) => s.site)).toEqual(byEui);
    for (const s of api.sites) {
      const expected = CHOSEN.find((b) => `b${b.id}` === s.site)!.euiKWhPerM2;
      expect(Math.abs(s.kWhPerM2 - expected) / expected).toBeLessThan(0.005);
    }

    await compare2016();
    const shown = await shownComparison('kWh/m²');
    expect(shown.sites).toEqual(byEui);
    const fr = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
    expect(shown.cells).toEqual(api.sites.map((s) => fr.format(s.kWhPerM2)));
    // The weather was imported: the climate-corrected figures reach the table too.
    const corrected = await shownComparison('kWh/m² corrigé climat');
    expect(corrected.cells).toEqual(api.sites.map((s) => (s.climateCorrectedKWhPerM2 === null ? '–' : fr.format(s.climateCorrectedKWhPerM2))));
    expect(api.sites.some((s) => s.climateCorrectedKWhPerM2 !== null)).toBe(true);
    // A year of hourly data imported: every building passes the coverage rule, as the API says.
    expect(await page.locator('table tr[data-status="ok"]').count()).toBe(CHOSEN.length);
    expect(await page.locator('table caption').textContent()).toContain('du plus sobre au plus consommateur');
  });

  it('opens a site from the ranking, and speaks English on request', async () => {
    await compare2016();
    const first = page.locator('table tr[data-site] a').first();
    const name = await first.textContent();
    await first.click();
    await page.waitForURL(/#\/site\/b\d+$/);
    await expect.poll(() => page.locator('main h1').first().textContent()).toBe(name);

    await page.locator('[data-lang="en"]').click();
    await compare2016();
    const shown = await shownComparison('kWh/m²');
    const api = (await (await service.fetch(`/api/compare?from=2016-01-01&to=2016-12-31`)).json()) as ApiComparison;
    const en = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
    expect(shown.cells).toEqual(api.sites.map((s) => en.format(s.kWhPerM2)));
    expect(await page.locator('table thead th').first().textContent()).toBe('Rank');
    await page.locator('[data-lang="fr"]').click();
  });

  it("reads a site's baseline and KPIs over a past period chosen on its page", async () => {
    const site = 'b685';
    const query = 'from=2016-06-01&to=2016-06-30';
    const baseline = (await (await service.fetch(`/api/sites/${site}/baseline?${query}`)).json()) as { fitted: boolean; accepted: boolean; fitQuality: { monthly: { cvRmsePct: number } } };
    const kpis = (await (await service.fetch(`/api/sites/${site}/kpis?${query}`)).json()) as { kpis: { kWhPerM2: number } };
    expect(baseline.fitted).toBe(true);

    await page.goto(`${service.httpUrl}/#/site/${site}`);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.fill('#an-from', '2016-06-01');
    await page.fill('#an-to', '2016-06-30');
    await page.locator('[data-panel="period"] button[type="submit"]').click();
    // The panel says "loading" while the period's answer is on its way (longer when other
    // analytics are computing, analytics-gate.ts): the state to read is the answer's.
    const status = page.locator('[data-panel="baseline"] [data-state]:not([data-state="loading"])');
    await status.waitFor();
    const fr = (v: number, digits: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(v);
    expect(await status.getAttribute('data-state')).toBe(baseline.accepted ? 'accepted' : 'not-accepted');
    expect(await status.textContent()).toContain(`CV(RMSE) mensuel ${fr(baseline.fitQuality.monthly.cvRmsePct, 1)} %`);
    await page.locator('#baseline-chart').waitFor();
    const intensity = page.locator('[data-panel="kpis"] dt', { hasText: 'Consommation surfacique (kWh/m²)' });
    await intensity.waitFor();
    expect(await intensity.locator('xpath=following-sibling::dd[1]').textContent()).toBe(fr(kpis.kpis.kWhPerM2, 2));
  });

  it('logged no error in the browser', () => {
    expect(problems).toEqual([]);
  });
});
