import { z } from 'zod';
import type { HourlySeries, Judgement } from '../judgement.js';
import { HOUR_MS } from '../../energy/local-time.js';
import { hourContextOf } from './hour-context.js';
import type { HourlyRuleType } from './rule-type.js';
import { slotLookbackHours, slotProfile } from './slot-reference.js';

/**
 * Hourly consumption against the hour-of-week profile learnt from the series' own trailing weeks
 * (median and 1.4826·MAD of the same local slot on ordinary days; holidays and closures are
 * not learnt from, but they are judged, against the ordinary profile: a holiday that looks like
 * a working day, or a working day that collapses, is what a site manager asks about).
 * The band is the wider of k·σ and x % of the expected value: σ guards busy hours whose spread
 * is large, the percentage guards quiet hours whose MAD is nearly zero.
 */
export const baselineDeviationParams = z.strictObject({
  /** Trailing weeks the profile is learnt from. */
  weeks: z.number().int().min(2).max(26).default(6),
  /** Fewest usable weeks (same slot, ordinary day, measured) for an hour to be judged. */
  minWeeks: z.number().int().min(1).default(3),
  /** Band half-width in robust standard deviations (0: percentage only). */
  kSigma: z.number().min(0).default(3),
  /** Band half-width in percent of the expected value (0: k·σ only). */
  percent: z.number().min(0).default(30),
  direction: z.enum(['both', 'above', 'below']).default('both'),
  /** Hours whose expected value is below this (series unit) are not judged: percentages of nothing. */
  minExpected: z.number().min(0).default(0),
});
export type BaselineDeviationParams = z.infer<typeof baselineDeviationParams>;

export function baselineDeviationDetect(series: HourlySeries, p: BaselineDeviationParams, fromIndex: number, toIndex: number): Judgement[] {
  const to = Math.min(toIndex, series.values.length);
  const from = Math.max(0, fromIndex);
  if (to <= from) return [];
  const ctx = hourContextOf(series, from - slotLookbackHours(p.weeks), to);
  const out: Judgement[] = [];
  for (let i = from; i < to; i++) {
    const x = series.values[i]!;
    if (!Number.isFinite(x)) continue;
    const profile = slotProfile(series, ctx, i, p.weeks, p.minWeeks);
    if (!profile || profile.median < p.minExpected) continue;
    const expected = profile.median;
    const band = Math.max(p.kSigma * profile.sigma, (p.percent / 100) * expected);
    const deviation = x - expected;
    const outside = p.direction === 'above' ? deviation > band : p.direction === 'below' ? -deviation > band : Math.abs(deviation) > band;
    const startMs = series.startMs + i * HOUR_MS;
    out.push({ startMs, endMs: startMs + HOUR_MS, trigger: outside, clear: !outside, measured: x, expected });
  }
  return out;
}

export const baselineDeviation: HourlyRuleType<BaselineDeviationParams> = {
  type: 'baseline-deviation',
  params: baselineDeviationParams,
  lookbackHours: (p) => slotLookbackHours(p.weeks),
  detect: baselineDeviationDetect,
};
