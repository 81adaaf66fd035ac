import { z } from 'zod';
import { HOUR_MS } from '../../energy/local-time.js';
import type { HourlySeries, Judgement } from '../judgement.js';
import { hourContextOf, type HourContext } from './hour-context.js';
import { median } from './robust.js';
import { HOURS_PER_WEEK, type HourlyRuleType } from './rule-type.js';

/**
 * Consumption while the site is closed (nights, weekends, public holidays, closures: the site
 * calendar's `isOpen`) against two references, each optional:
 * - a share of the occupied load (median of the open hours of the trailing `weeks`): "the night
 *   draws 80 % of a working hour";
 * - its own out-of-hours baseline over the trailing weeks, exceeded by `percent` AND by
 *   `minExcessShare` of the occupied load, so a quiet night that goes from 2 to 3 kWh does not
 *   fire. The baseline of a working-day night hour is the same local hour on the working-day nights
 *   (five a week: robust to a run of bad nights); of a weekend hour, the same hour of the week (a
 *   Saturday may be half worked, a Sunday not); of a holiday or closure hour, the same local hour on
 *   the trailing weekend days.
 */
export const outOfHoursParams = z.strictObject({
  weeks: z.number().int().min(1).max(26).default(6),
  /** Closed hour above this share of the occupied median triggers (0 disables). */
  occupiedShare: z.number().min(0).default(0),
  /** Closed hour above its own baseline by this percentage triggers (0 disables)… */
  percent: z.number().min(0).default(50),
  /** …when the excess is also at least this share of the occupied median. */
  minExcessShare: z.number().min(0).default(0.1),
  /** Fewest reference hours of the same kind for the baseline. */
  minReference: z.number().int().min(1).default(3),
});
export type OutOfHoursParams = z.infer<typeof outOfHoursParams>;

/** Whether closed hour j belongs to the out-of-hours baseline of closed hour i. */
function sameKind(ctx: HourContext, i: number, j: number): boolean {
  if (ctx.hourOfDay(j) !== ctx.hourOfDay(i)) return false;
  const ti = ctx.dayType(i);
  const tj = ctx.dayType(j);
  if (ti === 'working') return tj === 'working';
  if (ti === 'weekend') return tj === 'weekend' && ctx.slot(j) === ctx.slot(i);
  return tj === 'weekend';
}

export function outOfHoursDetect(series: HourlySeries, p: OutOfHoursParams, fromIndex: number, toIndex: number): Judgement[] {
  const to = Math.min(toIndex, series.values.length);
  const from = Math.max(0, fromIndex);
  if (to <= from) return [];
  const lookback = p.weeks * HOURS_PER_WEEK;
  const ctx = hourContextOf(series, from - lookback, to);
  const values = series.values;
  const out: Judgement[] = [];
  for (let i = from; i < to; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) continue;
    const startMs = series.startMs + i * HOUR_MS;
    if (ctx.open(i)) {
      // An open hour is not out of hours: it clears, so a night alert does not stay open all day.
      out.push({ startMs, endMs: startMs + HOUR_MS, trigger: false, clear: true, measured: x, expected: null });
      continue;
    }
    const occupied: number[] = [];
    const own: number[] = [];
    for (let j = Math.max(ctx.lo, i - lookback); j < i; j++) {
      const v = values[j]!;
      if (!Number.isFinite(v)) continue;
      if (ctx.open(j)) occupied.push(v);
      else if (sameKind(ctx, i, j)) own.push(v);
    }
    if (occupied.length < 24) continue;
    const occupiedMedian = median(occupied);
    const baseline = own.length >= p.minReference ? median(own) : NaN;
    const overShare = p.occupiedShare > 0 && x > p.occupiedShare * occupiedMedian;
    const overOwn = p.percent > 0 && Number.isFinite(baseline) && x > baseline * (1 + p.percent / 100) && x - baseline > p.minExcessShare * occupiedMedian;
    if (!overShare && !Number.isFinite(baseline) && p.occupiedShare === 0) continue;
    const trigger = overShare || overOwn;
    const expected = Number.isFinite(baseline) ? baseline : p.occupiedShare * occupiedMedian;
    out.push({ startMs, endMs: startMs + HOUR_MS, trigger, clear: !trigger, measured: x, expected });
  }
  return out;
}

export const outOfHours: HourlyRuleType<OutOfHoursParams> = {
  type: 'out-of-hours',
  params: outOfHoursParams,
  lookbackHours: (p) => p.weeks * HOURS_PER_WEEK,
  detect: outOfHoursDetect,
};
