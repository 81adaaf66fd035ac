import { describe, expect, it } from 'vitest';
import { fitDailyBaseline, predictDaily, type BaselineDay } from '../../../src/energy/baseline/daily-baseline.js';
import { fitMetrics, meetsG14Monthly } from '../../../src/energy/baseline/metrics.js';
import { ols, tTwoSidedP } from '../../../src/energy/baseline/ols.js';
import { addDays } from '../../../src/energy/local-time.js';

/** Deterministic pseudo-random numbers (mulberry32) and normal deviates (Box–Muller). */
function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

interface Truth {
  mu: number;
  bh: number;
  th: number;
  bc: number;
  tc: number;
}
const energy = (t: Truth, tempC: number) => t.mu + t.bh * Math.max(0, t.th - tempC) + t.bc * Math.max(0, tempC - t.tc);

function synthetic(days: number, working: Truth, nonWorking: Truth, noiseKWh: number, seed = 1): BaselineDay[] {
  const r = rng(seed);
  return Array.from({ length: days }, (_, i) => {
    const date = addDays('2025-01-01', i);
    const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
    const isWorking = wd !== 0 && wd !== 6;
    // A temperate year: −2 °C in January to 30 °C in July, plus weather noise.
    const tMeanC = 14 - 16 * Math.cos((2 * Math.PI * (i - 10)) / 365) + 3 * r.normal();
    return { date, tMeanC, working: isWorking, energyKWh: energy(isWorking ? working : nonWorking, tMeanC) + noiseKWh * r.normal() };
  });
}

describe('CalTRACK daily model selection', () => {
  it('recovers known heating and cooling coefficients and balance points (single segment)', () => {
    const truth = { mu: 500, bh: 40, th: 15, bc: 25, tc: 22 };
    const result = fitDailyBaseline(synthetic(365, truth, truth, 20));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const b = result.baseline;
    expect(b.segmentation).toBe('single');
    expect(b.working.kind).toBe('heating-cooling');
    expect(b.working.heatingBalanceC).toBe(15);
    expect(b.working.coolingBalanceC).toBe(22);
    expect(b.working.interceptKWh).toBeCloseTo(500, -1);
    expect(Math.abs(b.working.heatingKWhPerDegreeDay - 40)).toBeLessThan(1.5);
    expect(Math.abs(b.working.coolingKWhPerDegreeDay - 25)).toBeLessThan(1.5);
    expect(b.parameters).toBe(3);
    expect(b.accepted).toBe(true);
  });

  it('models working and non-working days separately when that clearly improves the fit', () => {
    const working = { mu: 800, bh: 50, th: 16, bc: 0, tc: 99 };
    const nonWorking = { mu: 200, bh: 10, th: 12, bc: 0, tc: 99 };
    const result = fitDailyBaseline(synthetic(365, working, nonWorking, 15, 7));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const b = result.baseline;
    expect(b.segmentation).toBe('working/non-working');
    expect(b.working.kind).toBe('heating-only');
    expect(b.working.heatingBalanceC).toBe(16);
    expect(Math.abs(b.working.heatingKWhPerDegreeDay - 50)).toBeLessThan(2);
    expect(b.nonWorking.kind).toBe('heating-only');
    expect(b.nonWorking.heatingBalanceC).toBe(12);
    expect(Math.abs(b.nonWorking.heatingKWhPerDegreeDay - 10)).toBeLessThan(2);
    expect(b.parameters).toBe(4);
    const pred = predictDaily(b, [{ tMeanC: 6, working: true }, { tMeanC: 6, working: false }, { tMeanC: NaN, working: true }]);
    expect(pred[0]).toBeCloseTo(800 + 50 * 10, -1);
    expect(pred[1]).toBeCloseTo(200 + 10 * 6, -1);
    expect(pred[2]).toBeNaN();
  });

  it('finds no real weather dependence in a load that has none', () => {
    // With ~600 candidate models a term can pass p < 0.1 by chance (a known trait of grid
    // searches): what matters is that the model stays flat and explains next to nothing.
    const flat = { mu: 300, bh: 0, th: 15, bc: 0, tc: 22 };
    for (const seed of [3, 4, 5, 6]) {
      const result = fitDailyBaseline(synthetic(365, flat, flat, 10, seed));
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      const b = result.baseline;
      expect(b.working.adjR2).toBeLessThan(0.05);
      const pred = predictDaily(b, [-2, 5, 14, 22, 30].map((tMeanC) => ({ tMeanC, working: true })));
      for (const v of pred) expect(Math.abs(v - 300)).toBeLessThan(9);
    }
    const clean = fitDailyBaseline(synthetic(365, flat, flat, 0, 3));
    if (!clean.ok) throw new Error(JSON.stringify(clean.problems));
    expect(clean.baseline.working.kind).toBe('intercept-only');
  });

  it('drops a term whose coefficient would be negative', () => {
    // Consumption FALLS when it is hot: a "cooling" slope would be negative and must not be kept.
    const days = synthetic(365, { mu: 500, bh: 30, th: 14, bc: 0, tc: 99 }, { mu: 500, bh: 30, th: 14, bc: 0, tc: 99 }, 10, 5).map((d) => ({
      ...d,
      energyKWh: d.energyKWh - 8 * Math.max(0, d.tMeanC - 20),
    }));
    const result = fitDailyBaseline(days);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.baseline.working.coolingBalanceC).toBeNull();
    expect(result.baseline.working.heatingKWhPerDegreeDay).toBeGreaterThan(0);
  });

  it('refuses to fit on insufficient data and says what is missing', () => {
    const t = { mu: 500, bh: 40, th: 15, bc: 0, tc: 99 };
    const short = fitDailyBaseline(synthetic(100, t, t, 10));
    expect(short).toEqual({ ok: false, problems: [{ code: 'baseline-period-too-short', params: { from: '2025-01-01', to: '2025-04-10', days: 100, minDays: 180 } }] });

    const holes = synthetic(365, t, t, 10).map((d, i) => (i % 5 === 0 ? { ...d, tMeanC: NaN } : i % 7 === 0 ? { ...d, energyKWh: NaN } : d));
    const r = fitDailyBaseline(holes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems[0]).toEqual({
        code: 'baseline-insufficient-days',
        params: { usableDays: 250, periodDays: 365, requiredDays: 329, requiredPct: 90, daysWithoutEnergy: 42, daysWithoutTemperature: 73 },
      });
    }

    const noTemp = fitDailyBaseline(synthetic(365, t, t, 10).map((d) => ({ ...d, tMeanC: NaN })));
    expect(noTemp.ok).toBe(false);
    if (!noTemp.ok) expect(noTemp.problems).toContainEqual({ code: 'baseline-no-temperature', params: { days: 365 } });
    expect(fitDailyBaseline([])).toMatchObject({ ok: false, problems: [{ code: 'baseline-period-too-short', params: { days: 0 } }] });
  });
});

