import { afterEach, describe, expect, it } from 'vitest';
import { AlertLifecycle } from '../../../src/alerts/lifecycle.js';
import type { Alert } from '../../../src/alerts/model.js';
import { configSchema } from '../../../src/config/schema.js';
import type { Reading } from '../../../src/model/reading.js';
import { RuleEvaluator, type EvaluationSummary } from '../../../src/rules/evaluator.js';
import { loadRules } from '../../../src/rules/load-rules.js';
import { defaultRegistry } from '../../../src/rules/registry.js';
import { SeriesCache } from '../../../src/rules/series-cache.js';
import { bindRules } from '../../../src/rules/subjects.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';
import { MemoryQuery } from '../energy/helpers/memory-query.js';

const H = 3_600_000;
// Monday 2026-01-05 00:00 UTC; eight weeks of hourly history before the evaluations start.
const T0 = Date.UTC(2026, 0, 5);
const START = T0 + 8 * 168 * H;
const LATE_FROM = START + 3 * 24 * H + 8 * H; // Thursday 08:00 UTC of the evaluated week
const LATE_HOURS = 14;

const config = configSchema.parse({
  sites: [
    {
      id: 'office', name: 'Office', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris', country: 'FR',
      devices: [
        { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: 'test-secret' },
        { id: 'room', kind: 'multi-sensor', quantities: ['temperature_c', 'co2_ppm'], secret: 'test-secret' },
      ],
    },
  ],
});

/** A weekday office profile, hourly index; the 14 h from LATE_FROM are withheld (delivered late, flat). */
function history(untilMs: number): { onTime: Reading[]; late: Reading[] } {
  const onTime: Reading[] = [];
  const late: Reading[] = [];
  let index = 1000;
  for (let t = T0; t <= untilMs; t += H) {
    const hourOfDay = new Date(t).getUTCHours();
    const weekday = new Date(t).getUTCDay() % 6 !== 0;
    const withheld = t > LATE_FROM && t <= LATE_FROM + LATE_HOURS * H;
    const kwh = withheld ? 0 : (weekday && hourOfDay >= 7 && hourOfDay < 18 ? 40 : 12) + ((t / H) % 7) * 0.5;
    index += kwh;
    const meter: Reading = { site: 'office', device: 'meter', quantity: 'energy_kwh', tsMs: t, value: index };
    (withheld ? late : onTime).push(meter);
    onTime.push({ site: 'office', device: 'meter', quantity: 'power_w', tsMs: t, value: kwh * 1000 });
    // CO2 above 1,500 ppm for two hours on the first Tuesday afternoon evaluated.
    const co2 = t >= START + 38 * H && t < START + 40 * H ? 1800 : 600;
    for (let m = 0; m < 60; m += 15) {
      onTime.push({ site: 'office', device: 'room', quantity: 'co2_ppm', tsMs: t + m * 60_000, value: co2 });
      onTime.push({ site: 'office', device: 'room', quantity: 'temperature_c', tsMs: t + m * 60_000, value: 20 });
    }
  }
  return { onTime, late };
}

const stores: SqliteStateStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.stop();
});

async function evaluator(query: MemoryQuery, seriesCache: boolean): Promise<{ evaluator: RuleEvaluator; state: SqliteStateStore }> {
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  stores.push(state);
  const rules = loadRules({ config, registry: defaultRegistry(), env: {} });
  const bindings = bindRules(config, rules.configured, rules.defaults);
  return { evaluator: new RuleEvaluator({ bindings, query, state, lifecycle: new AlertLifecycle(), notBeforeMs: START - 24 * H, ...(seriesCache ? {} : { seriesCache: false }) }), state };
}

const summary = (s: EvaluationSummary) => ({ ...s, outcome: Object.fromEntries(Object.entries(s.outcome).map(([k, list]) => [k, (list as Alert[]).map((a) => `${a.rule}@${a.startMs}:${a.state}`)])) });

