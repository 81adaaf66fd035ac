import { describe, expect, it } from 'vitest';
import { localDays } from '../../../src/energy/local-time.js';
import { DayRollups, type SpanCheck } from '../../../src/energy/rollups.js';
import type { RollupPart, RollupStore } from '../../../src/storage/port.js';

/** The parts a store keeps (a fake of the narrow port: sitesRollups and putRollups only), with its calls counted. */
class PartsStore implements Pick<RollupStore, 'sitesRollups' | 'putRollups'> {
  readonly parts = new Map<string, RollupPart & { site: string; name: string }>();
  reads = 0;
  async sitesRollups(requests: ReadonlyArray<{ site: string; names: readonly string[] }>) {
    this.reads++;
    return [...this.parts.values()].filter((p) => requests.some((r) => r.site === p.site && r.names.includes(p.name)));
  }
  async putRollups(site: string, name: string, parts: readonly RollupPart[]) {
    for (const p of parts) this.parts.set(`${site}|${name}|${p.part}`, { ...p, site, name });
  }
}

describe('day rollups (rollups.ts)', () => {
  const days = localDays('2026-01-01', '2026-04-30', 'Europe/Paris');
  const payloads = days.map((d) => JSON.stringify({ d: d.date, v: [d.startMs % 97] }));

  it('serves a span by its whole check, reads the day marks only when that changed, and rewrites only the months whose days changed', async () => {
    const store = new PartsStore();
    const rollups = new DayRollups(store as unknown as RollupStore);
    const marks = { whole: 'w1', days: days.map((d) => `m-${d.date}`) };
    let dayReads = 0;
    let computes = 0;
    const check: SpanCheck = { whole: async () => [marks.whole], days: async () => (dayReads++, { days: [...marks.days], extra: ['x'] }) };
    const compute = async () => (computes++, { days: [...payloads], header: '"h"' });
    const span = () => rollups.span('s', 'c|m', days, check, compute);

    expect(await span()).toEqual({ days: payloads, header: '"h"' });
    await rollups.settled();
    expect(rollups.stats.rewritten.get('s c|m')).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', 'header']);
    expect([computes, dayReads]).toEqual([1, 1]);

    // Unchanged: served from the store by the whole check alone.
    expect(await span()).toEqual({ days: payloads, header: '"h"' });
    expect([computes, dayReads, rollups.stats.served]).toEqual([1, 1, 1]);

    // The whole check changed, the day marks did not: served, and only the header written again.
    marks.whole = 'w2';
    rollups.stats.rewritten.clear();
    expect(await span()).toEqual({ days: payloads, header: '"h"' });
    await rollups.settled();
    expect([computes, dayReads, rollups.stats.served]).toEqual([1, 2, 2]);
    expect(await span()).toEqual({ days: payloads, header: '"h"' });
    expect(dayReads).toBe(2);

    // A day of March changed: computed again, March and the header written, nothing else.
    marks.whole = 'w3';
    marks.days[days.findIndex((d) => d.date === '2026-03-15')] = 'm-late';
    expect(await span()).toEqual({ days: payloads, header: '"h"' });
    await rollups.settled();
    expect([computes, dayReads]).toEqual([2, 3]);
    expect(rollups.stats.rewritten.get('s c|m')).toEqual(['2026-03', 'header']);

    // A stored month that does not hold its days is never served: computed again.
    const march = store.parts.get('s|c|m|2026-03')!;
    store.parts.set('s|c|m|2026-03', { ...march, payload: march.payload.slice(0, -5) });
    await span();
    expect(computes).toBe(3);
  });

  it('with nothing stored, answers before the day marks are read, reads them after the readings, and keeps them only if the whole check still holds', async () => {
    const store = new PartsStore();
    const rollups = new DayRollups(store as unknown as RollupStore);
    const events: string[] = [];
    let whole = 'w1';
    let releaseMarks: () => void = () => undefined;
    const marksRead = new Promise<void>((resolve) => (releaseMarks = resolve));
    const check: SpanCheck = {
      whole: async () => (events.push(`whole ${whole}`), [whole]),
      days: async () => {
        events.push('days');
        await marksRead;
        return { days: days.map((d) => `m-${d.date}`), extra: [] };
      },
    };
    const compute = async () => (events.push('compute'), { days: [...payloads], header: '"h"' });
    // The answer does not wait for the day marks (still held back here).
    expect(await rollups.span('s', 'c|a', days, check, compute)).toEqual({ days: payloads, header: '"h"' });
    expect(events).toEqual(['whole w1', 'compute', 'days']);
    releaseMarks();
    await rollups.settled();
    expect(events).toEqual(['whole w1', 'compute', 'days', 'whole w1']);
    expect(rollups.stats.rewritten.get('s c|a')).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', 'header']);
    // Stored with real marks: a restart serves it by the whole check alone.
    const restarted = new DayRollups(store as unknown as RollupStore);
    expect(await restarted.span('s', 'c|a', days, check, async () => Promise.reject(new Error('computed again')))).toEqual({ days: payloads, header: '"h"' });

    // A write landing between the readings and the day marks (the whole check read again differs): nothing kept.
    const other = new PartsStore();
    const racing = new DayRollups(other as unknown as RollupStore);
    const raced: SpanCheck = { whole: check.whole, days: async () => ((whole = 'w2'), { days: days.map(() => 'm-new'), extra: [] }) };
    await racing.span('s', 'c|a', days, raced, compute);
    await racing.settled();
    expect(other.parts.size).toBe(0);
    expect(racing.stats.rewritten.size).toBe(0);
  });

  it('reads the rollups of a site asked for in one turn in one store call, and a prefetched one with them', async () => {
    const store = new PartsStore();
    const rollups = new DayRollups(store as unknown as RollupStore);
    rollups.prefetch('s', 'b|x');
    const check: SpanCheck = { whole: async () => ['w'], days: async () => ({ days: days.map(() => 'm'), extra: [] }) };
    const compute = async () => ({ days: [...payloads], header: '""' });
    await Promise.all([rollups.span('s', 'c|a', days, check, compute), rollups.span('s', 't|b', days, check, compute)]);
    expect(store.reads).toBe(1);
    expect(await rollups.value('s', 'b|x', 0, 'mark', async () => '{"fit":1}')).toBe('{"fit":1}');
    expect(store.reads).toBe(1);
  });

  it('reads the rollups of several sites asked for in one turn in one store call, each site given its own parts', async () => {
    const store = new PartsStore();
    const first = new DayRollups(store as unknown as RollupStore);
    const check: SpanCheck = { whole: async () => ['w'], days: async () => ({ days: days.map(() => 'm'), extra: [] }) };
    const computed = (site: string) => async () => ({ days: payloads.map((p) => `${site}${p}`), header: `"${site}"` });
    await Promise.all(['s1', 's2', 's3'].map((site) => first.span(site, 'c|a', days, check, computed(site))));
    await first.settled();
    expect(store.reads).toBe(1);
    // A restart: the three sites, asked together, are served their own spans from one read.
    const restarted = new DayRollups(store as unknown as RollupStore);
    const never = async (): Promise<never> => {
      throw new Error('computed again');
    };
    const spans = await Promise.all(['s1', 's2', 's3'].map((site) => restarted.span(site, 'c|a', days, check, never)));
    expect(store.reads).toBe(2);
    expect(spans.map((s) => s.header)).toEqual(['"s1"', '"s2"', '"s3"']);
    expect(spans[1]!.days).toEqual(payloads.map((p) => `s2${p}`));
    expect(restarted.stats.served).toBe(3);
  });
});
