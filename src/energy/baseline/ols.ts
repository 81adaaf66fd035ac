/**
 * Ordinary least squares with an intercept and up to a few regressors, with the standard
 * errors and two-sided p-values CalTRACK needs to drop non-significant terms.
 * Normal equations are fine here: at most 3 columns of well-scaled degree days.
 */
export interface OlsFit {
  /** [intercept, β1, β2 …]. */
  coef: number[];
  stdErr: number[];
  /** Two-sided p-value of each coefficient (Student t, n − p degrees of freedom). */
  pValues: number[];
  sse: number;
  r2: number;
  adjR2: number;
  n: number;
  /** Number of parameters, intercept included. */
  p: number;
}

/** Fits y = c0 + Σ ck·xk over the rows where `mask` is 1 (all rows without a mask). Null when singular. */
export function ols(y: Float64Array, xs: readonly Float64Array[], mask?: Uint8Array): OlsFit | null {
  const p = xs.length + 1;
  const xtx = Array.from({ length: p }, () => new Float64Array(p));
  const xty = new Float64Array(p);
  const row = new Float64Array(p);
  let n = 0;
  let sumY = 0;
  let sumY2 = 0;
  for (let i = 0; i < y.length; i++) {
    if (mask && mask[i] === 0) continue;
    row[0] = 1;
    for (let k = 1; k < p; k++) row[k] = xs[k - 1]![i]!;
    const yi = y[i]!;
    for (let a = 0; a < p; a++) {
      xty[a]! += row[a]! * yi;
      for (let b = a; b < p; b++) xtx[a]![b]! += row[a]! * row[b]!;
    }
    n++;
    sumY += yi;
    sumY2 += yi * yi;
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) xtx[a]![b] = xtx[b]![a]!;
  return olsFromMoments(n, xtx, xty, sumY, sumY2);
}

/**
 * OLS from the sufficient statistics X'X, X'y, Σy and Σy² (the first column of X is the
 * intercept). The balance-point grid search uses it directly: each candidate's moments are
 * computed once, so trying ~600 models does not pass over the data ~600 times.
 */
export function olsFromMoments(n: number, xtx: readonly Float64Array[], xty: Float64Array, sumY: number, sumY2: number, withPValues = true): OlsFit | null {
  const p = xty.length;
  if (n <= p) return null;
  const inv = invert(xtx);
  if (!inv) return null;
  const coef = Array.from({ length: p }, (_, a) => inv[a]!.reduce((s, v, b) => s + v * xty[b]!, 0));
  // SSE = y'y − 2β'X'y + β'X'Xβ, exact for OLS without a second pass over the data.
  let bXty = 0;
  let bXtXb = 0;
  for (let a = 0; a < p; a++) {
    bXty += coef[a]! * xty[a]!;
    for (let b = 0; b < p; b++) bXtXb += coef[a]! * xtx[a]![b]! * coef[b]!;
  }
  const sse = Math.max(0, sumY2 - 2 * bXty + bXtXb);
  const sst = sumY2 - (sumY * sumY) / n;
  const df = n - p;
  const sigma2 = sse / df;
  const stdErr = coef.map((_, a) => Math.sqrt(Math.max(0, sigma2 * inv[a]![a]!)));
  // p-values are the costly part (incomplete beta): a grid search asks for them only for a likely winner.
  const pValues = withPValues ? pValuesOf(coef, stdErr, df) : [];
  const r2 = sst > 1e-12 * sumY2 ? 1 - sse / sst : 0;
  const adjR2 = sst > 1e-12 * sumY2 ? 1 - ((1 - r2) * (n - 1)) / df : 0;
  return { coef, stdErr, pValues, sse, r2, adjR2, n, p };
}

export function pValuesOf(coef: readonly number[], stdErr: readonly number[], df: number): number[] {
  return coef.map((c, a) => (stdErr[a]! > 0 ? tTwoSidedP(c / stdErr[a]!, df) : c === 0 ? 1 : 0));
}

/** Gauss–Jordan inverse with partial pivoting; null when (near) singular. */
export function invert(m: readonly Float64Array[]): Float64Array[] | null {
  const n = m.length;
  const a = m.map((r) => Float64Array.from(r));
  const inv = Array.from({ length: n }, (_, i) => {
    const r = new Float64Array(n);
    r[i] = 1;
    return r;
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    const scale = Math.max(...a.map((r) => Math.abs(r[col]!)));
    if (Math.abs(a[pivot]![col]!) <= 1e-12 * Math.max(1, scale)) return null;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [inv[col], inv[pivot]] = [inv[pivot]!, inv[col]!];
    const d = a[col]![col]!;
    for (let k = 0; k < n; k++) {
      a[col]![k]! /= d;
      inv[col]![k]! /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r]![col]!;
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        a[r]![k]! -= f * a[col]![k]!;
        inv[r]![k]! -= f * inv[col]![k]!;
      }
    }
  }
  return inv;
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function tTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

function lnGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const xx = x - 1;
  let a = c[0]!;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes §6.4). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
  return (front * betaContinuedFraction(x, a, b)) / a;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}