describe('RuleEvaluator with the series cache', () => {
  it('judges every cycle as the uncached evaluator does, late data included', async () => {
    const end = START + 7 * 24 * H;
    const { onTime, late } = history(end + H);
    // Both evaluators read the same store; each cycle only sees readings up to its clock.
    const store = new MemoryQuery();
    const visible = onTime.filter((r) => r.tsMs <= START);
    store.add(visible);
    const cached = await evaluator(store, true);
    const plain = await evaluator(store, false);
    let delivered = START;
    let lateDelivered = false;
    for (let now = START + 2 * 60_000; now < end; now += 20 * 60_000) {
      const fresh = onTime.filter((r) => r.tsMs > delivered && r.tsMs <= now);
      delivered = now;
      const batch = !lateDelivered && now > LATE_FROM + 30 * H ? ((lateDelivered = true), [...fresh, ...late]) : fresh;
      store.add(batch);
      cached.evaluator.noteStored(batch);
      plain.evaluator.noteStored(batch);
      for (const cadence of ['minute', 'hourly'] as const) {
        const [a, b] = [await cached.evaluator.evaluate(now, cadence), await plain.evaluator.evaluate(now, cadence)];
        expect(summary(a)).toEqual(summary(b));
      }
    }
    const [alertsA, alertsB] = [await cached.state.read.alerts({ limit: 1000 }), await plain.state.read.alerts({ limit: 1000 })];
    expect(alertsA).toEqual(alertsB);
    // The CO2 episode and the flat 14 h delivered late were both seen (the late one re-judged).
    expect(alertsA.some((a) => a.rule === 'co2-high')).toBe(true);
    expect(alertsA.some((a) => a.device === 'meter' && a.startMs > LATE_FROM - H && a.startMs < LATE_FROM + LATE_HOURS * H && a.rule.startsWith('energy-'))).toBe(true);
    // a week of cycles judged twice: 40 s alone, twice that beside the rest of the suite
  }, 240_000);
});

