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

// Two real LEAD/GEPIII buildings (test/fixtures/lead-gepiii, CC BY-SA; Europe/London, baseline 2016)
// in a real DuckDB file, and a site whose meter has sent nothing and has no baseline period.
const BUILDINGS = buildings().filter((b) => b.id === '118' || b.id === '685');
const CONFIG = configSchema.parse({
  sites: [
    ...leadConfig(BUILDINGS).sites,
    { id: 'no-data-yet', name: 'Nouveau site pilote', usage: 'office', floorAreaM2: 900, devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'fixture-secret' }] },
  ],
});
// March 2016 in London: Good Friday (25th) and Easter Monday (28th) are bank holidays, the 27th loses 01:00.
const MARCH = 'from=2016-03-01&to=2016-03-31';

interface Hour { date: string; hour: number; dayType: string; actualKWh: number | null; expectedKWh: number | null; lowKWh: number | null; highKWh: number | null; slotWeeks: number; noExpected: string | null }
interface Answer { timezone: string; referencePeriod: { from: string; to: string } | null; minSlotWeeks: number; band: string; problems: Array<{ code: string; params: Record<string, unknown> }>; hours: Hour[] }

let dir: TempDir;
let store: DuckDbStore;
let app: FastifyInstance;

beforeAll(async () => {
  dir = await createTempDir('sbe-hourly-baseline-');
  store = new DuckDbStore({ dataDir: dir.path });
  await store.start();
  for (const b of BUILDINGS) await store.write(readingsOf(b, hours(b.id)));
  const energy = new EnergyAnalyticsService({ config: CONFIG, query: store });
  app = (await buildAppWithAccounts({ config: CONFIG, store, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => Date.parse('2017-01-15T12:00:00Z'), energy })).app;
});

afterAll(async () => {
  await app?.close();
  await store?.stop();
  await dir?.remove();
});

const at = (body: Answer, date: string, hour: number) => body.hours.find((x) => x.date === date && x.hour === hour)!;

