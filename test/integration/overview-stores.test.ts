import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverviewAnswer } from '../../src/api/overview-schemas.js';
import { configSchema } from '../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../src/energy/analytics-service.js';
import type { Reading } from '../../src/model/reading.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import type { ReadingStore } from '../../src/storage/port.js';
import { SqliteStateStore } from '../../src/storage/state/sqlite-state-store.js';
import { idleIngestDeps } from '../helpers/app-deps.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildAppWithAccounts } from '../unit/api/helpers.js';

/**
 * GET /api/overview over each real store (embedded DuckDB, Debian's influxd) and the real SQLite
 * state store: figures worked out by hand from readings written for the purpose.
 *
 * Now is Tuesday 10 November 2026, 11:30 in Paris (10:30 UTC): today has 11 complete hours
 * (00:00-11:00 local), the month 9 × 24 + 11 = 227. Site alpha's meter counted 10 kWh every hour
 * of its reference period (4 weeks from Monday 5 October) and of 1-9 November, and 12 kWh every
 * hour today: today 132 kWh against an expected 110 kWh (every Tuesday slot's median, P10 and P90
 * are 10 kWh), the month 2,160 + 132 = 2,292 kWh over 1,000 m². Site beta has no reference
 * period and readings from 06:00 local only: 5 measured hours, too few for a month figure.
 */
const H = 3_600_000;
const NOW_MS = Date.parse('2026-11-10T10:30:00Z');
const TODAY_MS = Date.parse('2026-11-09T23:00:00Z');
const REF_FROM_MS = Date.parse('2026-10-04T22:00:00Z');

const config = configSchema.parse({
  sites: [
    {
      id: 'alpha', name: 'Alpha', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris', country: 'FR',
      baseline: { from: '2026-10-05', to: '2026-11-01' },
      devices: [
        { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: 'overview-secret' },
        { id: 'air', name: 'Salle de réunion', kind: 'co2-sensor', quantities: ['co2_ppm'], secret: 'overview-secret' },
        { id: 'spare', kind: 'temperature-sensor', quantities: ['temperature_c'], secret: 'overview-secret' },
      ],
    },
    {
      id: 'beta', name: 'Beta', usage: 'education', floorAreaM2: 500, timezone: 'Europe/Paris', country: 'FR',
      devices: [{ id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'overview-secret' }],
    },
  ],
});

function readings(): Reading[] {
  const out: Reading[] = [];
  let index = 1000;
  for (let t = REF_FROM_MS; t <= TODAY_MS + 11 * H; t += H) {
    out.push({ site: 'alpha', device: 'meter', quantity: 'energy_kwh', tsMs: t, value: index });
    index += t >= TODAY_MS ? 12 : 10;
  }
  // Inside the current hour: the meter is not silent, and the figures count complete hours only.
  out.push({ site: 'alpha', device: 'meter', quantity: 'energy_kwh', tsMs: NOW_MS - 5 * 60_000, value: index - 12 + 5 });
  out.push({ site: 'alpha', device: 'meter', quantity: 'power_w', tsMs: NOW_MS - 7 * 60_000, value: 11_000 });
  out.push({ site: 'alpha', device: 'meter', quantity: 'power_w', tsMs: NOW_MS - 2 * 60_000, value: 12_000 });
  out.push({ site: 'alpha', device: 'air', quantity: 'co2_ppm', tsMs: TODAY_MS + 10 * H, value: 640 });
  for (let h = 5; h <= 10; h++) out.push({ site: 'beta', device: 'meter', quantity: 'energy_kwh', tsMs: Date.parse('2026-11-10T00:00:00Z') + h * H, value: 50 + (h - 5) * 5 });
  out.push({ site: 'beta', device: 'meter', quantity: 'energy_kwh', tsMs: NOW_MS - 10 * 60_000, value: 77 });
  return out;
}

async function addAlerts(state: SqliteStateStore) {
  const base = { rule: 'r', ruleType: 'threshold', quantity: 'energy_kwh', startMs: NOW_MS - 2 * H, openedMs: NOW_MS - H, updatedMs: NOW_MS - H, measured: 1, expected: 0, unit: 'kWh', summary: 'test' };
  await state.transaction(async (tx) => {
    await tx.insertAlert({ ...base, site: 'alpha', device: 'meter', rule: 'a1', severity: 'critical' });
    await tx.insertAlert({ ...base, site: 'alpha', device: 'air', rule: 'a2', severity: 'warning' });
    const acked = await tx.insertAlert({ ...base, site: 'alpha', device: 'spare', rule: 'a3', severity: 'warning' });
    await tx.updateAlert(acked.id, { state: 'acknowledged', ackBy: 'x@test.invalid', ackMs: NOW_MS - 60_000 });
    const gone = await tx.insertAlert({ ...base, site: 'alpha', device: 'meter', rule: 'a4', severity: 'critical' });
    await tx.updateAlert(gone.id, { state: 'resolved', resolvedMs: NOW_MS - 30 * 60_000 });
    await tx.insertAlert({ ...base, site: 'beta', device: 'meter', rule: 'b1', severity: 'info' });
  });
}

