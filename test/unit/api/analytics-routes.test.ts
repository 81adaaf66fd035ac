import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppWithAccounts } from './helpers.js';
import { configSchema } from '../../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { DuckDbStore } from '../../../src/storage/duckdb/duckdb-store.js';
import { idleIngestDeps } from '../../helpers/app-deps.js';
import { createTempDir, type TempDir } from '../../helpers/tmp.js';
import { buildings, hours, leadConfig, readingsOf } from '../energy/helpers/lead-fixtures.js';

// Real hourly data of six LEAD/GEPIII buildings (test/fixtures/lead-gepiii, CC BY-SA), stored in a
// real DuckDB file, read back through the analytics routes as the dashboard and a CSV user would.
const BUILDINGS = buildings();
// Plus a site whose meters have sent nothing yet: it must rank last, without a figure.
const CONFIG = configSchema.parse({
  sites: [
    ...leadConfig(BUILDINGS).sites,
    {
      id: 'no-data-yet',
      name: 'Nouveau site pilote',
      usage: 'office',
      floorAreaM2: 900,
      decretTertiaire: { referenceYear: 2015, referenceConsumptionKWh: 120_000 },
      devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'fixture-secret' }] },
  ],
});
const YEAR = 'from=2016-01-01&to=2016-12-31';

let dir: TempDir;
let store: DuckDbStore;
let app: FastifyInstance;
let computeCalls = 0;

