/**
 * Robust location and scale. The MAD is scaled by 1.4826 so that it estimates the standard
 * deviation of normally distributed data (Rousseeuw & Croux 1993, "Alternatives to the median
 * absolute deviation", JASA 88): one bad week in the reference shifts neither figure much.
 */
export const MAD_TO_SIGMA = 1.4826;

/** Median of finite values (the array is sorted in place); NaN when empty. */
export function medianInPlace(values: number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  values.sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

export interface RobustStats {
  median: number;
  /** 1.4826 × MAD: a standard deviation for normal data. */
  sigma: number;
  count: number;
}

/** Median and scaled MAD of the values (the array is reordered). */
export function robustStats(values: number[]): RobustStats {
  const median = medianInPlace(values);
  const deviations = values.map((v) => Math.abs(v - median));
  return { median, sigma: MAD_TO_SIGMA * medianInPlace(deviations), count: values.length };
}
