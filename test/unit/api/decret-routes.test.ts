import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppWithAccounts } from './helpers.js';
import { configSchema } from '../../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { DEFAULT_GAS_KWH_PER_M3 } from '../../../src/energy/kpis.js';
import type { Reading } from '../../../src/model/reading.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { DuckDbStore } from '../../../src/storage/duckdb/duckdb-store.js';
import { idleIngestDeps } from '../../helpers/app-deps.js';
import { createTempDir, type TempDir } from '../../helpers/tmp.js';
import { buildings, hours, leadConfig, readingsOf } from '../energy/helpers/lead-fixtures.js';

// The Décret tertiaire trajectory and the OPERAT export over a real DuckDB file holding a year
// (2016) of real hourly data of LEAD/GEPIII buildings (test/fixtures/lead-gepiii, CC BY-SA) and a
// synthetic gas meter with a two-day gap. "Now" is February 2018: 2017 is complete and empty.
const H = 3_600_000;
const B = Object.fromEntries(buildings().filter((b) => ['118', '685', '439'].includes(b.id)).map((b) => [b.id, b]));
const lead = leadConfig(Object.values(B)).sites;
const leadSite = (id: string, decretTertiaire: unknown) => ({ ...lead.find((s) => s.id === `b${id}`)!, decretTertiaire });
const ANNUAL_118 = B['118']!.annualKWh;
const CONFIG = configSchema.parse({
  sites: [
    leadSite('118', { referenceYear: 2015, referenceConsumptionKWh: Math.round(ANNUAL_118 * 1.1) }),
    { ...leadSite('118', { referenceYear: 2015, referenceConsumptionKWh: Math.round(ANNUAL_118 * 0.9) }), id: 'b118-behind', name: 'Same data, smaller reference' },
    leadSite('685', { referenceYear: 2016 }),
    leadSite('439', { referenceYear: 2015, absoluteTargetsKWhPerM2: { '2030': 170 } }),
    { id: 'gas-site', name: 'Chaufferie gaz', usage: 'office', floorAreaM2: 1000, devices: [{ id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'], secret: 'fixture-secret' }] },
    { id: 'no-data-yet', name: 'Nouveau site', usage: 'office', floorAreaM2: 900, decretTertiaire: { referenceYear: 2015, referenceConsumptionKWh: 120_000 },
      devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'fixture-secret' }] },
  ],
});
const NOW = Date.parse('2018-02-01T12:00:00Z');
// Europe/Paris 2016: 2015-12-31T23:00Z … 2016-12-31T23:00Z, 8,784 hours; one m³ an hour, none read for 48 hours in March.
const GAS_START = Date.parse('2015-12-31T23:00:00Z');
const GAP = [Date.parse('2016-03-10T00:00:00Z'), Date.parse('2016-03-12T00:00:00Z')];

let dir: TempDir;
let store: DuckDbStore;
let app: FastifyInstance;

function gasReadings(): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i <= 8784; i++) {
    const tsMs = GAS_START + i * H;
    if (tsMs > GAP[0]! && tsMs < GAP[1]!) continue;
    out.push({ site: 'gas-site', device: 'gaz', quantity: 'gas_m3', tsMs, value: 5000 + i });
  }
  return out;
}

beforeAll(async () => {
  dir = await createTempDir('sbe-decret-api-');
  store = new DuckDbStore({ dataDir: dir.path });
  await store.start();
  for (const id of ['118', '685', '439']) await store.write(readingsOf(B[id]!, hours(id)));
  await store.write(readingsOf(B['118']!, hours('118')).map((r) => ({ ...r, site: 'b118-behind' })));
  await store.write(gasReadings());
  const energy = new EnergyAnalyticsService({ config: CONFIG, query: store, now: () => NOW });
  app = (await buildAppWithAccounts({ config: CONFIG, store, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => NOW, energy, analyticsWarmUp: false })).app;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.stop();
  await dir?.remove();
});

