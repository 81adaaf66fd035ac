import type { EnergyCarrier } from '../config/quantities.js';
import { median, withinOpeningHours, type DayType, type SiteCalendar } from './calendar.js';
import type { IntervalSeries } from './intervals.js';
import { DAY_MS, HOUR_MS, dateToEpochDayMs, localEpochDay, utcOffsetMs } from './local-time.js';

/**
 * Site KPIs over a period. Pure functions; the analytics service feeds them.
 */

/**
 * Default gas conversion, kWh (PCS, higher heating value) per m³: a typical French H-gas
 * value (GRDF bills use the local "coefficient de conversion", about 10.5–11.5). Configurable.
 */
export const DEFAULT_GAS_KWH_PER_M3 = 11.2;

/** The factor as the exports print it: the value and where it comes from (OPERAT takes kWh of final energy). */
export const DEFAULT_GAS_SOURCE =
  'default 11.2 kWh PCS/m3: typical French H-gas; the GRDF invoice states the local coefficient de conversion (about 10.5-11.5) to use instead';

/** Final energy in kWh of the energy carriers (water is not energy and is left out). */
export function finalEnergyKWh(byCarrier: Partial<Record<EnergyCarrier, number>>, gasKWhPerM3 = DEFAULT_GAS_KWH_PER_M3): number {
  return (byCarrier.electricity ?? 0) + (byCarrier.heat ?? 0) + (byCarrier.gas ?? 0) * gasKWhPerM3;
}

export function intensityKWhPerM2(energyKWh: number, floorAreaM2: number): number {
  return energyKWh / floorAreaM2;
}

/**
 * Climate correction: only the heating-dependent part (βH·HDD of the baseline, summed over the
 * period) is scaled by reference DJU / actual DJU; the rest of the consumption is not weather
 * driven. The reference is either a configured normal year (e.g. Météo-France 30-year normals
 * for the site's station) or the DJU of the baseline period on the same calendar days
 * (see referenceDjuSameCalendarDays). Without heating degree days the consumption is unchanged.
 */
export function climateCorrectedKWh(input: { energyKWh: number; heatingKWh: number; actualDju: number; referenceDju: number }): number {
  if (!(input.actualDju > 0) || !(input.heatingKWh > 0)) return input.energyKWh;
  return input.energyKWh - input.heatingKWh + (input.heatingKWh * input.referenceDju) / input.actualDju;
}

/**
 * DJU of the baseline period on the same calendar days (MM-DD) as the period; 29 February falls
 * back to 28 February when the baseline year has none. Days missing in the baseline are skipped
 * and counted, so the caller can tell the reference is partial.
 */
export function referenceDjuSameCalendarDays(periodDates: readonly string[], baselineDju: ReadonlyMap<string, number | null>): { dju: number; daysMissing: number } {
  const byMonthDay = new Map<string, number>();
  for (const [date, dju] of baselineDju) if (dju !== null) byMonthDay.set(date.slice(5), dju);
  let dju = 0;
  let daysMissing = 0;
  for (const date of periodDates) {
    const md = date.slice(5);
    const v = byMonthDay.get(md) ?? (md === '02-29' ? byMonthDay.get('02-28') : undefined);
    if (v === undefined) daysMissing++;
    else dju += v;
  }
  return { dju, daysMissing };
}

export interface Deviation {
  actualKWh: number;
  predictedKWh: number;
  /** actual − predicted: positive is over-consumption. */
  deviationKWh: number;
  deviationPct: number;
  /** Days where both actual and prediction are known (the only ones compared). */
  days: number;
}

export function deviationFromBaseline(actual: ArrayLike<number>, predicted: ArrayLike<number>): Deviation {
  let a = 0;
  let p = 0;
  let days = 0;
  for (let i = 0; i < actual.length; i++) {
    if (!Number.isFinite(actual[i]!) || !Number.isFinite(predicted[i]!)) continue;
    a += actual[i]!;
    p += predicted[i]!;
    days++;
  }
  return { actualKWh: a, predictedKWh: p, deviationKWh: a - p, deviationPct: p !== 0 ? (100 * (a - p)) / p : NaN, days };
}

