import type { IntervalSeries } from '../intervals.js';
import { sortedQuantile } from '../calendar.js';
import { DAY_MS, HOUR_MS, dateToEpochDayMs, localEpochDay, utcOffsetMs } from '../local-time.js';

/**
 * Hour-of-week load profile: 168 slots (Monday 00:00 = slot 0 … Sunday 23:00 = slot 167, local
 * wall-clock time), each with the median and the P10/P90 spread of the hourly consumption seen in
 * that slot. It is the intraday reference a live hour is compared with (the idea of CalTRACK's
 * hourly "time-of-week" model, without its temperature bins).
 *
 * Only complete hours are used; hours of the dates in `excludeDates` (public holidays,
 * closures) are left out so that a Monday slot describes ordinary Mondays.
 */
export interface HourOfWeekSlot {
  slot: number;
  /** Hourly consumption, in the series' unit. NaN when the slot has no data. */
  median: number;
  p10: number;
  p90: number;
  count: number;
}

export function slotOf(tsMs: number, timezone: string): number {
  const wall = tsMs + utcOffsetMs(tsMs, timezone);
  const day = Math.floor(wall / DAY_MS);
  const hour = Math.floor((wall - day * DAY_MS) / HOUR_MS);
  // 1970-01-01 was a Thursday (ISO 4).
  const iso = ((((day + 3) % 7) + 7) % 7) + 1;
  return (iso - 1) * 24 + hour;
}

export function hourOfWeekProfile(hourly: IntervalSeries, timezone: string, excludeDates: ReadonlySet<string> = new Set()): HourOfWeekSlot[] {
  const bySlot: number[][] = Array.from({ length: 168 }, () => []);
  const excluded = new Set([...excludeDates].map((d) => dateToEpochDayMs(d) / DAY_MS));
  for (let i = 0; i < hourly.values.length; i++) {
    const start = hourly.edges[i]!;
    const width = hourly.edges[i + 1]! - start;
    if (hourly.coveredMs[i]! < width - 1 || hourly.estimatedMs[i]! > 0) continue;
    if (excluded.size > 0 && excluded.has(localEpochDay(start, timezone))) continue;
    bySlot[slotOf(start, timezone)]!.push(hourly.values[i]!);
  }
  return bySlot.map((values, slot) => {
    const sorted = Float64Array.from(values).sort();
    return { slot, median: sortedQuantile(sorted, 0.5), p10: sortedQuantile(sorted, 0.1), p90: sortedQuantile(sorted, 0.9), count: values.length };
  });
}

/** Expected consumption of each hour of `hourly` from the profile's medians (NaN for an empty slot). */
export function predictHourly(profile: readonly HourOfWeekSlot[], edges: Float64Array, timezone: string): Float64Array {
  const out = new Float64Array(Math.max(0, edges.length - 1));
  for (let i = 0; i < out.length; i++) out[i] = profile[slotOf(edges[i]!, timezone)]?.median ?? NaN;
  return out;
}

