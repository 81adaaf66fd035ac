import type { ConsumptionStep } from './counters.js';

/**
 * Consumption per interval (hour or local day): steps are spread linearly over the time they
 * span, so a step that straddles two buckets is shared pro rata, and a gap step is spread over
 * every bucket it covers. Typed arrays: a year of hourly buckets is 8,784 slots.
 */
export interface IntervalSeries {
  /** Bucket boundaries, epoch ms; bucket i is [edges[i], edges[i+1]). */
  edges: Float64Array;
  /** Consumption per bucket, in the quantity's unit. */
  values: Float64Array;
  /** Milliseconds of each bucket covered by some step (a bucket is complete when = its width). */
  coveredMs: Float64Array;
  /** Milliseconds of each bucket covered by estimated (gap) steps. */
  estimatedMs: Float64Array;
}

export interface IntervalValue {
  startMs: number;
  endMs: number;
  value: number;
  /** Part of the value comes from a gap spread linearly. */
  estimated: boolean;
  /** The whole interval is covered by steps. */
  complete: boolean;
}

export function emptySeries(edges: Float64Array): IntervalSeries {
  const n = Math.max(0, edges.length - 1);
  return { edges, values: new Float64Array(n), coveredMs: new Float64Array(n), estimatedMs: new Float64Array(n) };
}

/** First bucket index whose end is after `tsMs` (binary search). */
function firstBucketEndingAfter(edges: Float64Array, tsMs: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid + 1]! <= tsMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds the steps into `series` (mutates it; several meters of one carrier can be summed this way). */
export function spreadSteps(series: IntervalSeries, steps: readonly ConsumptionStep[]): IntervalSeries {
  const { edges, values, coveredMs, estimatedMs } = series;
  const n = values.length;
  if (n === 0) return series;
  const first = edges[0]!;
  const last = edges[n]!;
  for (const s of steps) {
    const duration = s.endMs - s.startMs;
    if (duration <= 0 || s.endMs <= first || s.startMs >= last) continue;
    const rate = s.value / duration;
    for (let i = firstBucketEndingAfter(edges, s.startMs); i < n; i++) {
      const a = Math.max(s.startMs, edges[i]!);
      const b = Math.min(s.endMs, edges[i + 1]!);
      if (a >= s.endMs) break;
      if (b <= a) continue;
      values[i]! += rate * (b - a);
      coveredMs[i]! += b - a;
      if (s.estimated) estimatedMs[i]! += b - a;
    }
  }
  return series;
}

export function seriesFromSteps(edges: Float64Array, steps: readonly ConsumptionStep[]): IntervalSeries {
  return spreadSteps(emptySeries(edges), steps);
}

export function toIntervalValues(series: IntervalSeries): IntervalValue[] {
  const out: IntervalValue[] = [];
  for (let i = 0; i < series.values.length; i++) {
    const startMs = series.edges[i]!;
    const endMs = series.edges[i + 1]!;
    out.push({
      startMs,
      endMs,
      value: series.values[i]!,
      estimated: series.estimatedMs[i]! > 0,
      complete: series.coveredMs[i]! >= endMs - startMs - 1,
    });
  }
  return out;
}

/** Sums hourly buckets into coarser buckets whose edges are a subset of the hourly edges (local days). */
export function rollUp(hourly: IntervalSeries, coarseEdges: Float64Array): IntervalSeries {
  const out = emptySeries(coarseEdges);
  let j = 0;
  for (let i = 0; i < hourly.values.length; i++) {
    const t = hourly.edges[i]!;
    while (j < out.values.length && coarseEdges[j + 1]! <= t) j++;
    if (j >= out.values.length) break;
    if (t < coarseEdges[0]!) continue;
    out.values[j]! += hourly.values[i]!;
    out.coveredMs[j]! += hourly.coveredMs[i]!;
    out.estimatedMs[j]! += hourly.estimatedMs[i]!;
  }
  return out;
}

/** Element-wise sum of series on the same edges (e.g. all electricity meters of a site). */
export function sumSeries(edges: Float64Array, parts: readonly IntervalSeries[]): IntervalSeries {
  const out = emptySeries(edges);
  if (parts.length > 0) out.coveredMs.fill(Infinity);
  for (const p of parts) {
    for (let i = 0; i < out.values.length; i++) {
      out.values[i]! += p.values[i]!;
      // A sum is only as complete as its least covered part.
      out.coveredMs[i] = Math.min(out.coveredMs[i]!, p.coveredMs[i]!);
      out.estimatedMs[i] = Math.max(out.estimatedMs[i]!, p.estimatedMs[i]!);
    }
  }
  return out;
}