describe.each(['duckdb', 'influxdb'] as const)('GET /api/overview over %s', (kind) => {
  let dir: TempDir | undefined;
  let influxd: InfluxdHandle | undefined;
  let store: ReadingStore;
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  let app: FastifyInstance;
  let tokenFor: (role: 'admin' | 'working-group' | 'site-manager', sites?: string[]) => Promise<string>;
  let energy: EnergyAnalyticsService;

  beforeAll(async () => {
    if (kind === 'duckdb') {
      dir = await createTempDir('sbe-overview-');
      store = new DuckDbStore({ dataDir: dir.path });
    } else {
      influxd = await startInfluxd();
      store = new InfluxStore({ url: influxd.url, database: 'overview', retention: 'INF' });
    }
    await store.start();
    await store.write(readings());
    await state.start();
    await addAlerts(state);
    energy = new EnergyAnalyticsService({ config, query: store, rollups: store, now: () => NOW_MS });
    ({ app, tokenFor } = await buildAppWithAccounts({
      config, store, state, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => NOW_MS, energy, analyticsWarmUp: false,
    }));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await state.stop();
    await store?.stop();
    await influxd?.stop();
    await dir?.remove();
  });

  /** Asks until no site is still computing (the first answer may come before the month or profile is read). */
  async function overview(authorization?: string): Promise<OverviewAnswer> {
    for (let i = 0; i < 120; i++) {
      const res = await app.inject({ url: '/api/overview', ...(authorization ? { headers: { authorization } } : {}) });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<OverviewAnswer>();
      if (body.sites.every((s) => s.status === 'ok' && s.today?.baseline.status !== 'computing')) return body;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error('the overview was still computing after 30 s');
  }

  it('states today against the hour-of-week profile, the month to date, open alerts and silent devices', async () => {
    const body = await overview();
    expect(body.staleAfterMs).toBe(15 * 60_000);
    expect(body.alertsAvailable).toBe(true);
    expect(body.sites.map((s) => s.site)).toEqual(['alpha', 'beta']);
    const alpha = body.sites[0]!;
    expect(alpha.today).toMatchObject({ date: '2026-11-10', from: '2026-11-09T23:00:00.000Z', until: '2026-11-10T10:00:00.000Z', elapsedHours: 11, finalMeasuredHours: 11 });
    expect(alpha.today!.carriers).toEqual([{ carrier: 'electricity', unit: 'kWh', value: expect.closeTo(132, 6), measuredHours: 11 }]);
    expect(alpha.today!.finalKWh).toBeCloseTo(132, 6);
    expect(alpha.today!.baseline).toMatchObject({ status: 'ok', referencePeriod: { from: '2026-10-05', to: '2026-11-01' }, comparedHours: 11, problems: [] });
    expect(alpha.today!.baseline.actualKWh).toBeCloseTo(132, 6);
    expect(alpha.today!.baseline.expectedKWh).toBeCloseTo(110, 6);
    expect(alpha.today!.baseline.lowKWh).toBeCloseTo(110, 6);
    expect(alpha.today!.baseline.highKWh).toBeCloseTo(110, 6);
    expect(alpha.today!.baseline.deviationPct).toBeCloseTo(20, 6);
    expect(alpha.today!.baseline.withinBand).toBe(false);
    expect(alpha.month).toMatchObject({ from: '2026-11-01', until: '2026-11-10T10:00:00.000Z', floorAreaM2: 1000, problems: [] });
    expect(alpha.month!.coverage).toMatchObject({ measuredHours: 227, expectedHours: 227, sufficient: true });
    expect(alpha.month!.kWh).toBeCloseTo(2292, 6);
    expect(alpha.month!.kWhPerM2).toBeCloseTo(2.292, 9);
    expect(alpha.power).toEqual([{ device: 'meter', valueW: 12_000, at: '2026-11-10T10:28:00.000Z' }]);
    expect(alpha.alerts).toEqual({ open: { info: 0, warning: 1, critical: 1 }, acknowledged: 1 });
    expect(alpha.devices).toEqual({ total: 3, silent: [{ device: 'air', name: 'Salle de réunion', lastReading: '2026-11-10T09:00:00.000Z' }], neverReported: [{ device: 'spare', name: null }] });

    const beta = body.sites[1]!;
    expect(beta.today).toMatchObject({ elapsedHours: 11, finalMeasuredHours: 5, carriers: [{ carrier: 'electricity', unit: 'kWh', value: expect.closeTo(25, 6), measuredHours: 5 }] });
    expect(beta.today!.baseline).toMatchObject({ status: 'unavailable', actualKWh: null, expectedKWh: null, deviationPct: null, withinBand: null, problems: [{ code: 'no-baseline-period', params: { site: 'beta' } }] });
    // Under the coverage rule: no figure, and how much is missing.
    expect(beta.month).toMatchObject({ kWh: null, kWhPerM2: null, coverage: { measuredHours: 5, expectedHours: 227, sufficient: false } });
    expect(beta.month!.problems).toEqual([{ code: 'insufficient-coverage', params: expect.objectContaining({ measuredHours: 5, expectedHours: 227, requiredSharePct: 90 }) }]);
    expect(beta.power).toEqual([]);
    expect(beta.alerts).toEqual({ open: { info: 1, warning: 0, critical: 0 }, acknowledged: 0 });
    expect(beta.devices).toEqual({ total: 1, silent: [], neverReported: [] });
  }, 60_000);

  it("gives a site manager their own sites only, and nothing to an anonymous caller", async () => {
    const body = await overview(`Bearer ${await tokenFor('site-manager', ['beta'])}`);
    expect(body.sites.map((s) => s.site)).toEqual(['beta']);
    const wg = await overview(`Bearer ${await tokenFor('working-group')}`);
    expect(wg.sites.map((s) => s.site)).toEqual(['alpha', 'beta']);
    const anon = await app.inject({ url: '/api/overview', headers: { authorization: undefined } });
    expect(anon.statusCode).toBe(401);
    expect(anon.json()).toMatchObject({ code: 'login-required' });
  }, 60_000);
});
