/**
 * Goodness-of-fit of a baseline, ASHRAE Guideline 14-2014 (Measurement of Energy, Demand and
 * Water Savings), statistical indices with n − p degrees of freedom:
 *
 *   CV(RMSE) = 100 · sqrt( Σ (yᵢ − ŷᵢ)² / (n − p) ) / ȳ
 *   NMBE     = 100 · Σ (yᵢ − ŷᵢ) / ((n − p) · ȳ)
 *
 * n = number of observations at the resolution considered (days, or months), p = number of
 * parameters of the model. A model is `accepted` (calibrated) here when, at MONTHLY resolution,
 * CV(RMSE) ≤ 15 % and |NMBE| ≤ 5 %, the Guideline 14 thresholds for monthly data.
 */
export interface FitMetrics {
  n: number;
  p: number;
  /** Percent. NaN when n ≤ p or the mean is 0. */
  cvRmsePct: number;
  /** Percent, positive when the model under-predicts. */
  nmbePct: number;
  r2: number;
  /** sqrt(Σ (yᵢ − ŷᵢ)² / (n − p)), in the unit of the observations (kWh per day or per month); NaN when n ≤ p. */
  rmse: number;
}

export const G14_MONTHLY_CV_RMSE_MAX_PCT = 15;
export const G14_MONTHLY_NMBE_MAX_PCT = 5;

export function fitMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>, p: number): FitMetrics {
  const n = actual.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += actual[i]!;
  const mean = sum / n;
  let sse = 0;
  let bias = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const e = actual[i]! - predicted[i]!;
    sse += e * e;
    bias += e;
    sst += (actual[i]! - mean) ** 2;
  }
  const df = n - p;
  const ok = df > 0 && mean !== 0;
  return {
    n,
    p,
    cvRmsePct: ok ? (100 * Math.sqrt(sse / df)) / mean : NaN,
    nmbePct: ok ? (100 * bias) / (df * mean) : NaN,
    r2: sst > 0 ? 1 - sse / sst : NaN,
    rmse: df > 0 ? Math.sqrt(sse / df) : NaN,
  };
}

export function meetsG14Monthly(monthly: FitMetrics): boolean {
  return monthly.cvRmsePct <= G14_MONTHLY_CV_RMSE_MAX_PCT && Math.abs(monthly.nmbePct) <= G14_MONTHLY_NMBE_MAX_PCT;
}