/** Parses the CSV the API writes (RFC 4180, no embedded line breaks in these tables). */
function parseCsv(text: string): Record<string, string>[] {
  const lines = text.trimEnd().split('\r\n');
  const split = (line: string) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')).slice(0, -1);
  const header = split(lines[0]!);
  return lines.slice(1).map((line) => {
    const cells = split(line);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

beforeAll(async () => {
  dir = await createTempDir('sbe-analytics-api-');
  store = new DuckDbStore({ dataDir: dir.path });
  await store.start();
  for (const b of BUILDINGS) await store.write(readingsOf(b, hours(b.id)));
  const energy = new EnergyAnalyticsService({ config: CONFIG, query: store });
  const counted: typeof energy = Object.create(energy) as typeof energy;
  counted.compare = (...args) => {
    computeCalls += 1;
    return energy.compare(...args);
  };
  app = (await buildAppWithAccounts({
    config: CONFIG,
    store,
    ...idleIngestDeps(),
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => Date.parse('2017-01-15T12:00:00Z'),
    energy: counted,
  })).app;
});

afterAll(async () => {
  await app?.close();
  await store?.stop();
  await dir?.remove();
});

interface CompareRow {
  site: string;
  rank: number | null;
  kWhPerM2: number | null;
  finalEnergyKWh: number | null;
  floorAreaM2: number;
  baselineAccepted: boolean | null;
}

describe('GET /api/compare', () => {
  it("gives each building's 2016 kWh/m² as in the fixture's reference figures, ranked lowest first", async () => {
    const response = await app.inject(`/api/compare?${YEAR}`);
    expect(response.statusCode).toBe(200);
    const body = response.json<{ from: string; to: string; rankBy: string; sites: CompareRow[] }>();
    expect(body).toMatchObject({ from: '2016-01-01', to: '2016-12-31', rankBy: 'kWhPerM2' });
    expect(body.sites).toHaveLength(BUILDINGS.length + 1);
    for (const b of BUILDINGS) {
      const row = body.sites.find((s) => s.site === `b${b.id}`)!;
      expect(Math.abs(row.kWhPerM2! - b.euiKWhPerM2), `building ${b.id}`).toBeLessThanOrEqual(0.0051);
      expect(row.finalEnergyKWh! / row.floorAreaM2).toBeCloseTo(row.kWhPerM2!, 9);
      expect(row).toMatchObject({ status: 'ok', problems: [], coverage: { expectedHours: 8784, sufficient: true } });
    }
    const expectedOrder = [...BUILDINGS].sort((a, b) => a.euiKWhPerM2 - b.euiKWhPerM2).map((b) => `b${b.id}`);
    expect(body.sites.map((s) => s.site)).toEqual([...expectedOrder, 'no-data-yet']);
    expect(body.sites.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5, 6, null]);
    expect(body.sites[6]).toMatchObject({ kWhPerM2: null, finalEnergyKWh: null, measuredSharePct: 0, status: 'insufficient-data' });
  });

  it('gives a site without measured hours no figure and no Décret position, with the coverage behind it (issue 13)', async () => {
    const body = (await app.inject(`/api/compare?${YEAR}`)).json<{ sites: Array<Record<string, unknown>> }>();
    const row = body.sites.find((s) => s.site === 'no-data-yet')!;
    const coverage = { code: 'insufficient-coverage', params: { measuredHours: 0, expectedHours: 8784, estimatedHours: 0, measuredSharePct: 0, requiredSharePct: 90 } };
    expect(row).toMatchObject({ rank: null, kWhPerM2: null, climateCorrectedKWhPerM2: null, deviationPct: null, problems: [coverage] });
    expect(row.decretTertiaire).toMatchObject({ status: 'insufficient-data', reductionAchievedPct: null, targetKWh: null, problems: [coverage] });
    const csv = parseCsv((await app.inject(`/api/compare?${YEAR}&format=csv`)).body).find((r) => r.site === 'no-data-yet')!;
    expect(csv).toMatchObject({ rank: '', kWhPerM2: '', decretReductionAchievedPct: '', decretStatus: 'insufficient-data', status: 'insufficient-data', measuredSharePct: '0' });
  });

  it('computes a burst of comparisons of one period once, whatever the rank key', async () => {
    const before = computeCalls;
    const period = 'from=2016-02-01&to=2016-02-29';
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => app.inject(`/api/compare?${period}`)),
      app.inject(`/api/compare?${period}&rankBy=baseloadKW`),
      app.inject(`/api/compare?${period}&format=csv`),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
    expect(computeCalls).toBe(before + 1);
    // Same figures, ranked on the key asked for.
    const byKWh = answers[0]!.json<{ sites: CompareRow[] }>().sites;
    const byBaseload = answers[8]!.json<{ rankBy: string; sites: Array<CompareRow & { baseloadKW: number | null }> }>();
    expect(byBaseload.rankBy).toBe('baseloadKW');
    expect(new Set(byBaseload.sites.map((s) => s.site))).toEqual(new Set(byKWh.map((s) => s.site)));
    const ranked = byBaseload.sites.filter((s) => s.rank !== null);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.baseloadKW!).toBeGreaterThanOrEqual(ranked[i - 1]!.baseloadKW!);
  });

  it('answers again from the cache, and as CSV with the same figures', async () => {
    const before = computeCalls;
    const json = (await app.inject(`/api/compare?${YEAR}`)).json<{ sites: CompareRow[] }>();
    const csv = await app.inject(`/api/compare?${YEAR}&format=csv`);
    expect(computeCalls).toBe(before);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="comparison_2016-01-01_2016-12-31.csv"');
    const rows = parseCsv(csv.body);
    expect(rows.map((r) => r.site)).toEqual(json.sites.map((s) => s.site));
    rows.forEach((r, i) => {
      const kWhPerM2 = json.sites[i]!.kWhPerM2;
      // At the precision of the measurement (Wh): 3 decimals, never a raw float or an exponent.
      expect(r.kWhPerM2).toBe(kWhPerM2 === null ? '' : String(Number(kWhPerM2.toFixed(3)) + 0));
      for (const cell of Object.values(r)) expect(cell).not.toMatch(/^-?\d+\.\d{4,}$|e[-+]\d/);
    });
  });

  it('ranks on another KPI when asked', async () => {
    const body = (await app.inject(`/api/compare?${YEAR}&rankBy=baseloadKW`)).json<{ rankBy: string; sites: Array<{ baseloadKW: number | null }> }>();
    expect(body.rankBy).toBe('baseloadKW');
    const values = body.sites.map((s) => s.baseloadKW).filter((v): v is number => v !== null);
    expect(values.length).toBeGreaterThan(0);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });
});