describe('GET /api/sites/:site/hourly-baseline', () => {
  it("states each ordinary hour against its hour-of-week slot of the baseline route's profile, and the carpet's hours as actual", async () => {
    const body = (await app.inject(`/api/sites/b118/hourly-baseline?${MARCH}`)).json<Answer>();
    expect(body.hours).toHaveLength(31 * 24);
    expect(body).toMatchObject({ timezone: 'Europe/London', referencePeriod: { from: '2016-01-01', to: '2016-12-31' }, band: 'p10-p90', problems: [] });
    const baseline = (await app.inject(`/api/sites/b118/baseline?${MARCH}`)).json<{ hourOfWeekProfile: Array<{ slot: number; median: number; p10: number; p90: number; count: number }> }>();
    const grid = (await app.inject(`/api/sites/b118/hourly-energy?${MARCH}`)).json<{ days: Array<{ date: string; kWh: Array<number | null> }> }>();
    // Tuesday 2016-03-08 at 14:00 local is slot (2 − 1) × 24 + 14.
    const tuesday = at(body, '2016-03-08', 14);
    const slot = baseline.hourOfWeekProfile[24 + 14]!;
    expect(tuesday).toMatchObject({ dayType: 'working', expectedKWh: slot.median, lowKWh: slot.p10, highKWh: slot.p90, slotWeeks: slot.count, noExpected: null });
    expect(slot.count).toBeGreaterThanOrEqual(body.minSlotWeeks);
    expect(tuesday.lowKWh!).toBeLessThan(tuesday.highKWh!);
    expect(tuesday.actualKWh).toBe(grid.days[7]!.kWh[14]);
    // A Sunday night is the Sunday slot, not the working day's.
    expect(at(body, '2016-03-06', 3).expectedKWh).toBe(baseline.hourOfWeekProfile[6 * 24 + 3]!.median);
    for (const x of body.hours) expect(x.actualKWh).toBe(grid.days.find((d) => d.date === x.date)!.kWh[x.hour]);
  });

  it('states no expected value for a bank holiday or the hour the spring DST change skips, and says why', async () => {
    const body = (await app.inject(`/api/sites/b118/hourly-baseline?${MARCH}`)).json<Answer>();
    for (const date of ['2016-03-25', '2016-03-28']) {
      expect(body.hours.filter((x) => x.date === date).every((x) => x.dayType === 'holiday' && x.expectedKWh === null && x.lowKWh === null && x.noExpected === 'unusual-day'), date).toBe(true);
    }
    expect(at(body, '2016-03-27', 1)).toMatchObject({ actualKWh: null, expectedKWh: null, noExpected: 'skipped-hour' });
    expect(at(body, '2016-03-27', 2).noExpected).toBeNull();
  });

  it('leaves the repeated hour of the autumn DST day without a slot: it holds two real hours', async () => {
    const body = (await app.inject('/api/sites/b118/hourly-baseline?from=2016-10-29&to=2016-10-31')).json<Answer>();
    expect(at(body, '2016-10-30', 1)).toMatchObject({ expectedKWh: null, noExpected: 'repeated-hour' });
    expect(at(body, '2016-10-30', 1).actualKWh).toBeGreaterThan(at(body, '2016-10-30', 3).actualKWh!);
    expect(at(body, '2016-10-30', 3).expectedKWh).not.toBeNull();
  });

  it('says why a site with no baseline period and no measured hour has no band', async () => {
    const body = (await app.inject('/api/sites/no-data-yet/hourly-baseline?from=2016-01-01&to=2016-01-07')).json<Answer>();
    expect(body.referencePeriod).toBeNull();
    expect(body.problems.map((p) => p.code)).toEqual(['no-baseline-period', 'insufficient-coverage']);
    expect(body.hours.every((x) => x.actualKWh === null && x.expectedKWh === null && x.noExpected === 'no-profile')).toBe(true);
  });

  it('counts the hours whose slot was seen on too few weeks, when the reference period is short', async () => {
    const short = configSchema.parse({ sites: [{ ...leadConfig(BUILDINGS).sites[0]!, baseline: { from: '2016-01-01', to: '2016-01-14' } }] });
    const energy = new EnergyAnalyticsService({ config: short, query: store });
    const small = (await buildAppWithAccounts({ config: short, store, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => Date.parse('2017-01-15T12:00:00Z'), energy })).app;
    try {
      const body = (await small.inject('/api/sites/b118/hourly-baseline?from=2016-02-01&to=2016-02-07')).json<Answer>();
      // Two weeks of reference: every slot has two values at most, below the three weeks required.
      expect(body.hours.every((x) => x.expectedKWh === null && x.noExpected === 'few-weeks' && x.slotWeeks <= 2)).toBe(true);
      expect(body.problems).toEqual([{ code: 'hourly-profile-few-weeks', params: { hours: 7 * 24, minWeeks: 3 } }]);
    } finally {
      await small.close();
    }
  });

  it('writes one CSV row per local hour at Wh precision', async () => {
    const csv = await app.inject('/api/sites/b118/hourly-baseline?from=2016-03-07&to=2016-03-08&format=csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="hourly-baseline_b118_2016-03-07_2016-03-08.csv"');
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('date,hour,dayType,actualKWh,expectedKWh,lowKWh,highKWh,slotWeeks,noExpected');
    expect(lines).toHaveLength(1 + 48);
    const json = (await app.inject('/api/sites/b118/hourly-baseline?from=2016-03-07&to=2016-03-08')).json<Answer>();
    const row = lines[1 + 24 + 14]!.split(',');
    expect(row.slice(0, 3)).toEqual(['2016-03-08', '14', 'working']);
    expect(Number(row[4])).toBeCloseTo(json.hours[24 + 14]!.expectedKWh!, 3);
    for (const line of lines.slice(1)) expect(line).not.toMatch(/\d\.\d{4,}|e[-+]\d/);
  });

  it('refuses more than 31 days with a problem code naming the limit', async () => {
    const response = await app.inject('/api/sites/b118/hourly-baseline?from=2016-03-01&to=2016-04-01');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'period-too-long', params: { days: 32, maxDays: 31 }, field: 'to' });
  });
});
