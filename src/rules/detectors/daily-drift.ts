import { z } from 'zod';
import { DAY_MS, HOUR_MS, localEpochDay } from '../../energy/local-time.js';
import type { HourlySeries, Judgement } from '../judgement.js';
import { hourContextOf } from './hour-context.js';
import { robustStats } from './robust.js';
import type { HourlyRuleType } from './rule-type.js';

/**
 * Slow drift judged on DAILY totals: a drift is a sustained daily excess, not an hourly one, and
 * an hour-level CUSUM (cusum-drift.ts) sums autocorrelated hourly noise into weeks of alarms on
 * real buildings. Each complete local day's consumption (by default only its hours outside the
 * opening hours: the always-on load, where a creeping base shows most and occupancy least),
 * scaled to 24 h so a DST day is no 4 % step, is standardised against the ordinary days of the
 * same class (working days, or weekend days) of the trailing `weeks` weeks (median, 1.4826·MAD),
 * then summed in a one-sided tabular CUSUM (Page 1954, Biometrika 41; Montgomery, Introduction to
 * Statistical Quality Control, §9.1): C_d = max(0, C_{d−1} + r_d − k). Montgomery's k = δ/2 and h
 * of 4–5 σ are the starting point; the shipped h is larger (see calibrated-defaults.ts).
 *
 * A CUSUM says WHEN a shift is detected, not how long it lasts: the rule reports one event per
 * drift, the day the sum first crosses h, and not the following days while it stays over it
 * (`quietDays`: no second signal within that many days of a crossing). The alert's figures are
 * the actual and expected totals since the sum last left zero (the estimated onset). Every other
 * measured hour is judged "no new signal", so the alert, opened at the last hour of the day it was
 * caught, resolves the hour after.
 *
 * Causal and start-independent, as cusum-drift: every sum runs over a fixed trailing window of
 * `windowDays` from zero. Holidays and closures are neither judged nor used as reference. The
 * residual is winsorised at ±`clipSigma` so one odd day (the daily baseline rule's business) does
 * not make a drift on its own. There is no weather normalisation here: a load that follows the
 * outdoor temperature (electric heating) rises through an autumn like a drift.
 */
export const dailyDriftParams = z.strictObject({
  weeks: z.number().int().min(2).max(26).default(6),
  /** Reference days of the same class needed before a day is judged. */
  minReferenceDays: z.number().int().min(2).default(10),
  /** Allowance k, in σ: half the daily shift to detect. */
  allowanceSigma: z.number().min(0).default(0.5),
  /** Decision interval h, in σ. */
  decisionSigma: z.number().positive().default(8),
  windowDays: z.number().int().min(7).max(91).default(28),
  clipSigma: z.number().positive().default(3),
  /** The σ used is at least this share of the reference median (a very regular building's MAD is tiny). */
  minSigmaShare: z.number().min(0).default(0.07),
  /** No second signal within this many days of a crossing: one drift, one alert. */
  quietDays: z.number().int().min(0).max(182).default(28),
  direction: z.enum(['above', 'below']).default('above'),
  /** all: the day's consumption; closed: only its hours outside the opening hours (the always-on load). */
  hours: z.enum(['all', 'closed']).default('closed'),
});
export type DailyDriftParams = z.infer<typeof dailyDriftParams>;

interface Day {
  startMs: number;
  /** Index of the hour after the day's last one. */
  endIndex: number;
  total: number;
  /** Working day, weekend day, or not judged (holiday, closure, incomplete). */
  kind: 'working' | 'weekend' | null;
  epochDay: number;
}

/** The complete local days of hours [lo, hi). */
function localDays(series: HourlySeries, lo: number, hi: number, closedOnly: boolean): Day[] {
  const ctx = hourContextOf(series, lo, hi);
  const days: Day[] = [];
  let i = lo;
  while (i < hi) {
    const day = localEpochDay(series.startMs + i * HOUR_MS, series.timezone);
    let j = i;
    let total = 0;
    let finite = true;
    while (j < hi && localEpochDay(series.startMs + j * HOUR_MS, series.timezone) === day) {
      const v = series.values[j]!;
      if (!Number.isFinite(v)) finite = false;
      else if (!closedOnly || !ctx.open(j)) total += v;
      j++;
    }
    // A day cut by the range (its first hour is not local midnight, or it runs past hi) is incomplete.
    const whole = ctx.hourOfDay(i) === 0 && (j < hi || localEpochDay(series.startMs + j * HOUR_MS, series.timezone) !== day);
    const type = ctx.dayType(i);
    const kind = whole && finite && (type === 'working' || type === 'weekend') ? type : null;
    // Per 24 h: a 23 h or 25 h DST day is not a 4 % drop or excess.
    days.push({ startMs: series.startMs + i * HOUR_MS, endIndex: j, total: (total * 24) / (j - i), kind, epochDay: day });
    i = j;
  }
  return days;
}

