import { ols } from './ols.js';

/**
 * One CalTRACK 2.0 daily model: E = μ + βH·HDD(Th) + βC·CDD(Tc), with HDD(Th) = max(0, Th − T)
 * and CDD(Tc) = max(0, T − Tc) on the day's mean outdoor temperature T (°C).
 *
 * Selection as in the CalTRACK daily methods (and eemeter's reference implementation):
 * - candidate balance points on a grid (CalTRACK: 30–90 °F; here −1…32 °C by 1 °C);
 * - a candidate is qualified only with ≥ 10 days of non-zero degree days and ≥ 20 degree days
 *   in total (eemeter defaults minimum_non_zero_hdd/cdd = 10, minimum_total_hdd/cdd = 20);
 * - intercept-only, heating-only, cooling-only and heating+cooling (Th ≤ Tc) are fitted by OLS;
 *   a model is kept only if every slope is > 0 and significant (p < 0.1);
 * - the qualified model with the best adjusted R² wins (intercept-only has adjusted R² 0).
 */
export type ModelKind = 'intercept-only' | 'heating-only' | 'cooling-only' | 'heating-cooling';

export interface SegmentModel {
  kind: ModelKind;
  /** μ, kWh per day. */
  interceptKWh: number;
  /** βH, kWh per heating degree day (0 when no heating term). */
  heatingKWhPerDegreeDay: number;
  /** βC, kWh per cooling degree day (0 when no cooling term). */
  coolingKWhPerDegreeDay: number;
  heatingBalanceC: number | null;
  coolingBalanceC: number | null;
  /** p-values of [μ, βH?, βC?] in model order. */
  pValues: number[];
  r2: number;
  adjR2: number;
  /** Days fitted. */
  n: number;
  /** Parameters (intercept included). */
  p: number;
}

export interface GridOptions {
  fromC?: number;
  toC?: number;
  stepC?: number;
  /** Significance threshold of a slope (CalTRACK: 0.1). */
  pMax?: number;
  minNonZeroDegreeDays?: number;
  minTotalDegreeDays?: number;
}

export function predictSegment(m: SegmentModel, tMeanC: number): number {
  let e = m.interceptKWh;
  if (m.heatingBalanceC !== null) e += m.heatingKWhPerDegreeDay * Math.max(0, m.heatingBalanceC - tMeanC);
  if (m.coolingBalanceC !== null) e += m.coolingKWhPerDegreeDay * Math.max(0, tMeanC - m.coolingBalanceC);
  return e;
}

/** Heating part of one day's prediction (βH·HDD), for climate correction. */
export function heatingPart(m: SegmentModel, tMeanC: number): number {
  return m.heatingBalanceC === null ? 0 : m.heatingKWhPerDegreeDay * Math.max(0, m.heatingBalanceC - tMeanC);
}

/** Fits the best CalTRACK model on (energy, temperature) pairs; rows must be complete. */
export function fitSegment(energyKWh: Float64Array, tMeanC: Float64Array, options: GridOptions = {}): SegmentModel {
  const fromC = options.fromC ?? -1;
  const toC = options.toC ?? 32;
  const stepC = options.stepC ?? 1;
  const pMax = options.pMax ?? 0.1;
  const minNonZero = options.minNonZeroDegreeDays ?? 10;
  const minTotal = options.minTotalDegreeDays ?? 20;
  const n = energyKWh.length;
  const mean = energyKWh.reduce((s, v) => s + v, 0) / n;
  let best: SegmentModel = {
    kind: 'intercept-only',
    interceptKWh: mean,
    heatingKWhPerDegreeDay: 0,
    coolingKWhPerDegreeDay: 0,
    heatingBalanceC: null,
    coolingBalanceC: null,
    pValues: [ols(energyKWh, [])?.pValues[0] ?? NaN],
    r2: 0,
    adjR2: 0,
    n,
    p: 1,
  };
  const balances: number[] = [];
  for (let b = fromC; b <= toC + 1e-9; b += stepC) balances.push(Math.round(b * 1000) / 1000);
  const hddCols = new Map<number, Float64Array>();
  const cddCols = new Map<number, Float64Array>();
  for (const b of balances) {
    const h = new Float64Array(n);
    const c = new Float64Array(n);
    let hNonZero = 0;
    let hTotal = 0;
    let cNonZero = 0;
    let cTotal = 0;
    for (let i = 0; i < n; i++) {
      h[i] = Math.max(0, b - tMeanC[i]!);
      c[i] = Math.max(0, tMeanC[i]! - b);
      if (h[i]! > 0) hNonZero++;
      if (c[i]! > 0) cNonZero++;
      hTotal += h[i]!;
      cTotal += c[i]!;
    }
    if (hNonZero >= minNonZero && hTotal >= minTotal) hddCols.set(b, h);
    if (cNonZero >= minNonZero && cTotal >= minTotal) cddCols.set(b, c);
  }
  const consider = (kind: ModelKind, th: number | null, tc: number | null): void => {
    const cols = [...(th !== null ? [hddCols.get(th)!] : []), ...(tc !== null ? [cddCols.get(tc)!] : [])];
    const fit = ols(energyKWh, cols);
    if (!fit) return;
    for (let k = 1; k < fit.p; k++) if (!(fit.coef[k]! > 0) || !(fit.pValues[k]! < pMax)) return;
    if (fit.adjR2 <= best.adjR2) return;
    best = {
      kind,
      interceptKWh: fit.coef[0]!,
      heatingKWhPerDegreeDay: th !== null ? fit.coef[1]! : 0,
      coolingKWhPerDegreeDay: tc !== null ? fit.coef[th !== null ? 2 : 1]! : 0,
      heatingBalanceC: th,
      coolingBalanceC: tc,
      pValues: fit.pValues,
      r2: fit.r2,
      adjR2: fit.adjR2,
      n,
      p: fit.p,
    };
  };
  for (const th of hddCols.keys()) consider('heating-only', th, null);
  for (const tc of cddCols.keys()) consider('cooling-only', null, tc);
  for (const th of hddCols.keys()) for (const tc of cddCols.keys()) if (th <= tc) consider('heating-cooling', th, tc);
  return best;
}
