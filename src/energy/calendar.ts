import type { SiteConfig } from '../config/schema.js';
import { publicHolidays, type Holiday } from './holidays.js';
import { isoWeekday } from './local-time.js';

/**
 * Typing of local days: working day, weekend (a weekday the site does not work), public
 * holiday, or closure period. Priority when several apply: closure > holiday > weekend > working,
 * so a closure label wins and a holiday on a Sunday reads as the holiday.
 */
export type DayType = 'working' | 'weekend' | 'holiday' | 'closure';

export interface SiteCalendar {
  /** ISO 3166 alpha-2 code of the public holidays (FR, GB, US). */
  country: string;
  /** ISO weekdays worked (1 = Monday … 7 = Sunday). */
  workingDays: readonly number[];
  closures: readonly { from: string; to: string; label?: string | undefined }[];
  /** Local opening hours on working days, `HH:MM`, `to` excluded. */
  openingHours: { from: string; to: string };
}

export interface TypedDay {
  date: string;
  type: DayType;
  /** Holiday or closure name. */
  label?: string;
}

export const DEFAULT_CALENDAR: Omit<SiteCalendar, 'country'> = {
  workingDays: [1, 2, 3, 4, 5],
  closures: [],
  openingHours: { from: '08:00', to: '18:00' },
};

/** The calendar of a site; without `calendar` in the config: Monday to Friday, 08:00–18:00, no closures. */
export function siteCalendar(site: Pick<SiteConfig, 'country' | 'calendar'>): SiteCalendar {
  return { country: site.country, ...DEFAULT_CALENDAR, ...(site.calendar ?? {}) };
}

export function isWorkingType(type: DayType): boolean {
  return type === 'working';
}

/** Types the given dates; holidays are computed once per year (throws for an unknown country). */
export function typeDays(dates: readonly string[], calendar: SiteCalendar): TypedDay[] {
  const holidaysByYear = new Map<number, Map<string, string>>();
  const holidayName = (date: string): string | undefined => {
    const year = Number(date.slice(0, 4));
    let map = holidaysByYear.get(year);
    if (!map) {
      map = new Map(publicHolidays(calendar.country, year).map((h: Holiday) => [h.date, h.name]));
      holidaysByYear.set(year, map);
    }
    return map.get(date);
  };
  const working = new Set(calendar.workingDays);
  return dates.map((date) => {
    // ISO dates compare correctly as strings.
    const closure = calendar.closures.find((c) => c.from <= date && date <= c.to);
    if (closure) return { date, type: 'closure', label: closure.label ?? 'closure' };
    const holiday = holidayName(date);
    if (holiday !== undefined) return { date, type: 'holiday', label: holiday };
    return { date, type: working.has(isoWeekday(date)) ? 'working' : 'weekend' };
  });
}

const parsedMinutes = new Map<string, number>();

/** "07:30" -> 450; memoised: isOpen runs for every hour of a year (the profile showed the split). */
function minutes(hhmm: string): number {
  let v = parsedMinutes.get(hhmm);
  if (v === undefined) {
    const [h, m] = hhmm.split(':').map(Number);
    v = (h ?? 0) * 60 + (m ?? 0);
    parsedMinutes.set(hhmm, v);
  }
  return v;
}

/** True when local minute-of-day `minuteOfDay` is within opening hours on a day of type `type`. */
export function isOpen(type: DayType, minuteOfDay: number, calendar: SiteCalendar): boolean {
  if (type !== 'working') return false;
  const from = minutes(calendar.openingHours.from);
  const to = minutes(calendar.openingHours.to);
  return from <= to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
}

/** isOpen's test on working days, with the opening hours read once (openHourMask asks it for every hour of a year). */
export function withinOpeningHours(calendar: SiteCalendar): (minuteOfDay: number) => boolean {
  const from = minutes(calendar.openingHours.from);
  const to = minutes(calendar.openingHours.to);
  return from <= to ? (m) => m >= from && m < to : (m) => m >= from || m < to;
}

export interface NonWorkingCandidate {
  date: string;
  energyKWh: number;
  /** Public holiday of that date, when a country is given: likely the reason. */
  holiday?: string;
}

export interface NonWorkingDetection {
  /** Median daily consumption of Saturdays and Sundays. */
  weekendLevelKWh: number;
  /** Median daily consumption of Mondays to Fridays. */
  workingLevelKWh: number;
  /** Weekdays at or below this (midpoint of the two levels) look like non-working days. */
  thresholdKWh: number;
  /** False when weekends are not clearly lower (weekend level ≥ 85 % of the working level): nothing is proposed. */
  distinct: boolean;
  /** Weekdays to confirm as holidays or closures (then add them to calendar.closures). */
  candidates: NonWorkingCandidate[];
}

/**
 * Without a site calendar: finds Monday–Friday days whose consumption is nearer the weekend
 * level than the working-day level (below the midpoint of the two medians). They are only
 * listed for confirmation, never applied silently.
 */
export function detectNonWorkingDays(daily: readonly { date: string; energyKWh: number }[], country?: string): NonWorkingDetection {
  const valid = daily.filter((d) => Number.isFinite(d.energyKWh));
  const weekend = valid.filter((d) => isoWeekday(d.date) >= 6).map((d) => d.energyKWh);
  const weekdays = valid.filter((d) => isoWeekday(d.date) <= 5);
  const weekendLevelKWh = median(weekend);
  const workingLevelKWh = median(weekdays.map((d) => d.energyKWh));
  const thresholdKWh = (weekendLevelKWh + workingLevelKWh) / 2;
  const distinct = Number.isFinite(thresholdKWh) && weekendLevelKWh < 0.85 * workingLevelKWh;
  const candidates: NonWorkingCandidate[] = [];
  if (distinct) {
    const holidays = new Map<string, string>();
    if (country !== undefined) {
      const years = new Set(weekdays.map((d) => Number(d.date.slice(0, 4))));
      for (const y of years) for (const h of publicHolidays(country, y)) holidays.set(h.date, h.name);
    }
    for (const d of weekdays) {
      if (d.energyKWh > thresholdKWh) continue;
      const holiday = holidays.get(d.date);
      candidates.push({ date: d.date, energyKWh: d.energyKWh, ...(holiday !== undefined ? { holiday } : {}) });
    }
  }
  return { weekendLevelKWh, workingLevelKWh, thresholdKWh, distinct, candidates };
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (type 7, as R and NumPy default); NaN for no values. */
export function quantile(values: readonly number[] | Float64Array, q: number): number {
  return sortedQuantile(Float64Array.from(values).sort(), q);
}

/** Quantile of values already sorted ascending. */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