describe('per-site analytics routes', () => {
  it('fits the baseline of the desert building 254 and passes the ASHRAE G14 monthly criteria', async () => {
    const body = (await app.inject(`/api/sites/b254/baseline?from=2016-07-01&to=2016-07-31`)).json<{
      accepted: boolean;
      fitQuality: { monthly: { cvRmsePct: number; nmbePct: number } };
      days: Array<{ date: string; actualKWh: number | null; expectedKWh: number | null }>;
      months: Array<{ month: string; days: number; actualKWh: number | null; expectedKWh: number | null; measuredDays: number }>;
    }>();
    expect(body.accepted).toBe(true);
    expect(body.fitQuality.monthly.cvRmsePct).toBeLessThanOrEqual(15);
    expect(Math.abs(body.fitQuality.monthly.nmbePct)).toBeLessThanOrEqual(5);
    expect(body.days).toHaveLength(31);
    const known = body.days.filter((d) => d.actualKWh !== null && d.expectedKWh !== null);
    expect(known.length).toBeGreaterThan(25);
    const actual = known.reduce((s, d) => s + d.actualKWh!, 0);
    const expected = known.reduce((s, d) => s + d.expectedKWh!, 0);
    // By month: the same days summed, or null when a day of the month has no figure.
    expect(body.months).toHaveLength(1);
    const july = body.months[0]!;
    expect(july).toMatchObject({ month: '2016-07', days: 31, measuredDays: body.days.filter((d) => d.actualKWh !== null).length });
    if (body.days.every((d) => d.actualKWh !== null)) expect(july.actualKWh).toBeCloseTo(body.days.reduce((s, d) => s + d.actualKWh!, 0), 6);
    else expect(july.actualKWh).toBeNull();
    // One summer month of the year the model was fitted on: within 10 % in total.
    expect(Math.abs(actual - expected) / expected).toBeLessThan(0.1);
  });

  it('draws a band of ± 1.96 daily RMSE around the expected day that holds about 95 % of the reference year', async () => {
    const body = (await app.inject(`/api/sites/b254/baseline?${YEAR}`)).json<{
      fitQuality: { daily: { cvRmsePct: number } };
      days: Array<{ actualKWh: number | null; expectedKWh: number | null; expectedLowKWh: number | null; expectedHighKWh: number | null }>;
    }>();
    const banded = body.days.filter((d) => d.actualKWh !== null && d.expectedKWh !== null && d.expectedLowKWh !== null && d.expectedHighKWh !== null);
    expect(banded.length).toBeGreaterThan(300);
    for (const d of banded) expect(d.expectedHighKWh! - d.expectedKWh!).toBeCloseTo(banded[0]!.expectedHighKWh! - banded[0]!.expectedKWh!, 6);
    const inside = banded.filter((d) => d.actualKWh! >= d.expectedLowKWh! && d.actualKWh! <= d.expectedHighKWh!).length / banded.length;
    expect(inside).toBeGreaterThan(0.88);
    expect(inside).toBeLessThan(0.995);
  });

  it('gives KPIs as flat figures and as a CSV of the same figures', async () => {
    const b = BUILDINGS[0]!;
    const json = (await app.inject(`/api/sites/b${b.id}/kpis?${YEAR}`)).json<{ kpis: Record<string, number | null> }>();
    expect(Math.abs(json.kpis.kWhPerM2! - b.euiKWhPerM2)).toBeLessThanOrEqual(0.0051);
    const rows = parseCsv((await app.inject(`/api/sites/b${b.id}/kpis?${YEAR}&format=csv`)).body);
    expect(Number(rows.find((r) => r.kpi === 'kWhPerM2')!.value)).toBeCloseTo(json.kpis.kWhPerM2!, 3);
    expect(rows.find((r) => r.kpi === 'kWhPerM2')!.value).toMatch(/^\d+(\.\d{1,3})?$/);
  });

  it('computes degree days by both methods, COSTIC never below météo for heating', async () => {
    const meteo = (await app.inject('/api/sites/b118/degree-days?from=2016-01-01&to=2016-03-31')).json<{ totalHddC: number; days: Array<{ hddC: number | null }> }>();
    const costic = (await app.inject('/api/sites/b118/degree-days?from=2016-01-01&to=2016-03-31&method=costic&baseC=18')).json<{ totalHddC: number; method: string }>();
    expect(meteo.days).toHaveLength(91);
    expect(meteo.totalHddC).toBeGreaterThan(500);
    expect(costic.method).toBe('costic');
    expect(costic.totalHddC).toBeGreaterThanOrEqual(meteo.totalHddC - 1e-9);
    const lowerBase = (await app.inject('/api/sites/b118/degree-days?from=2016-01-01&to=2016-03-31&baseC=16')).json<{ totalHddC: number }>();
    expect(lowerBase.totalHddC).toBeLessThan(meteo.totalHddC);
  });

  it('states no DJU total over days without temperature, and says how many are missing', async () => {
    const body = (await app.inject('/api/sites/b118/degree-days?from=2016-12-25&to=2017-01-07')).json<{ totalHddC: number | null; daysUsed: number; problems: unknown[] }>();
    expect(body.daysUsed).toBe(7);
    expect(body.totalHddC).toBeNull();
    expect(body.problems).toEqual([{ code: 'insufficient-temperature-days', params: { daysWithTemperature: 7, periodDays: 14, requiredDays: 13 } }]);
    const none = (await app.inject(`/api/sites/no-data-yet/degree-days?${YEAR}`)).json<{ problems: unknown[] }>();
    expect(none.problems).toEqual([{ code: 'no-temperature-source', params: { site: 'no-data-yet' } }]);
  });

  it('lists the counter corrections, e.g. the estimated hours of the 28-hour outage of building 685', async () => {
    const body = (await app.inject(`/api/sites/b685/corrections?${YEAR}`)).json<{ corrections: Array<{ kind: string; device: string; at: string }> }>();
    expect(body.corrections.some((c) => c.kind === 'gap-estimated' && c.device === 'meter')).toBe(true);
    const csv = parseCsv((await app.inject(`/api/sites/b685/corrections?${YEAR}&format=csv`)).body);
    expect(csv).toHaveLength(body.corrections.length);
  });
});

