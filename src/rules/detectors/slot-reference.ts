import type { HourlySeries } from '../judgement.js';
import type { HourContext } from './hour-context.js';
import { HOURS_PER_WEEK } from './rule-type.js';
import { robustStats, type RobustStats } from './robust.js';

/**
 * The same local hour of the week in each of the `weeks` weeks before hour `i`, on ordinary days
 * only (holidays and closures are left out, so a Monday slot describes ordinary Mondays), finite
 * values only. A week back is 168 hours in UTC except across a DST change, where the same
 * wall-clock slot is one hour nearer or further: the neighbour with the right slot is taken.
 * The context must cover [i − weeks·168 − 1, i].
 */
export function sameSlotHistory(series: HourlySeries, ctx: HourContext, i: number, weeks: number): number[] {
  const out: number[] = [];
  const slot = ctx.slot(i);
  for (let w = 1; w <= weeks; w++) {
    const base = i - w * HOURS_PER_WEEK;
    for (const j of [base, base - 1, base + 1]) {
      if (!ctx.has(j) || ctx.slot(j) !== slot) continue;
      if (ctx.ordinary(j)) {
        const v = series.values[j]!;
        if (Number.isFinite(v)) out.push(v);
      }
      break;
    }
  }
  return out;
}

/** Robust profile of hour `i`'s slot, or null with fewer than `minWeeks` usable weeks. */
export function slotProfile(series: HourlySeries, ctx: HourContext, i: number, weeks: number, minWeeks: number): RobustStats | null {
  const history = sameSlotHistory(series, ctx, i, weeks);
  if (history.length < minWeeks) return null;
  return robustStats(history);
}

/** Lookback of a same-slot reference over `weeks` weeks: one hour more for a DST shift. */
export function slotLookbackHours(weeks: number): number {
  return weeks * HOURS_PER_WEEK + 1;
}