describe('SeriesCache', () => {
  const sel = { site: 'office', device: 'meter', quantity: 'energy_kwh' as const };
  const points = (from: number, n: number, v0 = 0) => Array.from({ length: n }, (_, i) => ({ ...sel, tsMs: from + i * H, value: v0 + i }));

  it('answers readings and readingAtOrBefore as the store does, reading only what is new', async () => {
    const store = new MemoryQuery().add(points(0, 100));
    let queries = 0;
    const counting = { readings: (s: Parameters<MemoryQuery['readings']>[0]) => (queries++, store.readings(s)), readingAtOrBefore: (s: Parameters<MemoryQuery['readingAtOrBefore']>[0]) => (queries++, store.readingAtOrBefore(s)), buckets: store.buckets.bind(store), latest: store.latest.bind(store), siteReadings: (s: Parameters<MemoryQuery['siteReadings']>[0]) => (queries++, store.siteReadings(s)), siteReadingsAtOrBefore: (s: Parameters<MemoryQuery['siteReadingsAtOrBefore']>[0]) => (queries++, store.siteReadingsAtOrBefore(s)), siteBuckets: store.siteBuckets.bind(store), sitesReadings: (s: Parameters<MemoryQuery['sitesReadings']>[0]) => (queries++, store.sitesReadings(s)), sitesBuckets: store.sitesBuckets.bind(store), sitesLatest: store.sitesLatest.bind(store), sitesReadingsAtOrBefore: (s: Parameters<MemoryQuery['sitesReadingsAtOrBefore']>[0]) => (queries++, store.sitesReadingsAtOrBefore(s)) };
    const cache = new SeriesCache(counting);
    const c1 = cache.cycle('hourly', 0);
    expect(await c1.source.readingAtOrBefore({ ...sel, atMs: 10 * H })).toEqual(await store.readingAtOrBefore({ ...sel, atMs: 10 * H }));
    expect(await c1.source.readings({ ...sel, fromMs: 10 * H, toMs: 50 * H + 1 })).toEqual(await store.readings({ ...sel, fromMs: 10 * H, toMs: 50 * H + 1 }));
    expect(await c1.source.readingAtOrBefore({ ...sel, atMs: 9 * H + 5 })).toEqual(await store.readingAtOrBefore({ ...sel, atMs: 9 * H + 5 }));
    expect(await c1.source.readings({ ...sel, fromMs: 5 * H, toMs: 20 * H })).toEqual(await store.readings({ ...sel, fromMs: 5 * H, toMs: 20 * H }));
    c1.end();
    const before = queries;
    const c2 = cache.cycle('hourly', H);
    expect(await c2.source.readings({ ...sel, fromMs: 6 * H, toMs: 70 * H })).toEqual(await store.readings({ ...sel, fromMs: 6 * H, toMs: 70 * H }));
    expect(queries - before).toBe(1);
    c2.end();
    expect(cache.size().points).toBe(64);
  });

  it('drops what a late reading makes stale, and keeps nothing a write overtook', async () => {
    const store = new MemoryQuery().add(points(0, 48));
    const cache = new SeriesCache(store);
    const c1 = cache.cycle('hourly', 0);
    await c1.source.readings({ ...sel, fromMs: 0, toMs: 48 * H });
    c1.end();
    // A corrected value for hour 20 (the later value wins in the store).
    const fix = { ...sel, tsMs: 20 * H, value: 999 };
    (store as unknown as { series: Map<string, Reading[]> }).series.get('office\u0000meter\u0000energy_kwh')![20] = fix;
    cache.noteStored([fix]);
    const c2 = cache.cycle('hourly', H);
    expect(await c2.source.readings({ ...sel, fromMs: 0, toMs: 48 * H })).toEqual(await store.readings({ ...sel, fromMs: 0, toMs: 48 * H }));
    expect(await c2.source.readingAtOrBefore({ ...sel, atMs: 20 * H })).toEqual(fix);
    c2.end();

    // A write noted while a read is on its way: the read is answered but not kept.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = { readings: async (s: Parameters<MemoryQuery['readings']>[0]) => { await gate; return store.readings(s); }, readingAtOrBefore: store.readingAtOrBefore.bind(store), buckets: store.buckets.bind(store), latest: store.latest.bind(store), siteReadings: store.siteReadings.bind(store), siteReadingsAtOrBefore: store.siteReadingsAtOrBefore.bind(store), siteBuckets: store.siteBuckets.bind(store), sitesReadings: store.sitesReadings.bind(store), sitesBuckets: store.sitesBuckets.bind(store), sitesLatest: store.sitesLatest.bind(store), sitesReadingsAtOrBefore: store.sitesReadingsAtOrBefore.bind(store) };
    const racing = new SeriesCache(slow);
    const c3 = racing.cycle('hourly', 0);
    const pending = c3.source.readings({ ...sel, fromMs: 0, toMs: 48 * H });
    await new Promise((r) => setTimeout(r, 0));
    racing.noteStored([{ ...sel, tsMs: 30 * H, value: 5 }]);
    release();
    await pending;
    expect(racing.size().series).toBe(0);
  });

  /** A store that counts every call by name. */
  function counted(store: MemoryQuery) {
    const calls: Record<string, number> = {};
    const count = <A extends unknown[], R>(name: string, f: (...a: A) => R) => (...a: A) => ((calls[name] = (calls[name] ?? 0) + 1), f(...a));
    const source = {
      readings: count('readings', store.readings.bind(store)),
      readingAtOrBefore: count('readingAtOrBefore', store.readingAtOrBefore.bind(store)),
      buckets: count('buckets', store.buckets.bind(store)),
      latest: count('latest', store.latest.bind(store)),
      siteReadings: count('siteReadings', store.siteReadings.bind(store)),
      siteReadingsAtOrBefore: count('siteReadingsAtOrBefore', store.siteReadingsAtOrBefore.bind(store)),
      siteBuckets: count('siteBuckets', store.siteBuckets.bind(store)),
      sitesReadings: count('sitesReadings', store.sitesReadings.bind(store)),
      sitesBuckets: count('sitesBuckets', store.sitesBuckets.bind(store)),
      sitesLatest: count('sitesLatest', store.sitesLatest.bind(store)),
      sitesReadingsAtOrBefore: count('sitesReadingsAtOrBefore', store.sitesReadingsAtOrBefore.bind(store)),
    };
    return { source, calls, reset: () => Object.keys(calls).forEach((k) => delete calls[k]) };
  }
  const rooms = ['r1', 'r2', 'r3', 'r4'];
  const sensorPoints = (from: number, to: number, stepMs: number) =>
    rooms.flatMap((device, d) => Array.from({ length: Math.floor((to - from) / stepMs) }, (_, i) => ({ site: 'office', device, quantity: 'co2_ppm' as const, tsMs: from + i * stepMs, value: 400 + ((i * 7 + d * 13) % 50) })));

  it('fills a first cycle with two site queries and brings a warm one up to date with one, answering as the store does', async () => {
    const store = new MemoryQuery().add(sensorPoints(0, 30 * H, 10 * 60_000));
    const { source, calls, reset } = counted(store);
    const cache = new SeriesCache(source);
    const ask = async (nowMs: number, fromMs: number) => {
      const c = cache.cycle('minute', nowMs);
      for (const device of rooms) {
        const s = { site: 'office', device, quantity: 'co2_ppm' as const, fromMs, toMs: nowMs - 15_000 };
        expect(await c.source.readings(s)).toEqual(await store.readings(s));
        expect(await c.source.readingAtOrBefore({ ...s, atMs: fromMs - 1 })).toEqual(await store.readingAtOrBefore({ ...s, atMs: fromMs - 1 }));
      }
      c.end();
    };
    // The site's first cycle: its four rooms, and the reading before the range, in two queries.
    await ask(20 * H, 19 * H);
    expect(calls).toEqual({ sitesReadings: 1, sitesReadingsAtOrBefore: 1 });
    reset();
    // Ten minutes later, new readings of every room are stored and noted.
    const fresh = sensorPoints(20 * H, 20 * H + 10 * 60_000, 60_000);
    store.add(fresh);
    cache.noteStored(fresh);
    await ask(20 * H + 10 * 60_000, 19 * H + 10 * 60_000);
    expect(calls).toEqual({ sitesReadings: 1 });
  });

  it('keeps hourly buckets between cycles: one site query to fill them, one for each new hour, and a late reading reads its hour again', async () => {
    const store = new MemoryQuery().add(sensorPoints(0, 30 * H, 10 * 60_000));
    const { source, calls, reset } = counted(store);
    const cache = new SeriesCache(source);
    const ask = async (nowMs: number) => {
      const c = cache.cycle('hourly', nowMs);
      const toMs = Math.floor(nowMs / H) * H;
      for (const device of rooms) {
        const q = { site: 'office', device, quantity: 'co2_ppm' as const, fromMs: toMs - 24 * H, toMs, every: '1h' as const, timezone: 'Europe/Paris' };
        expect(await c.source.buckets(q)).toEqual(await store.buckets(q));
      }
      c.end();
    };
    // The first cycle fills every room of the site with one query (the site held nothing yet).
    await ask(26 * H + 120_000);
    expect(calls).toEqual({ sitesBuckets: 1 });
    reset();
    await ask(27 * H + 120_000);
    expect(calls).toEqual({ sitesBuckets: 1 });
    reset();
    // A late reading in hour 20 of room r2: that series reads again from its hour on, the others do not.
    const late = { site: 'office', device: 'r2', quantity: 'co2_ppm' as const, tsMs: 20 * H + 5, value: 5000 };
    store.add([late]);
    cache.noteStored([late]);
    await ask(28 * H + 120_000);
    expect(calls).toEqual({ sitesBuckets: 1, buckets: 1 });
    expect(cache.size().bucketSeries).toBe(rooms.length);
  });

  it('fills the buckets and readings of every site of a first cycle with one query each, and brings a warm cycle\'s readings and buckets up to date with one query each', async () => {
    const sites = ['office', 'annex', 'depot'];
    const onSite = (site: string, from: number, to: number, stepMs: number) => sensorPoints(from, to, stepMs).map((r) => ({ ...r, site }));
    const store = new MemoryQuery().add(sites.flatMap((site) => onSite(site, 0, 30 * H, 10 * 60_000)));
    const { source, calls, reset } = counted(store);
    const cache = new SeriesCache(source);
    const ask = async (nowMs: number) => {
      const c = cache.cycle('hourly', nowMs);
      c.prefetch(sites);
      const toMs = Math.floor(nowMs / H) * H;
      for (const site of sites) {
        for (const device of rooms) {
          const q = { site, device, quantity: 'co2_ppm' as const, fromMs: toMs - 24 * H, toMs, every: '1h' as const, timezone: 'Europe/Paris' };
          expect(await c.source.buckets(q)).toEqual(await store.buckets(q));
          const s = { site, device, quantity: 'co2_ppm' as const, fromMs: toMs - 6 * H, toMs: nowMs - 15_000 };
          expect(await c.source.readings(s)).toEqual(await store.readings(s));
        }
      }
      c.end();
    };
    // The first cycle: one query fills the buckets of every site (none held anything yet).
    await ask(30 * H + 120_000);
    expect(calls.sitesBuckets).toBe(1);
    expect(calls.siteBuckets ?? 0).toBe(0);
    // …and the readings of every site, with the reading before their range, with one query each.
    expect(calls.sitesReadings).toBe(1);
    expect(calls.sitesReadingsAtOrBefore).toBe(1);
    reset();
    const fresh = sites.flatMap((site) => onSite(site, 30 * H, 31 * H, 10 * 60_000));
    store.add(fresh);
    cache.noteStored(fresh);
    await ask(31 * H + 120_000);
    expect(calls).toEqual({ sitesReadings: 1, sitesBuckets: 1 });
  });
});