/** Standardised residual of each day against its class's trailing reference, NaN where not judgeable. */
function residuals(days: readonly Day[], p: DailyDriftParams): { r: Float64Array; expected: Float64Array } {
  const r = new Float64Array(days.length).fill(NaN);
  const expected = new Float64Array(days.length).fill(NaN);
  const span = p.weeks * 7;
  for (let d = 0; d < days.length; d++) {
    const day = days[d]!;
    if (day.kind === null) continue;
    const ref: number[] = [];
    for (let e = d - 1; e >= 0 && day.epochDay - days[e]!.epochDay <= span; e--) if (days[e]!.kind === day.kind) ref.push(days[e]!.total);
    if (ref.length < p.minReferenceDays) continue;
    const { median, sigma } = robustStats(ref);
    const s = Math.max(sigma, p.minSigmaShare * Math.abs(median), Number.EPSILON);
    const z = ((day.total - median) / s) * (p.direction === 'above' ? 1 : -1);
    r[d] = Math.max(-p.clipSigma, Math.min(p.clipSigma, z));
    expected[d] = median;
  }
  return { r, expected };
}

export function dailyDriftDetect(series: HourlySeries, p: DailyDriftParams, fromIndex: number, toIndex: number): Judgement[] {
  const to = Math.min(toIndex, series.values.length);
  const from = Math.max(0, fromIndex);
  if (to <= from) return [];
  const days = localDays(series, Math.max(0, from - lookbackHoursOf(p)), to, p.hours === 'closed');
  const { r, expected } = residuals(days, p);
  // The sum at each day over its own trailing window, with the totals since it last left zero.
  const sums = days.map((day, d) => {
    let c = 0, actual = 0, reference = 0;
    if (!Number.isFinite(r[d]!)) return null;
    for (let e = 0; e <= d; e++) {
      if (day.epochDay - days[e]!.epochDay >= p.windowDays || !Number.isFinite(r[e]!)) continue;
      c = Math.max(0, c + r[e]! - p.allowanceSigma);
      if (c === 0) actual = reference = 0;
      else { actual += days[e]!.total; reference += expected[e]!; }
    }
    return { c, actual, reference };
  });
  const out: Judgement[] = [];
  const judgedDayEnds = new Set<number>();
  for (let d = 0; d < days.length; d++) {
    const day = days[d]!;
    const s = sums[d];
    if (!s || day.endIndex <= from || day.endIndex > to) continue;
    let recent = false;
    for (let e = d - 1; e >= 0 && day.epochDay - days[e]!.epochDay <= p.quietDays && !recent; e--) recent = (sums[e]?.c ?? 0) > p.decisionSigma;
    const trigger = s.c > p.decisionSigma && !recent;
    // A day is judged whole; a signal is placed at the day's last hour, when its evidence became
    // complete: a drift is a change point, and its alert says when it was detected (its figures
    // carry the totals since the estimated onset), not that each hour of the day was anomalous.
    // bench:rules scores it as events, beside the hourly rules, and prints the union both ways.
    const endMs = series.startMs + day.endIndex * HOUR_MS;
    out.push({ startMs: trigger ? endMs - HOUR_MS : day.startMs, endMs, trigger, clear: !trigger, measured: s.c > 0 ? s.actual : day.total, expected: s.c > 0 ? s.reference : expected[d]! });
    judgedDayEnds.add(day.endIndex);
  }
  // Every other measured hour says "no new signal": the event resolves in the first hour after
  // the day it was caught, and not the weeks the drift goes on.
  for (let i = from; i < to; i++) {
    if (judgedDayEnds.has(i + 1) || !Number.isFinite(series.values[i]!)) continue;
    const startMs = series.startMs + i * HOUR_MS;
    out.push({ startMs, endMs: startMs + HOUR_MS, trigger: false, clear: true, measured: null, expected: null });
  }
  return out.sort((a, b) => a.endMs - b.endMs);
}

/** Reference weeks, the CUSUM window and the quiet period before it, plus a day for DST and a cut first day. */
function lookbackHoursOf(p: DailyDriftParams): number {
  return (p.weeks * 7 + p.windowDays + p.quietDays + 2) * (DAY_MS / HOUR_MS);
}

export const dailyDrift: HourlyRuleType<DailyDriftParams> = {
  type: 'daily-drift',
  params: dailyDriftParams,
  lookbackHours: lookbackHoursOf,
  detect: dailyDriftDetect,
};
