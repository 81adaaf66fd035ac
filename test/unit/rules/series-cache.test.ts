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
  });
});

describe('SeriesCache', () => {
  const sel = { site: 'office', device: 'meter', quantity: 'energy_kwh' as const };
  const points = (from: number, n: number, v0 = 0) => Array.from({ length: n }, (_, i) => ({ ...sel, tsMs: from + i * H, value: v0 + i }));

  it('answers readings and readingAtOrBefore as the store does, reading only what is new', async () => {
    const store = new MemoryQuery().add(points(0, 100));
    let queries = 0;
    const counting = { readings: (s: Parameters<MemoryQuery['readings']>[0]) => (queries++, store.readings(s)), readingAtOrBefore: (s: Parameters<MemoryQuery['readingAtOrBefore']>[0]) => (queries++, store.readingAtOrBefore(s)), buckets: store.buckets.bind(store), latest: store.latest.bind(store) };
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
    const slow = { readings: async (s: Parameters<MemoryQuery['readings']>[0]) => { await gate; return store.readings(s); }, readingAtOrBefore: store.readingAtOrBefore.bind(store), buckets: store.buckets.bind(store), latest: store.latest.bind(store) };
    const racing = new SeriesCache(slow);
    const c3 = racing.cycle('hourly', 0);
    const pending = c3.source.readings({ ...sel, fromMs: 0, toMs: 48 * H });
    await new Promise((r) => setTimeout(r, 0));
    racing.noteStored([{ ...sel, tsMs: 30 * H, value: 5 }]);
    release();
    await pending;
    expect(racing.size().series).toBe(0);
  });
});
