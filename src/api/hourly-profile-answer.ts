import type { HourOfWeekSlot } from '../energy/baseline/hour-of-week.js';
import type { GridDay } from '../energy/hourly-grid.js';
import { HOUR_MS, isoWeekday, localHourOf, type LocalDay } from '../energy/local-time.js';

/**
 * Fewest ordinary weeks of the reference period a slot needs before its median and P10–P90 are
 * stated: the default `minWeeks` of the baseline-deviation rule (src/rules/detectors/baseline-deviation.ts),
 * so that the page and the rule agree on when an hour has a reference.
 */
export const MIN_SLOT_WEEKS = 3;

/** Why an hour has no expected value (null when it has one). */
export type NoExpectedReason = 'no-profile' | 'unusual-day' | 'few-weeks' | 'repeated-hour' | 'skipped-hour';

export interface HourAgainstProfile {
  date: string;
  hour: number;
  dayType: GridDay['dayType'];
  actualKWh: number | null;
  expectedKWh: number | null;
  lowKWh: number | null;
  highKWh: number | null;
  slotWeeks: number;
  noExpected: NoExpectedReason | null;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Wall-clock hours a local day holds twice (autumn DST) and never (spring DST). */
function dstHours(day: LocalDay, timezone: string): { repeated: Set<number>; skipped: Set<number> } {
  const seen = new Array<number>(24).fill(0);
  for (let t = day.startMs; t < day.endMs; t += HOUR_MS) seen[localHourOf(t, timezone)]! += 1;
  return { repeated: new Set(seen.flatMap((n, h) => (n > 1 ? [h] : []))), skipped: new Set(seen.flatMap((n, h) => (n === 0 ? [h] : []))) };
}

/**
 * Each local hour of a period against the hour-of-week profile of the site's reference period
 * (hour-of-week.ts: median and P10–P90 of the same wall-clock hour of the same weekday). The
 * profile leaves out public holidays and closures, so it says nothing about such a day; the
 * repeated hour of the autumn DST day holds two real hours (hourly-grid.ts), which no slot
 * describes; a slot seen on fewer than MIN_SLOT_WEEKS weeks has too few values for a spread.
 * Each of these hours has no expected value, and says why.
 */
export function hoursAgainstProfile(grid: readonly GridDay[], days: readonly LocalDay[], profile: readonly HourOfWeekSlot[] | null, timezone: string): HourAgainstProfile[] {
  const out: HourAgainstProfile[] = [];
  for (const [i, g] of grid.entries()) {
    const { repeated, skipped } = dstHours(days[i]!, timezone);
    const weekday = isoWeekday(g.date);
    for (let hour = 0; hour < 24; hour++) {
      const slot = profile?.[(weekday - 1) * 24 + hour];
      const weeks = slot?.count ?? 0;
      const why: NoExpectedReason | null = !profile
        ? 'no-profile'
        : skipped.has(hour)
          ? 'skipped-hour'
          : g.dayType === 'holiday' || g.dayType === 'closure'
            ? 'unusual-day'
            : repeated.has(hour)
              ? 'repeated-hour'
              : weeks < MIN_SLOT_WEEKS
                ? 'few-weeks'
                : null;
      const stated = why === null && slot !== undefined;
      out.push({
        date: g.date,
        hour,
        dayType: g.dayType,
        actualKWh: g.kWh[hour] ?? null,
        expectedKWh: stated ? finite(slot.median) : null,
        lowKWh: stated ? finite(slot.p10) : null,
        highKWh: stated ? finite(slot.p90) : null,
        slotWeeks: weeks,
        noExpected: why,
      });
    }
  }
  return out;
}
