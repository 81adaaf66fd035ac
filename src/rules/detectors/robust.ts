/**
 * Robust location and scale. The MAD is scaled by 1.4826 so that it estimates the standard
 * deviation of normally distributed data (Rousseeuw & Croux 1993, "Alternatives to the median
 * absolute deviation", JASA 88): one bad week in the reference shifts neither figure much.
 */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Scratch space for the sorts: a typed array sorts numerically in native code, several times
 * faster than `Array.prototype.sort` with a comparator (the detectors take a median per judged
 * hour: sensor-flatline alone is one per hour per room sensor, about a quarter of the CPU of a cold
 * hourly cycle of `npm run bench:rules-cycle` before). Grown on demand, never shrunk.
 */
let scratch = new Float64Array(1024);

function sortedCopy(values: ArrayLike<number>, n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  const view = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) view[i] = values[i]!;
  return view.sort();
}

function middle(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of finite values (the array is left as it is); NaN when empty. */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  return middle(sortedCopy(values, n));
}

/** Median of finite values, the array sorted in place (kept for callers that use the order); NaN when empty. */
export function medianInPlace(values: number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  const sorted = sortedCopy(values, n);
  for (let i = 0; i < n; i++) values[i] = sorted[i]!;
  return middle(sorted);
}

export interface RobustStats {
  median: number;
  /** 1.4826 × MAD: a standard deviation for normal data. */
  sigma: number;
  count: number;
}

/** Median and scaled MAD of finite values (the array is left as it is). */
export function robustStats(values: readonly number[]): RobustStats {
  const n = values.length;
  if (n === 0) return { median: NaN, sigma: NaN, count: 0 };
  const m = middle(sortedCopy(values, n));
  // The sorted copy is scratch: overwritten in place by the absolute deviations, then sorted again.
  const deviations = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) deviations[i] = Math.abs(deviations[i]! - m);
  return { median: m, sigma: MAD_TO_SIGMA * middle(deviations.sort()), count: n };
}
