import { describe, expect, it } from 'vitest';
import { BatchedReadingQuery, batchedMarks, TurnBatch } from '../../../src/energy/store-batches.js';
import type { SeriesSelector } from '../../../src/storage/port.js';
import { MemoryQuery } from './helpers/memory-query.js';

describe('store batches (store-batches.ts)', () => {
  it('answers the calls of one turn with one batched call, each its own result, and the next turn with another', async () => {
    const batches: number[][] = [];
    const batch = new TurnBatch<number, string>(async (qs) => (batches.push([...qs]), qs.map((q) => `r${q}`)));
    const first = await Promise.all([batch.get(1), batch.get(2), Promise.resolve().then(() => batch.get(3))]);
    expect(first).toEqual(['r1', 'r2', 'r3']);
    expect(await batch.get(4)).toBe('r4');
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every call of a batch whose store call failed, or that answered the wrong number of results', async () => {
    const failing = new TurnBatch<number, string>(async () => {
      throw new Error('store down');
    });
    await expect(Promise.all([failing.get(1), failing.get(2)])).rejects.toThrow('store down');
    const short = new TurnBatch<number, string>(async () => ['only one']);
    const results = await Promise.allSettled([short.get(1), short.get(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toContain('2 queries answered 1 results');
  });

  it('asks the series marks of one turn in one seriesMarks call', async () => {
    const asked: SeriesSelector[][] = [];
    const marks = batchedMarks({ dayMarks: async () => [], seriesMark: async () => 'unused', seriesMarks: async (sels) => (asked.push([...sels]), sels.map((s) => `${s.site}/${s.device}`)) });
    const sel = (site: string, device: string): SeriesSelector => ({ site, device, quantity: 'energy_kwh', fromMs: 0, toMs: 10 });
    expect(await Promise.all([marks.seriesMark(sel('a', 'm')), marks.seriesMark(sel('b', 'w'))])).toEqual(['a/m', 'b/w']);
    expect(asked.length).toBe(1);
  });

  it('finds the reading at or before an instant of several sites in one call per instant, as readingAtOrBefore does one by one', async () => {
    const query = new MemoryQuery().add([
      { site: 'a', device: 'm', quantity: 'energy_kwh', tsMs: 100, value: 1 },
      { site: 'a', device: 'm', quantity: 'energy_kwh', tsMs: 200, value: 2 },
      { site: 'b', device: 'm', quantity: 'energy_kwh', tsMs: 150, value: 5 },
      { site: 'b', device: 'w', quantity: 'temperature_c', tsMs: 90, value: 7 },
    ].map((r) => ({ ...r, quantity: r.quantity as 'energy_kwh' | 'temperature_c', tsFromServer: false })));
    let calls = 0;
    const counted = new Proxy(query, { get: (t, p, r) => (p === 'sitesReadingsAtOrBefore' && calls++, Reflect.get(t, p, r) as unknown) });
    const batched = new BatchedReadingQuery(counted);
    const asked = [
      { site: 'a', device: 'm', quantity: 'energy_kwh' as const, atMs: 150 },
      { site: 'b', device: 'm', quantity: 'energy_kwh' as const, atMs: 150 },
      { site: 'b', device: 'w', quantity: 'temperature_c' as const, atMs: 150 },
      { site: 'a', device: 'absent', quantity: 'energy_kwh' as const, atMs: 150 },
      { site: 'a', device: 'm', quantity: 'energy_kwh' as const, atMs: 250 },
      { site: 'b', device: 'm', quantity: 'energy_kwh' as const, atMs: 50 },
    ];
    const got = await Promise.all(asked.map((q) => batched.readingAtOrBefore(q)));
    expect(got).toEqual(await Promise.all(asked.map((q) => query.readingAtOrBefore(q))));
    expect(got.map((r) => r?.value ?? null)).toEqual([1, 5, 7, null, 2, null]);
    expect(calls).toBe(3);
  });
});
