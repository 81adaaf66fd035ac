import { describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../../src/config/schema.js';
import { consumptionFromBuckets, instantFromBuckets, loadSeries } from '../../../src/api/series-service.js';
import type { Bucket } from '../../../src/storage/port.js';
import { FakeStore } from './fake-store.js';
import { exampleConfig } from './helpers.js';

const H = 3_600_000;
function bucket(startMs: number, values: number[]): Bucket {
  return {
    startMs,
    count: values.length,
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    first: values[0] ?? 0,
    last: values.at(-1) ?? 0,
  };
}

describe('consumptionFromBuckets', () => {
  it('counts each bucket from the last index before it, skipping empty buckets', () => {
    const out = consumptionFromBuckets([bucket(0, [101, 104]), bucket(3 * H, [110])], 100);
    expect(out).toEqual([
      { startMs: 0, count: 2, consumption: 4, index: 104, counterReset: false, incomplete: false },
      // The bucket at 1 h and 2 h are empty: the whole 104 -> 110 step lands in the 3 h bucket.
      { startMs: 3 * H, count: 1, consumption: 6, index: 110, counterReset: false, incomplete: false },
    ]);
  });

  it('counts from the first reading of the first bucket, flagged incomplete, when no earlier index exists', () => {
    const out = consumptionFromBuckets([bucket(0, [50, 52, 57]), bucket(H, [60])], null);
    expect(out.map((b) => [b.consumption, b.incomplete])).toEqual([
      [7, true],
      [3, false],
    ]);
  });

  it('counts a negative step (counter reset) as 0 and flags it', () => {
    const out = consumptionFromBuckets([bucket(0, [900]), bucket(H, [2, 5]), bucket(2 * H, [9])], 880);
    expect(out.map((b) => [b.consumption, b.counterReset])).toEqual([
      [20, false],
      [0, true],
      [4, false],
    ]);
  });

  it('flags a decrease inside a bucket even when the last index climbs back above the base', () => {
    const out = consumptionFromBuckets([bucket(0, [0.5, 120])], 100);
    expect(out[0]).toMatchObject({ consumption: 20, counterReset: true });
  });

  it('handles no buckets at all', () => {
    expect(consumptionFromBuckets([], 5)).toEqual([]);
  });
});

describe('instantFromBuckets', () => {
  it('keeps mean, min, max and count', () => {
    expect(instantFromBuckets([bucket(0, [1, 3])])).toEqual([{ startMs: 0, count: 2, mean: 2, min: 1, max: 3 }]);
  });
});

describe('loadSeries', () => {
  const site = exampleConfig().sites.find((s) => s.id === 'rouen-formation') as SiteConfig;

  it('asks the store for buckets in the site timezone and for the index just before the range', async () => {
    const store = new FakeStore().add(
      { site: 'rouen-formation', device: 'chaufferie', quantity: 'heat_kwh', tsMs: 5 * H - 1, value: 40 },
      { site: 'rouen-formation', device: 'chaufferie', quantity: 'heat_kwh', tsMs: 5 * H, value: 45 },
      { site: 'rouen-formation', device: 'chaufferie', quantity: 'heat_kwh', tsMs: 6 * H + 1, value: 47.5 },
    );
    const result = await loadSeries(store, { site, device: 'chaufferie', quantity: 'heat_kwh', fromMs: 5 * H, toMs: 7 * H, every: '1h' });
    expect(result).toMatchObject({ kind: 'cumulative', unit: 'kWh', totalConsumption: 7.5 });
    expect(store.calls.map((c) => c.method).sort()).toEqual(['buckets', 'readingAtOrBefore']);
    expect(store.calls.find((c) => c.method === 'readingAtOrBefore')?.args).toMatchObject({ atMs: 5 * H - 1 });
    expect(store.calls.find((c) => c.method === 'buckets')?.args).toMatchObject({ timezone: 'Europe/Paris', every: '1h' });
  });

  it('does not look for an earlier index for an instantaneous quantity', async () => {
    const store = new FakeStore();
    const result = await loadSeries(store, { site, device: 'salle-b12', quantity: 'co2_ppm', fromMs: 0, toMs: H, every: '5m' });
    expect(result).toEqual({ kind: 'instantaneous', unit: 'ppm', buckets: [] });
    expect(store.calls.map((c) => c.method)).toEqual(['buckets']);
  });
});