describe('ASHRAE Guideline 14 metrics (n − p)', () => {
  it('CV(RMSE) and NMBE on hand-computed values', () => {
    // Errors −1, 0, +1: SSE = 2, n − p = 2, mean 12: CV = 100·sqrt(1)/12.
    const m = fitMetrics([10, 12, 14], [11, 12, 13], 1);
    expect(m.cvRmsePct).toBeCloseTo(100 / 12, 10);
    expect(m.nmbePct).toBe(0);
    // Under-prediction by 1 each: Σe = 3 → NMBE = 100·3/(2·12) = 12.5 %; CV = 100·sqrt(3/2)/12.
    const b = fitMetrics([10, 12, 14], [9, 11, 13], 1);
    expect(b.nmbePct).toBeCloseTo(12.5, 10);
    expect(b.cvRmsePct).toBeCloseTo((100 * Math.sqrt(1.5)) / 12, 10);
    expect(b.rmse).toBeCloseTo(Math.sqrt(1.5), 10);
    expect(fitMetrics([1, 2], [1, 2], 2).cvRmsePct).toBeNaN();
  });

  it('accepts at monthly CV(RMSE) ≤ 15 % and |NMBE| ≤ 5 % only', () => {
    expect(meetsG14Monthly({ n: 12, p: 3, cvRmsePct: 15, nmbePct: -5, r2: 0.9, rmse: 1 })).toBe(true);
    expect(meetsG14Monthly({ n: 12, p: 3, cvRmsePct: 15.01, nmbePct: 0, r2: 0.9, rmse: 1 })).toBe(false);
    expect(meetsG14Monthly({ n: 12, p: 3, cvRmsePct: 5, nmbePct: 5.2, r2: 0.9, rmse: 1 })).toBe(false);
  });
});

describe('OLS and Student t', () => {
  it('two-sided p-values match tables', () => {
    expect(tTwoSidedP(2, 10)).toBeCloseTo(0.0734, 4);
    expect(tTwoSidedP(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(tTwoSidedP(1.96, 100000)).toBeCloseTo(0.05, 3);
    expect(tTwoSidedP(0, 5)).toBeCloseTo(1, 12);
  });

  it('fits an exact line and reports its statistics', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5]);
    const y = Float64Array.from([3.1, 4.9, 7.2, 8.8, 11.0]);
    const fit = ols(y, [x])!;
    // Hand OLS: slope = Sxy/Sxx = 19.7/10 = 1.97, intercept = 7 − 1.97·3 = 1.09.
    expect(fit.coef[1]).toBeCloseTo(1.97, 10);
    expect(fit.coef[0]).toBeCloseTo(1.09, 10);
    expect(fit.p).toBe(2);
    expect(fit.r2).toBeGreaterThan(0.99);
    expect(ols(y, [Float64Array.from([2, 2, 2, 2, 2])])).toBeNull();
  });
});
