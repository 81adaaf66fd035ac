import { isOpen, typeDays, type DayType } from '../../energy/calendar.js';
import { slotOf } from '../../energy/baseline/hour-of-week.js';
import { DAY_MS, HOUR_MS, epochDayMsToDate, localEpochDay, utcOffsetMs } from '../../energy/local-time.js';
import type { HourlySeries } from '../judgement.js';

/**
 * Calendar facts of the hours [lo, hi) of a series, local to the site: hour-of-week slot
 * (DST-safe through `slotOf`: a 23 h or 25 h day keeps Monday 08:00 on Monday 08:00), local day
 * type (working, weekend, holiday, closure) and whether the site is open. They depend on time
 * only, never on values, so computing them for any range keeps the detectors causal.
 */
export class HourContext {
  readonly lo: number;
  readonly hi: number;
  private readonly slots: Int16Array;
  private readonly hoursOfDay: Int8Array;
  private readonly types: DayType[];
  private readonly opens: Uint8Array;

  constructor(series: HourlySeries, lo: number, hi: number) {
    this.lo = Math.max(0, lo);
    this.hi = Math.max(this.lo, hi);
    const n = this.hi - this.lo;
    this.slots = new Int16Array(n);
    this.hoursOfDay = new Int8Array(n);
    this.opens = new Uint8Array(n);
    const days = new Int32Array(n);
    const minutes = new Int16Array(n);
    const distinct = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      const t = series.startMs + (this.lo + k) * HOUR_MS;
      this.slots[k] = slotOf(t, series.timezone);
      const wall = t + utcOffsetMs(t, series.timezone);
      const day = localEpochDay(t, series.timezone);
      days[k] = day;
      minutes[k] = Math.floor((wall - day * DAY_MS) / 60_000);
      this.hoursOfDay[k] = Math.floor(minutes[k]! / 60);
      if (!distinct.has(day)) distinct.set(day, distinct.size);
    }
    const typed = typeDays([...distinct.keys()].map((d) => epochDayMsToDate(d * DAY_MS)), series.calendar);
    this.types = new Array<DayType>(n);
    for (let k = 0; k < n; k++) {
      const type = typed[distinct.get(days[k]!)!]!.type;
      this.types[k] = type;
      this.opens[k] = isOpen(type, minutes[k]!, series.calendar) ? 1 : 0;
    }
  }

  has(i: number): boolean {
    return i >= this.lo && i < this.hi;
  }

  /** Hour of the week, 0 = Monday 00:00 local … 167 = Sunday 23:00. */
  slot(i: number): number {
    return this.slots[i - this.lo]!;
  }

  /** Local wall-clock hour of day, 0–23. */
  hourOfDay(i: number): number {
    return this.hoursOfDay[i - this.lo]!;
  }

  dayType(i: number): DayType {
    return this.types[i - this.lo]!;
  }

  /** An ordinary day (working or weekend): what a learnt profile may learn from. */
  ordinary(i: number): boolean {
    const t = this.types[i - this.lo]!;
    return t === 'working' || t === 'weekend';
  }

  /** Within the site's opening hours (calendar.isOpen). */
  open(i: number): boolean {
    return this.opens[i - this.lo] === 1;
  }
}

/** Contexts recently built per calendar (a site's), at most this many each. */
const CONTEXTS_PER_CALENDAR = 16;
const recent = new WeakMap<object, Map<string, HourContext>>();

/**
 * The HourContext of [lo, hi) of a series, shared: a site's energy rules judge the same hours of
 * the same meter every cycle (spike-drop, baseline deviation and CUSUM over the same slot
 * lookback), and the calendar arithmetic is the larger part of their cost. Keyed by the calendar
 * object, the zone and the absolute hours, so a context is only ever reused for the same facts.
 */
export function hourContextOf(series: HourlySeries, lo: number, hi: number): HourContext {
  let byRange = recent.get(series.calendar);
  if (!byRange) recent.set(series.calendar, (byRange = new Map()));
  const key = `${series.timezone}\u0000${series.startMs}\u0000${lo}\u0000${hi}`;
  let ctx = byRange.get(key);
  if (!ctx) {
    ctx = new HourContext(series, lo, hi);
    byRange.set(key, ctx);
    if (byRange.size > CONTEXTS_PER_CALENDAR) byRange.delete(byRange.keys().next().value!);
  }
  return ctx;
}