describe('GET /api/sites/:site/hourly-energy (carpet plot)', () => {
  interface Grid {
    timezone: string;
    coverage: { measuredHours: number; expectedHours: number };
    problems: Array<{ code: string }>;
    days: Array<{ date: string; dayType: string; kWh: Array<number | null> }>;
  }

  it('gives 24 local hours a day whose sum is the day the baseline route measured, and leaves the outage of building 685 blank', async () => {
    const grid = (await app.inject(`/api/sites/b685/hourly-energy?${YEAR}`)).json<Grid>();
    expect(grid.days).toHaveLength(366);
    expect(grid.days.every((d) => d.kWh.length === 24)).toBe(true);
    expect(grid.problems).toEqual([]);
    // The 28-hour outage: its hours are blank cells, not a linear estimate drawn as measured.
    const blank = grid.days.flatMap((d) => d.kWh).filter((v) => v === null).length;
    expect(blank).toBeGreaterThanOrEqual(28);
    expect(grid.coverage.expectedHours - grid.coverage.measuredHours).toBeLessThanOrEqual(blank);
    const baseline = (await app.inject(`/api/sites/b685/baseline?${YEAR}`)).json<{ days: Array<{ date: string; actualKWh: number | null; dayType: string }> }>();
    let compared = 0;
    for (const [i, day] of baseline.days.entries()) {
      expect(grid.days[i]!.date).toBe(day.date);
      expect(grid.days[i]!.dayType).toBe(day.dayType);
      if (day.actualKWh === null) continue;
      const cells = grid.days[i]!.kWh;
      // The spring DST day of Europe/London has no 01:00: one blank cell; the autumn day's repeated hour is summed.
      expect(cells.filter((v) => v === null).length, day.date).toBe(day.date === '2016-03-27' ? 1 : 0);
      expect(cells.reduce((s: number, v) => s + v!, 0)).toBeCloseTo(day.actualKWh, 6);
      compared++;
    }
    expect(compared).toBeGreaterThan(300);
    expect(grid.timezone).toBe('Europe/London');
    expect(grid.days.find((d) => d.date === '2016-01-02')!.dayType).toBe('weekend');
  });

  it('says why a site without measured hours has an empty carpet, and writes the grid as CSV at Wh precision', async () => {
    const none = (await app.inject('/api/sites/no-data-yet/hourly-energy?from=2016-01-01&to=2016-01-31')).json<Grid>();
    expect(none.days).toHaveLength(31);
    expect(none.days.every((d) => d.kWh.every((v) => v === null))).toBe(true);
    expect(none.problems.map((p) => p.code)).toEqual(['insufficient-coverage']);
    const csv = await app.inject('/api/sites/b118/hourly-energy?from=2016-03-01&to=2016-03-07&format=csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="hourly-energy_b118_2016-03-01_2016-03-07.csv"');
    const rows = parseCsv(csv.body);
    const json = (await app.inject('/api/sites/b118/hourly-energy?from=2016-03-01&to=2016-03-07')).json<Grid>();
    expect(rows.map((r) => r.date)).toEqual(json.days.map((d) => d.date));
    expect(Number(rows[2]!.h08)).toBeCloseTo(json.days[2]!.kWh[8]!, 3);
    for (const r of rows) for (const cell of Object.values(r)) expect(cell).not.toMatch(/^-?\d+\.\d{4,}$|e[-+]\d/);
  });

  it('refuses more than 366 days with a problem code naming the limit', async () => {
    const response = await app.inject('/api/sites/b118/hourly-energy?from=2016-01-01&to=2017-01-31');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'period-too-long', params: { days: 397, maxDays: 366 }, field: 'to' });
  });
});

