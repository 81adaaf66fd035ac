import { z } from 'zod';
import { HOUR_MS } from '../../energy/local-time.js';
import type { HourlySeries, Judgement } from '../judgement.js';
import type { HourlyRuleType } from './rule-type.js';
import { median } from './robust.js';

/**
 * A stuck meter or a stuck data path repeats the same hourly consumption (often a constant
 * such as 0 or 1, or the last value forwarded again). Hour i triggers when the `hours` hourly
 * values ending at i all differ from their predecessor by at most epsilon, on a series that did
 * vary in the `referenceHours` before that run (a meter that is always 0, an unused supply, is
 * not stuck). An unmeasured hour breaks a run: no data is never read as "no change".
 */
export const flatlineParams = z.strictObject({
  /** Length of the run of unchanged hours that triggers (hours). */
  hours: z.number().int().min(2).max(24 * 14).default(12),
  /** Largest change still read as "no change", in the series' unit. */
  epsilon: z.number().min(0).default(0),
  /** …or as a share of the reference median, whichever is larger (meter resolution scales with load). */
  epsilonShare: z.number().min(0).max(1).default(0),
  /** Hours before the run in which the series must have varied. */
  referenceHours: z.number().int().min(24).default(7 * 24),
  /** Share of the reference hours that changed by more than epsilon for the series to count as varying. */
  varyingShare: z.number().min(0).max(1).default(0.5),
});
export type FlatlineParams = z.infer<typeof flatlineParams>;

function flatRun(values: Float64Array, i: number, hours: number, eps: number): boolean {
  if (i - hours + 1 < 1) return false;
  for (let j = i - hours + 2; j <= i; j++) {
    const a = values[j - 1]!;
    const b = values[j]!;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(b - a) > eps) return false;
  }
  return true;
}

export function flatlineDetect(series: HourlySeries, p: FlatlineParams, fromIndex: number, toIndex: number): Judgement[] {
  const to = Math.min(toIndex, series.values.length);
  const from = Math.max(0, fromIndex);
  const values = series.values;
  const out: Judgement[] = [];
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    const runStart = i - p.hours + 1;
    const refFrom = runStart - p.referenceHours;
    if (refFrom < 1) continue;
    const reference: number[] = [];
    for (let j = refFrom; j < runStart; j++) if (Number.isFinite(values[j]!)) reference.push(values[j]!);
    if (reference.length < p.referenceHours / 2) continue;
    const expected = median(reference);
    const eps = Math.max(p.epsilon, p.epsilonShare * Math.abs(expected));
    let changed = 0;
    let pairs = 0;
    for (let j = refFrom + 1; j < runStart; j++) {
      const a = values[j - 1]!;
      const b = values[j]!;
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      pairs++;
      if (Math.abs(b - a) > eps) changed++;
    }
    const varying = pairs > 0 && changed >= p.varyingShare * pairs;
    const flat = flatRun(values, i, p.hours, eps);
    const trigger = varying && flat;
    const startMs = series.startMs + i * HOUR_MS;
    out.push({ startMs, endMs: startMs + HOUR_MS, trigger, clear: !flat, measured: x, expected });
  }
  return out;
}

export const flatline: HourlyRuleType<FlatlineParams> = {
  type: 'flatline',
  params: flatlineParams,
  lookbackHours: (p) => p.hours + p.referenceHours,
  detect: flatlineDetect,
};