interface Trajectory {
  status: string;
  statusYear: number | null;
  referenceKWh: number | null;
  referenceSource: string | null;
  milestones: { year: number; reductionPct: number; relativeTargetKWh: number | null; absoluteTargetKWh: number | null; targetKWh: number | null }[];
  years: { year: number; measuredKWh: number | null; measuredSharePct: number; targetKWh: number | null; status: string }[];
  problems: { code: string; params: Record<string, unknown> }[];
}
const trajectory = async (site: string) => {
  const r = await app.inject(`/api/sites/${site}/decret`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json<Trajectory>();
};

describe('GET /api/sites/:site/decret', () => {
  it('judges the measured year against the interpolated target of a configured reference', async () => {
    const t = await trajectory('b118');
    expect(t).toMatchObject({ status: 'on-track', statusYear: 2016, referenceSource: 'config', referenceKWh: Math.round(ANNUAL_118 * 1.1), problems: [] });
    expect(t.years.map((y) => [y.year, y.status])).toEqual([[2015, 'insufficient-data'], [2016, 'on-track'], [2017, 'insufficient-data']]);
    const y2016 = t.years[1]!;
    // 2016 is 1/15 of the way from 2015 (0 %) to 2030 (−40 %).
    expect(y2016.targetKWh).toBeCloseTo(Math.round(ANNUAL_118 * 1.1) * (1 - 0.4 / 15), 3);
    expect(Math.abs(y2016.measuredKWh! - ANNUAL_118) / ANNUAL_118).toBeLessThan(0.005);
    expect(t.milestones.map((m) => [m.year, m.reductionPct])).toEqual([[2030, 40], [2040, 50], [2050, 60]]);
    expect(t.milestones[0]!.targetKWh).toBeCloseTo(Math.round(ANNUAL_118 * 1.1) * 0.6, 3);
    expect(t.years[2]).toMatchObject({ measuredKWh: null, measuredSharePct: 0 });
  });

  it('says behind when the same consumption is above the trajectory of a smaller reference', async () => {
    expect(await trajectory('b118-behind')).toMatchObject({ status: 'behind', statusYear: 2016 });
  });

  it('takes a measured reference year, and says insufficient-data when no later year is measured', async () => {
    const t = await trajectory('b685');
    expect(t).toMatchObject({ status: 'insufficient-data', statusYear: null, referenceSource: 'measured' });
    expect(t.referenceKWh! / B['685']!.annualKWh).toBeGreaterThan(0.99);
    expect(t.problems).toEqual([{ code: 'decret-no-measured-year', params: { fromYear: 2017, toYear: 2017, requiredSharePct: 90 } }]);
  });

  it('judges on the absolute target (Cabs × floor area) when the reference year is not known', async () => {
    const t = await trajectory('b439');
    expect(t).toMatchObject({ status: 'on-track', statusYear: 2016, referenceKWh: null, problems: [] });
    expect(t.years.find((y) => y.year === 2016)!.targetKWh).toBeCloseTo(170 * B['439']!.floorAreaM2, 6);
    expect(t.milestones[0]).toMatchObject({ relativeTargetKWh: null, absoluteTargetKWh: 170 * B['439']!.floorAreaM2 });
  });

  it('is insufficient-data for a site without data, with the coverage, never "on track"', async () => {
    const t = await trajectory('no-data-yet');
    expect(t.status).toBe('insufficient-data');
    expect(t.years.every((y) => y.status === 'insufficient-data' && y.measuredKWh === null && y.measuredSharePct === 0)).toBe(true);
    expect(t.problems[0]!.code).toBe('decret-no-measured-year');
    // The comparison says the same (issue 13, point 1).
    const cmp = (await app.inject('/api/compare?from=2016-01-01&to=2016-12-31')).json<{ sites: { site: string; status: string; decretTertiaire: { status: string } | null }[] }>();
    expect(cmp.sites.find((s) => s.site === 'no-data-yet')).toMatchObject({ status: 'insufficient-data', decretTertiaire: { status: 'insufficient-data' } });
  });

  it('answers not-configured, with its problem code, for a site without decretTertiaire', async () => {
    expect(await trajectory('gas-site')).toMatchObject({ status: 'not-configured', milestones: [], problems: [{ code: 'decret-not-configured', params: { site: 'gas-site' } }] });
  });

  it('gives the trajectory as CSV at the precision of the measurement', async () => {
    const r = await app.inject('/api/sites/b118/decret?format=csv');
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    const lines = r.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('year,kind,measuredKWh,measuredSharePct,relativeTargetKWh,absoluteTargetKWh,targetKWh,status');
    expect(lines[1]).toBe(`2015,reference-config,${Math.round(ANNUAL_118 * 1.1)},,,,,`);
    const measured = lines.find((l) => l.startsWith('2016,measured,'))!.split(',');
    expect(measured[2]).toMatch(/^\d+(\.\d{1,3})?$/);
    expect(lines.filter((l) => l.includes(',milestone,'))).toHaveLength(3);
  });
});

interface OperatRow {
  year: number;
  carrier: string;
  meterTotal: number | null;
  finalEnergyKWh: number | null;
  conversionFactorKWhPerUnit: number;
  conversionSource: string | null;
  coverage: { measuredSharePct: number; estimatedHours: number; expectedHours: number; sufficient: boolean };
  estimatedSharePct: number | null;
  status: string;
  declarationDue: string;
}

describe('GET /api/sites/:site/operat', () => {
  it('converts gas with its named factor, with the coverage and the estimated share of a gap', async () => {
    const r = await app.inject('/api/sites/gas-site/operat?fromYear=2016&toYear=2017');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json<{ gasConversion: { kWhPerM3: number; source: string }; rows: OperatRow[] }>();
    expect(body.gasConversion.kWhPerM3).toBe(DEFAULT_GAS_KWH_PER_M3);
    const [y2016, y2017] = body.rows;
    expect(y2016).toMatchObject({ year: 2016, carrier: 'gas', status: 'ok', conversionFactorKWhPerUnit: 11.2, declarationDue: '2017-09-30' });
    expect(y2016!.meterTotal).toBeCloseTo(8784, 6);
    expect(y2016!.finalEnergyKWh).toBeCloseTo(8784 * 11.2, 6);
    expect(y2016!.conversionSource).toContain('GRDF');
    // 48 of 8,784 hours spread over the gap: measured 99.45 %, 0.55 % of the m³ estimated.
    expect(y2016!.coverage).toMatchObject({ expectedHours: 8784, estimatedHours: 48, sufficient: true });
    expect(y2016!.estimatedSharePct).toBeCloseTo((48 / 8784) * 100, 6);
    expect(y2017).toMatchObject({ year: 2017, status: 'insufficient-data', meterTotal: null, finalEnergyKWh: null, estimatedSharePct: null, coverage: { measuredSharePct: 0 } });
  });

  it('defaults to the Décret reference year … the last complete year, one row per carrier and year', async () => {
    const body = (await app.inject('/api/sites/b118/operat')).json<{ fromYear: number; toYear: number; rows: OperatRow[] }>();
    expect([body.fromYear, body.toYear]).toEqual([2015, 2017]);
    expect(body.rows.map((r) => [r.year, r.carrier, r.status])).toEqual([[2015, 'electricity', 'insufficient-data'], [2016, 'electricity', 'ok'], [2017, 'electricity', 'insufficient-data']]);
    expect(body.rows[1]!.conversionSource).toBeNull();
  });

  it('writes CSV rows a site manager can copy into OPERAT, rounded to the Wh', async () => {
    const r = await app.inject('/api/sites/gas-site/operat?fromYear=2016&toYear=2016&format=csv');
    expect(r.headers['content-disposition']).toBe('attachment; filename="operat_gas-site_2016-2016.csv"');
    const [header, row] = r.body.trimEnd().split('\r\n');
    expect(header).toBe('site,year,carrier,meterUnit,meterTotal,finalEnergyKWh,conversionFactorKWhPerUnit,conversionSource,measuredHours,expectedHours,measuredSharePct,estimatedSharePct,status,declarationDue');
    const cells = row!.match(/("(?:[^"]|"")*"|[^,]*)/g)!.filter((_, i) => i % 2 === 0);
    expect(cells.slice(0, 7)).toEqual(['gas-site', '2016', 'gas', 'm3', '8784', '98380.8', '11.2']);
    expect(cells.slice(8)).toEqual(['8736', '8784', '99.5', '0.5', 'ok', '2017-09-30']);
  });

  it.each([
    ['fromYear=2018&toYear=2017', 'year-range', 'fromYear'],
    ['fromYear=1990', 'invalid-parameter', 'fromYear'],
    ['fromYear=2000&toYear=2030', 'year-range', 'toYear'],
    ['year=2016', 'unknown-parameter', 'year'],
  ])('refuses %s with problem %s naming %s', async (query, code, field) => {
    const r = await app.inject(`/api/sites/b118/operat?${query}`);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code, field });
  });

  it('is 404 unknown-site for a site that does not exist', async () => {
    const r = await app.inject('/api/sites/nowhere/operat');
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 'unknown-site' });
  });
});