describe('bad requests', () => {
  it.each([
    ['/api/compare?from=2016-02-30', 400, 'from'],
    ['/api/compare?from=2016-12-31&to=2016-01-01', 400, 'from'],
    ['/api/compare?from=2010-01-01&to=2016-01-01', 400, 'to'],
    ['/api/compare?from=16-01-01', 400, 'from'],
    ['/api/compare?rankBy=price', 400, 'rankBy'],
    ['/api/compare?format=xlsx', 400, 'format'],
    ['/api/compare?region=normandie', 400, 'region'],
    ['/api/sites/b118/degree-days?method=rayonnement', 400, 'method'],
    ['/api/sites/b118/degree-days?baseC=18;DROP', 400, 'baseC'],
    ['/api/sites/nowhere/kpis', 404, 'site'],
    ["/api/sites/b118'--/baseline", 400, 'site'],
  ])('%s -> %i naming %s', async (url, status, field) => {
    const response = await app.inject(url);
    expect(response.statusCode).toBe(status);
    expect(response.json<{ field?: string }>().field).toBe(field);
  });

  it.each([
    ['/api/compare?from=2016-02-30', { code: 'invalid-date', params: { field: 'from', value: '2016-02-30' } }],
    ['/api/compare?from=2016-12-31&to=2016-01-01', { code: 'period-reversed', params: { from: '2016-12-31', to: '2016-01-01' } }],
    ['/api/compare?from=2010-01-01&to=2016-01-01', { code: 'period-too-long', params: { days: 2192, maxDays: 1100 } }],
    ['/api/compare?from=1999-01-01&to=1999-02-01', { code: 'date-out-of-range', params: { field: 'to', min: '2000-01-01', max: '2099-12-31' } }],
    ['/api/compare?region=normandie', { code: 'unknown-parameter', params: { location: 'querystring', field: 'region' } }],
    ['/api/sites/nowhere/kpis', { code: 'unknown-site', params: { site: 'nowhere' } }],
  ])('%s carries its problem code and parameters', async (url, problem) => {
    expect((await app.inject(url)).json()).toMatchObject(problem);
  });
});
