import { QUANTITIES, isCumulative } from '../config/quantities.js';
import type { Bucket, ReadingQuery } from '../storage/port.js';
import type { SeriesRequest } from './series-request.js';

/** Aggregates of an instantaneous quantity (W, °C, ppm…) over one bucket. */
export interface InstantBucket {
  startMs: number;
  count: number;
  mean: number;
  min: number;
  max: number;
}

/** Consumption counted from a cumulative index (kWh, m³) over one bucket. */
export interface ConsumptionBucket {
  startMs: number;
  count: number;
  /** Last index in the bucket − last index before it, in the quantity's unit; never negative. */
  consumption: number;
  /** The last index in the bucket. */
  index: number;
  /**
   * The index went down (meter replaced, counter rolled over or reset): a negative step
   * is counted as 0. The full correction (rollover at the register's maximum, spikes
   * above maxPowerW) belongs to the energy module.
   */
  counterReset: boolean;
  /** No index before the bucket was known: consumption is counted from the bucket's first reading only. */
  incomplete: boolean;
}

/**
 * Consumption per bucket from index aggregates. `previousIndex` is the last index
 * before the first bucket (null if none). Empty buckets are absent from `buckets`,
 * so the previous bucket's `last` is always the last index before the current one.
 */
export function consumptionFromBuckets(buckets: readonly Bucket[], previousIndex: number | null): ConsumptionBucket[] {
  const out: ConsumptionBucket[] = [];
  let previous = previousIndex;
  for (const b of buckets) {
    const incomplete = previous === null;
    const base = previous ?? b.first;
    const step = b.last - base;
    // A reading below the base anywhere in the bucket is a decrease, even when the
    // last index has climbed back above it.
    const counterReset = step < 0 || b.min < base;
    out.push({ startMs: b.startMs, count: b.count, consumption: Math.max(0, step), index: b.last, counterReset, incomplete });
    previous = b.last;
  }
  return out;
}

export function instantFromBuckets(buckets: readonly Bucket[]): InstantBucket[] {
  return buckets.map((b) => ({ startMs: b.startMs, count: b.count, mean: b.mean, min: b.min, max: b.max }));
}

export type SeriesResult =
  | { kind: 'instantaneous'; unit: string; buckets: InstantBucket[] }
  | { kind: 'cumulative'; unit: string; buckets: ConsumptionBucket[]; totalConsumption: number };

/** Loads a checked series request. Only configuration-owned strings reach the store. */
export async function loadSeries(store: ReadingQuery, req: SeriesRequest): Promise<SeriesResult> {
  const selector = { site: req.site.id, device: req.device, quantity: req.quantity, fromMs: req.fromMs, toMs: req.toMs };
  const unit = QUANTITIES[req.quantity].unit;
  const bucketsPromise = store.buckets({ ...selector, every: req.every, timezone: req.site.timezone });
  if (!isCumulative(req.quantity)) return { kind: 'instantaneous', unit, buckets: instantFromBuckets(await bucketsPromise) };
  const [buckets, before] = await Promise.all([
    bucketsPromise,
    // The index a consumption is counted from: the last reading strictly before the range.
    store.readingAtOrBefore({ site: selector.site, device: selector.device, quantity: selector.quantity, atMs: req.fromMs - 1 }),
  ]);
  const consumption = consumptionFromBuckets(buckets, before?.value ?? null);
  return { kind: 'cumulative', unit, buckets: consumption, totalConsumption: consumption.reduce((sum, b) => sum + b.consumption, 0) };
}
