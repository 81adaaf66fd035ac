import { ols, olsFromMoments, pValuesOf } from './ols.js';

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
/** Σx, Σx² and Σx·y of one candidate degree-day column. */
interface Moments {
  s: number;
  ss: number;
  sy: number;
}

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
  // Moments of each qualified candidate column: Σx, Σx², Σxy. With Th ≤ Tc a day never has both
  // HDD(Th) > 0 and CDD(Tc) > 0, so Σ HDD·CDD = 0 and a pair needs no pass over the data.
  let sumY = 0;
  let sumY2 = 0;
  for (let i = 0; i < n; i++) {
    sumY += energyKWh[i]!;
    sumY2 += energyKWh[i]! ** 2;
  }
  const hddCols = new Map<number, Moments>();
  const cddCols = new Map<number, Moments>();
  for (const b of balances) {
    const h: Moments = { s: 0, ss: 0, sy: 0 };
    const c: Moments = { s: 0, ss: 0, sy: 0 };
    let hNonZero = 0;
    let cNonZero = 0;
    for (let i = 0; i < n; i++) {
      const t = tMeanC[i]!;
      const y = energyKWh[i]!;
      if (t < b) {
        const x = b - t;
        h.s += x;
        h.ss += x * x;
        h.sy += x * y;
        hNonZero++;
      } else if (t > b) {
        const x = t - b;
        c.s += x;
        c.ss += x * x;
        c.sy += x * y;
        cNonZero++;
      }
    }
    if (hNonZero >= minNonZero && h.s >= minTotal) hddCols.set(b, h);
    if (cNonZero >= minNonZero && c.s >= minTotal) cddCols.set(b, c);
  }
  const consider = (kind: ModelKind, th: number | null, tc: number | null): void => {
    const cols = [...(th !== null ? [hddCols.get(th)!] : []), ...(tc !== null ? [cddCols.get(tc)!] : [])];
    const p = cols.length + 1;
    const xtx = Array.from({ length: p }, () => new Float64Array(p));
    const xty = new Float64Array(p);
    xtx[0]![0] = n;
    xty[0] = sumY;
    cols.forEach((m, k) => {
      xtx[0]![k + 1] = m.s;
      xtx[k + 1]![0] = m.s;
      xtx[k + 1]![k + 1] = m.ss;
      xty[k + 1] = m.sy;
    });
    const fit = olsFromMoments(n, xtx, xty, sumY, sumY2, false);
    if (!fit || fit.adjR2 <= best.adjR2) return;
    for (let k = 1; k < fit.p; k++) if (!(fit.coef[k]! > 0)) return;
    fit.pValues = pValuesOf(fit.coef, fit.stdErr, n - fit.p);
    for (let k = 1; k < fit.p; k++) if (!(fit.pValues[k]! < pMax)) return;
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