/** CUSUM of (actual − predicted) per day (ISO 50006 style): a falling line means savings. Unknown days carry the sum forward. */
export function cusum(dates: readonly string[], actual: ArrayLike<number>, predicted: ArrayLike<number>): { date: string; cusumKWh: number; known: boolean }[] {
  let sum = 0;
  return dates.map((date, i) => {
    const known = Number.isFinite(actual[i]!) && Number.isFinite(predicted[i]!);
    if (known) sum += actual[i]! - predicted[i]!;
    return { date, cusumKWh: sum, known };
  });
}

/** Whether each hour of `hourly` is an opening hour (local start time; non-working days have none). */
export function openHourMask(hourly: IntervalSeries, dayTypes: ReadonlyMap<string, DayType>, calendar: SiteCalendar, timezone: string): Uint8Array {
  const mask = new Uint8Array(hourly.values.length);
  const byDay = new Map<number, DayType>();
  for (const [date, type] of dayTypes) byDay.set(dateToEpochDayMs(date) / DAY_MS, type);
  // isOpen(type, minute, calendar), with the day's type looked up once per day, not per hour.
  const open = withinOpeningHours(calendar);
  let lastDay = NaN;
  let working = false;
  for (let i = 0; i < mask.length; i++) {
    const start = hourly.edges[i]!;
    const wall = start + utcOffsetMs(start, timezone);
    const day = Math.floor(wall / DAY_MS);
    if (day !== lastDay) {
      lastDay = day;
      working = (byDay.get(day) ?? 'working') === 'working';
    }
    mask[i] = working && open(Math.floor((wall - day * DAY_MS) / 60_000)) ? 1 : 0;
  }
  return mask;
}

export interface LoadSplit {
  totalKWh: number;
  outOfHoursKWh: number;
  /** outOfHoursKWh / totalKWh (0…1). */
  outOfHoursShare: number;
  /**
   * Baseload, kW: for each local day, the lowest hourly consumption among its closed hours (nights
   * of working days, all hours of weekends, holidays and closures), using complete, non-estimated
   * hours only (1 kWh in one hour = 1 kW mean); the baseload is the MEDIAN of those daily minima,
   * so one odd night does not set it. NaN when no closed hour is known.
   */
  baseloadKW: number;
  /** baseload × hours of the period / total: the share that runs whatever the occupancy. */
  baseloadShare: number;
  daysWithClosedHours: number;
}

export function loadSplit(hourly: IntervalSeries, openMask: Uint8Array, timezone: string): LoadSplit {
  let total = 0;
  let outOfHours = 0;
  let hours = 0;
  const dailyMin = new Map<number, number>();
  for (let i = 0; i < hourly.values.length; i++) {
    const v = hourly.values[i]!;
    const start = hourly.edges[i]!;
    const width = hourly.edges[i + 1]! - start;
    total += v;
    hours += width / HOUR_MS;
    if (openMask[i] === 1) continue;
    outOfHours += v;
    if (hourly.coveredMs[i]! < width - 1 || hourly.estimatedMs[i]! > 0) continue;
    const date = localEpochDay(start, timezone);
    const kW = v / (width / HOUR_MS);
    const prev = dailyMin.get(date);
    if (prev === undefined || kW < prev) dailyMin.set(date, kW);
  }
  const baseloadKW = median([...dailyMin.values()]);
  return {
    totalKWh: total,
    outOfHoursKWh: outOfHours,
    outOfHoursShare: total > 0 ? outOfHours / total : NaN,
    baseloadKW,
    baseloadShare: total > 0 && Number.isFinite(baseloadKW) ? (baseloadKW * hours) / total : NaN,
    daysWithClosedHours: dailyMin.size,
  };
}
