import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/accounts/accounts.js';
import { buildApp } from '../../src/api/app.js';
import type { OverviewAnswer } from '../../src/api/overview-schemas.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { IngestStatus, RejectionRecord } from '../../src/ingest/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { EventBus } from '../../src/events/event-bus.js';
import { SiteLiveHub } from '../../src/live/site-live-hub.js';
import { EnergyAnalyticsService } from '../../src/energy/analytics-service.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { SqliteAccounts } from '../../src/storage/state/sqlite-accounts.js';
import { SqliteStateStore } from '../../src/storage/state/sqlite-state-store.js';
import type { WriteStatus } from '../../src/storage/write-status.js';
import { CLEON_AMBIENCE, EXPECTED_LIVE_POINTS, EXPECTED_RANKING, LIVE_POWER, demoReadings } from './demo-readings.js';
import { MemoryStore } from './memory-store.js';

const CHROMIUM = '/usr/bin/chromium';
const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/', import.meta.url));
const CONFIG = loadConfigFile(fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url)), {});

const CARRIER_FR: Record<string, string> = { electricity: 'Électricité', gas: 'Gaz', heat: 'Chaleur', water: 'Eau' };

/** GET /api/overview as the admin, once no site is still computing (its first answer may come before the month is read). */
async function overviewAnswer(): Promise<OverviewAnswer> {
  for (let i = 0; i < 100; i++) {
    const body = (await (await fetch(`${baseUrl}/api/overview`, { headers: { authorization: `Bearer ${apiToken}` } })).json()) as OverviewAnswer;
    if (body.sites.every((s) => s.status === 'ok' && s.today!.baseline.status !== 'computing')) return body;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('/api/overview still computing after 30 s');
}

const kW = (locale: string, powerW: number) => `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(powerW / 1000)} kW`;

/** What the in-browser helper checks return. */
interface HelperResults {
  springDay: number;
  springNext: number;
  autumnDay: number;
  autumnNext: number;
  daysAgo: number;
  dateKey: string;
  healthOk: string[];
  healthBad: string[];
  problemFr: string;
  problemEn: string;
  unknownFr: string;
}

let app: FastifyInstance;
let state: SqliteStateStore;
/** The admin's API token, for what the test asks the API itself (the browser has its session). */
let apiToken: string;
/** The browser logs in as this admin (admins see the rejections of no site too). */
const ADMIN = { email: 'admin@test.invalid', password: 'dashboard-test-password' };
const store = new MemoryStore();
/** What ingest tells after a durable write, this test tells after `store.add` (the MQTT path has its own browser test). */
const bus = new EventBus();
const live = new SiteLiveHub({ events: bus });
let baseUrl: string;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const shotsDir = join(tmpdir(), `sbe-dashboard-shots-${process.pid}`);
const problems: string[] = [];
const externalRequests: string[] = [];

beforeAll(async () => {
  // A missing browser must fail the suite loudly (team rule: never skip), and is never downloaded.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  const nowMs = Date.now();
  store.add(demoReadings(nowMs));
  const ingest: IngestStatus = { mode: 'embedded', connected: true, endpoint: 'mqtt://127.0.0.1:1883', lastMessageMs: nowMs - 60_000 };
  const write: WriteStatus = {
    storeUp: true, pendingReadings: 0, spoolReadings: 42_000, spoolBytes: 6_500_000, spoolMaxBytes: 10_000_000, replaying: false,
    replayedReadings: 0, acknowledging: true, deadLetters: 0, lastWriteMs: nowMs - 5_000, lastError: null,
  };
  const rejections: RejectionRecord[] = [
    { receivedMs: nowMs - 120_000, topic: 'sbe/cleon-bureaux/tgbt/power_w', reason: 'invalid-value', detail: 'value "abc" is not a finite number', payloadExcerpt: '{"v":"abc"}' },
    { receivedMs: nowMs - 600_000, topic: 'sbe/inconnu/x', reason: 'unknown-site', detail: 'no site "inconnu"', payloadExcerpt: '{}' },
  ];
  state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  await live.start();
  const accounts = new Accounts({ store: new SqliteAccounts(state), siteIds: CONFIG.sites.map((s) => s.id), now: () => Date.now() });
  const admin = await accounts.addUser({ email: ADMIN.email, role: 'admin', password: ADMIN.password });
  apiToken = (await accounts.createToken(admin, 'e2e test')).token;
  app = await buildApp({
    accounts,
    config: CONFIG,
    store,
    ingest: { status: () => ingest, rejections: (limit) => rejections.slice(0, limit) },
    writer: { status: () => write },
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => Date.now(),
    dashboardDir: DASHBOARD_DIR,
    live,
    energy: new EnergyAnalyticsService({ config: CONFIG, query: store }),
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  profileDir = await mkdtemp(join(tmpdir(), 'sbe-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    timezoneId: 'America/New_York', // not the sites' zone: times must still be shown in Europe/Paris
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A real login: POST /api/session sets the session cookie in the browser context's own jar
  // (playwright shares it with the pages), so every page below is a logged-in dashboard.
  const login = await context.request.post(`${baseUrl}/api/session`, { data: ADMIN });
  if (login.status() !== 201) throw new Error(`login failed: ${login.status()} ${await login.text()}`);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location().url;
    problems.push(`console error: ${msg.text()} (${url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) externalRequests.push(req.url());
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await app?.close();
  await state?.stop();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

describe('dashboard in headless Chromium over the real API', () => {
  it('time-zone and response helpers, run in the browser itself (its Intl, its modules)', async () => {
    await page.goto(`${baseUrl}/#/rejections`);
    // Given as source text: the test runner would otherwise rewrite `import()` for Node.
    const out = (await page.evaluate(`(async () => {
      const time = await import('/lib/time.js');
      const health = await import('/views/health-banner.js');
      const { problemText } = await import('/lib/problems.js');
      const { createI18n } = await import('/lib/i18n.js');
      const fr = createI18n(null);
      const en = createI18n({ getItem: () => 'en', setItem: () => {} });
      const coverage = { code: 'insufficient-coverage', params: { measuredHours: 336.5, expectedHours: 744, estimatedHours: 0, measuredSharePct: 45.228, requiredSharePct: 90 } };
      const tz = 'Europe/Paris';
      return {
        // 29 March 2026: clocks go from 02:00 to 03:00 (a 23 h day); 25 October 2026: a 25 h day.
        springDay: time.startOfLocalDayMs(Date.parse('2026-03-29T20:00:00Z'), tz),
        springNext: time.startOfLocalDayMs(Date.parse('2026-03-30T10:00:00Z'), tz),
        autumnDay: time.localDateToMs('2026-10-25', tz),
        autumnNext: time.localDateToMs('2026-10-26', tz),
        daysAgo: time.localDaysAgoMs(Date.parse('2026-11-02T10:00:00Z'), 30, tz),
        dateKey: time.localDateKey(Date.parse('2026-10-31T23:30:00Z'), tz),
        healthOk: health.healthProblems({ status: 'ok', broker: { connected: true }, store: { ok: true }, writePath: { storeUp: true, acknowledging: true, spoolBytes: 0, spoolMaxBytes: 100, spoolReadings: 0 } }).map((p) => p.key),
        healthBad: health.healthProblems({ status: 'down', broker: { connected: false }, store: { ok: false }, writePath: { storeUp: false, acknowledging: false, spoolBytes: 100, spoolMaxBytes: 100, spoolReadings: 7 } }).map((p) => p.key),
        problemFr: problemText(fr, coverage),
        problemEn: problemText(en, coverage),
        unknownFr: problemText(fr, { code: 'not-yet-known', params: {} }),
      };
    })()`)) as HelperResults;
    expect(out.springDay).toBe(Date.parse('2026-03-28T23:00:00Z'));
    expect(out.springNext - out.springDay).toBe(23 * 3_600_000);
    expect(out.autumnDay).toBe(Date.parse('2026-10-24T22:00:00Z'));
    expect(out.autumnNext - out.autumnDay).toBe(25 * 3_600_000);
    expect(out.daysAgo).toBe(Date.parse('2026-10-02T22:00:00Z'));
    expect(out.dateKey).toBe('2026-11-01');
    expect(out.healthOk).toEqual([]);
    expect(out.healthBad).toEqual(['health.storeDown', 'health.brokerDown', 'health.notAcknowledging']);
    // A problem code in the user's language, with its parameters formatted for the locale.
    expect(out.problemFr).toBe('Données insuffisantes : 45,2 % des heures mesurées (337 h sur 744 h), il en faut au moins 90 %.');
    expect(out.problemEn).toBe('Insufficient data: 45.2 % of the hours measured (337 h of 744 h); at least 90 % are needed.');
    expect(out.unknownFr).toBe('Calcul impossible (code not-yet-known).');
  });

  it('overview: every configured site with its live power, stale marker and spool warning', async () => {
    await page.goto(`${baseUrl}/#/`);
    for (const site of CONFIG.sites) {
      const power = page.locator(`[data-site="${site.id}"] [data-testid="live-power"]`);
      await expect.poll(() => power.textContent(), { timeout: 10_000 }).toContain(kW('fr-FR', LIVE_POWER[site.id as keyof typeof LIVE_POWER].powerW));
      await expect(page.locator(`[data-site="${site.id}"] h2`).textContent()).resolves.toBe(site.name);
    }
    await expect(page.locator('[data-site="sotteville-logistique"] .badge.stale').textContent()).resolves.toBe('Donnée ancienne');
    await expect(page.locator('[data-site="cleon-bureaux"] .badge.stale').count()).resolves.toBe(0);
    // In the first hour of the local day (00:00–01:00 in Paris) no hour of today is complete yet: the card says so.
    const cleonToday = (await overviewAnswer()).sites.find((x) => x.site === 'cleon-bureaux')!.today!;
    if (cleonToday.elapsedHours === 0) await expect.poll(() => page.locator('[data-site="cleon-bureaux"] .notice').first().textContent()).toBe("La première heure de la journée n'est pas encore terminée.");
    else await expect.poll(() => page.locator('[data-site="cleon-bureaux"] [data-testid="today"]').textContent()).toMatch(/^Électricité \d[\d\s\u202f]* kWh · Gaz \d+ m³$/);
    // Every card's figures are the API's answer, formatted for the locale (no arithmetic in the page).
    const answer = await overviewAnswer();
    const fr = (v: number | null, digits = 0) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(v!);
    for (const s of answer.sites) {
      const card = page.locator(`[data-site="${s.site}"]`);
      const shown = s.today!.carriers.filter((c) => c.value !== null).map((c) => `${CARRIER_FR[c.carrier]} ${fr(c.value)} ${c.unit === 'm3' ? 'm³' : c.unit}`).join(' · ');
      if (shown) await expect.poll(() => card.locator('[data-testid="today"]').textContent()).toBe(shown);
      const month = card.locator('[data-testid="month"]');
      await expect.poll(() => month.getAttribute('data-status')).toBe(s.month!.kWhPerM2 === null ? 'insufficient-data' : 'ok');
      if (s.month!.kWhPerM2 !== null) await expect(month.textContent()).resolves.toContain(`${fr(s.month!.kWhPerM2, 2)} kWh/m²`);
      else await expect(month.textContent()).resolves.toContain('Données insuffisantes');
      const baseline = card.locator('[data-testid="today-baseline"]');
      await expect(baseline.getAttribute('data-status')).resolves.toBe(s.today!.baseline.status);
      if (s.today!.baseline.status === 'ok') await expect(baseline.textContent()).resolves.toContain(`${fr(s.today!.baseline.expectedKWh)} kWh attendus`);
      // No hour measured today: the today line says so, this one only that nothing is compared (not the same words twice).
      const noHourYet = s.today!.baseline.problems.length > 0 && s.today!.baseline.problems.every((p) => p.code === 'no-measured-hour-today');
      if (noHourYet) await expect(baseline.textContent()).resolves.toBe('Rien à comparer à la référence pour l’instant.');
      // This app runs without a state store: the card says alerts are not tracked, not "no alert".
      await expect(card.locator('dd[data-figure="alerts"]').textContent()).resolves.toBe("Alertes non suivies : le service tourne sans base d'état.");
      const silent = s.devices!.silent.length;
      if (silent > 0) {
        await expect(card.locator('[data-testid="devices"]').getAttribute('data-silent')).resolves.toBe(String(silent));
        await expect(card.locator('[data-testid="devices"]').getAttribute('href')).resolves.toBe(`#/site/${s.site}`);
      }
    }
    await expect.poll(() => page.locator('#health-banner').textContent()).toContain('tampon');
    await page.screenshot({ path: join(shotsDir, 'overview-fr.png'), fullPage: true });
  });

  it('switching to English changes the labels and number format, and is remembered', async () => {
    await page.getByRole('button', { name: 'EN' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Sites overview');
    await expect(page.locator('nav a[data-route="compare"]').textContent()).resolves.toBe('Comparison');
    await expect.poll(() => page.locator('[data-site="cleon-bureaux"] [data-testid="live-power"]').textContent()).toContain(kW('en-GB', LIVE_POWER['cleon-bureaux'].powerW));
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sites overview');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await page.getByRole('button', { name: 'FR' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe("Vue d'ensemble des sites");
  });

  it('site page: a live power chart with every reading, consumption against the baseline, CO2 flagged', async () => {
    await page.goto(`${baseUrl}/#/site/cleon-bureaux`);
    await page.locator('#live-power-chart').waitFor();
    const points = () => page.evaluate(() => (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: { data: unknown[] }[] } } | undefined } }).Chart.getChart('live-power-chart')?.data.datasets[0]?.data.length ?? -1);
    await expect.poll(points, { timeout: 10_000 }).toBe(EXPECTED_LIVE_POINTS);
    // A new reading reaches the open chart through the live stream, in a new 5-minute bucket.
    const latestMs = Date.now() - LIVE_POWER['cleon-bureaux'].ageMs;
    const reading = { site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: latestMs + 10 * 60_000, value: 99_000 } as const;
    store.add([reading]);
    bus.emit('readingsStored', { readings: [reading] });
    await expect.poll(points, { timeout: 5_000 }).toBe(EXPECTED_LIVE_POINTS + 1);
    await expect(page.locator('#live-power-caption').textContent()).resolves.toContain(kW('fr-FR', 99_000));
    const dailyLabels = () => page.evaluate(() => (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: { label: string }[] } } | undefined } }).Chart.getChart('baseline-chart')?.data.datasets.map((d) => d.label) ?? []);
    await expect.poll(dailyLabels, { timeout: 10_000 }).toEqual(['Mesurée (kWh)', 'Référence (kWh)', 'Bas de la bande (kWh)', 'Bande de la référence (≈ 95 % des jours, kWh)']);
    const co2Row = page.locator('[data-panel="devices"] [data-quantity="co2_ppm"]');
    await expect.poll(() => co2Row.getAttribute('class')).toBe('co2-high');
    await expect(co2Row.textContent()).resolves.toContain(`${new Intl.NumberFormat('fr-FR').format(CLEON_AMBIENCE.co2_ppm ?? 0)} ppm`);
    await expect(page.locator('[data-panel="devices"] [data-quantity="temperature_c"]').first().textContent()).resolves.toContain('°C');
    // The example's baseline year (2025) has no data here: the panel says why, in French only.
    const baselineState = page.locator('[data-panel="baseline"] [data-state]');
    await expect.poll(() => baselineState.getAttribute('data-state'), { timeout: 10_000 }).toBe('no-baseline');
    await expect(baselineState.textContent()).resolves.toContain('Seuls 0 jours sur 365 de la période de référence');
    expect(await baselineState.textContent()).not.toMatch(/ has | no baseline| days /);
    // The KPIs of the last 30 days are the API's, figure for figure.
    const kpis = (await (await fetch(`${baseUrl}/api/sites/cleon-bureaux/kpis`, { headers: { authorization: `Bearer ${apiToken}` } })).json()) as { status: string; kpis: { kWhPerM2: number } };
    expect(kpis.status).toBe('ok');
    const intensity = page.locator('[data-panel="kpis"] dt', { hasText: 'Consommation surfacique (kWh/m²)' });
    await intensity.waitFor();
    await expect(intensity.locator('xpath=following-sibling::dd[1]').textContent()).resolves.toBe(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 }).format(kpis.kpis.kWhPerM2));
    expect(await page.locator('main').textContent()).not.toContain('Pas encore disponible');
    await page.screenshot({ path: join(shotsDir, 'site-cleon.png'), fullPage: true });
  });

  it('comparison: sites ranked by kWh/m², lowest first', async () => {
    await page.goto(`${baseUrl}/#/compare`);
    // The ranking's rows (the Décret panels below have tables of their own).
    const rows = page.locator('table tbody tr[data-site]');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(CONFIG.sites.length);
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-site')));
    expect(order).toEqual(EXPECTED_RANKING);
    // The ranks and statuses are the server's: every site is fully measured over the 30 days.
    await expect(rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-status'), tr.querySelector('td')?.textContent]))).resolves.toEqual(EXPECTED_RANKING.map((_, i) => ['ok', String(i + 1)]));
    await page.screenshot({ path: join(shotsDir, 'compare.png'), fullPage: true });
  });

  it('ingest alerts list the latest rejections; no console error, no external request', async () => {
    await page.goto(`${baseUrl}/#/rejections`);
    const rows = page.locator('table tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await expect(rows.first().textContent()).resolves.toContain('Valeur invalide');
    await expect(rows.first().textContent()).resolves.toContain('sbe/cleon-bureaux/tgbt/power_w');
    await page.screenshot({ path: join(shotsDir, 'rejections.png'), fullPage: true });
    for (const name of ['overview-fr.png', 'site-cleon.png', 'compare.png', 'rejections.png']) {
      expect((await stat(join(shotsDir, name))).size).toBeGreaterThan(10_000);
    }
    // Responsive: on a phone-sized screen no page scrolls sideways (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['#/', '#/site/cleon-bureaux', '#/compare', '#/rejections']) {
      await page.goto(`${baseUrl}/${hash}`);
      await page.locator('main h1').waitFor();
      await page.locator('main :is(table, .cards):visible').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth), hash).toBeLessThanOrEqual(390);
    }
    await page.goto(`${baseUrl}/#/site/cleon-bureaux`);
    await page.locator('[data-panel="devices"] [data-quantity="co2_ppm"]').waitFor();
    await page.screenshot({ path: join(shotsDir, 'site-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(externalRequests).toEqual([]);
  });
});
