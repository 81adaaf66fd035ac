import type { TypedDay } from './calendar.js';
import type { IntervalSeries } from './intervals.js';
import { HOUR_MS, localHourOf, type LocalDay } from './local-time.js';

/** One local day of a carpet plot: 24 cells by wall-clock hour, kWh or null. */
export interface GridDay {
  date: string;
  dayType: TypedDay['type'];
  /** kWh per local hour 0…23; null when the hour is not fully measured (or does not exist: spring DST). */
  kWh: (number | null)[];
}


/**
 * Hour × day grid of final energy for a carpet plot (night and weekend waste show as bright
 * cells where the building should be dark). Cells are local wall-clock hours of the site: on the
 * autumn DST day the repeated hour holds both real hours summed, so a day's cells still add up to
 * its consumption; on the spring day the skipped hour is null. An hour covered only by a gap
 * spread linearly is null, not an estimate drawn as if it were measured.
 */
export function hourlyGrid(days: readonly LocalDay[], hourly: IntervalSeries, typed: readonly TypedDay[], timezone: string): GridDay[] {
  const out: GridDay[] = [];
  let k = 0;
  for (const [i, day] of days.entries()) {
    const cells: (number | null)[] = new Array<number | null>(24).fill(null);
    const seen = new Array<boolean>(24).fill(false);
    const broken = new Array<boolean>(24).fill(false);
    for (let t = day.startMs; t < day.endMs; t += HOUR_MS, k++) {
      const hour = localHourOf(t, timezone);
      const measured = hourly.coveredMs[k]! >= HOUR_MS - 1 && hourly.estimatedMs[k]! === 0;
      if (!measured) broken[hour] = true;
      cells[hour] = (seen[hour] ? cells[hour]! : 0) + hourly.values[k]!;
      seen[hour] = true;
    }
    out.push({ date: day.date, dayType: typed[i]?.type ?? 'working', kWh: cells.map((v, h) => (broken[h] || !seen[h] ? null : v)) });
  }
  return out;
}
