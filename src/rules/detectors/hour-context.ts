import { isOpen, typeDays, type DayType, type SiteCalendar } from '../../energy/calendar.js';
import { slotOf } from '../../energy/baseline/hour-of-week.js';
import { DAY_MS, HOUR_MS, epochDayMsToDate, localEpochDay, utcOffsetMs } from '../../energy/local-time.js';
import type { HourlySeries } from '../judgement.js';

/** Calendar facts of a run of consecutive hours, the first at `firstHour` (hours since the epoch, plus a phase). */
interface HourFacts {
  firstHour: number;
  slots: Int16Array;
  hoursOfDay: Int8Array;
  types: DayType[];
  opens: Uint8Array;
  /** Longest range asked of these facts so far: what is kept must hold it, with room to slide. */
  widest: number;
}

/**
 * Fewest hours kept per calendar, zone and phase; more when a rule asks a longer range. A backtest
 * slides over a year, so not everything is kept; a live cycle asks the same ranges one hour later.
 */
const MIN_KEPT_HOURS = 12 * 7 * 24;
/** Room past the widest range asked: a week of cycles that each ask it one hour later. */
const SLIDE_HOURS = 7 * 24;

/** Hours whose facts were computed (for tests: what is kept is not computed again). */
let computedHours = 0;
export function hourFactsComputed(): number {
  return computedHours;
}

function computeFacts(firstHour: number, n: number, phaseMs: number, timezone: string, calendar: SiteCalendar): HourFacts {
  computedHours += n;
  const slots = new Int16Array(n);
  const hoursOfDay = new Int8Array(n);
  const opens = new Uint8Array(n);
  const days = new Int32Array(n);
  const minutes = new Int16Array(n);
  const distinct = new Map<number, number>();
  for (let k = 0; k < n; k++) {
    const t = (firstHour + k) * HOUR_MS + phaseMs;
    slots[k] = slotOf(t, timezone);
    const wall = t + utcOffsetMs(t, timezone);
    const day = localEpochDay(t, timezone);
    days[k] = day;
    minutes[k] = Math.floor((wall - day * DAY_MS) / 60_000);
    hoursOfDay[k] = Math.floor(minutes[k]! / 60);
    if (!distinct.has(day)) distinct.set(day, distinct.size);
  }
  const typed = typeDays([...distinct.keys()].map((d) => epochDayMsToDate(d * DAY_MS)), calendar);
  const types = new Array<DayType>(n);
  for (let k = 0; k < n; k++) {
    const type = typed[distinct.get(days[k]!)!]!.type;
    types[k] = type;
    opens[k] = isOpen(type, minutes[k]!, calendar) ? 1 : 0;
  }
  return { firstHour, slots, hoursOfDay, types, opens, widest: n };
}

/** Facts of [a, b) from `held` where it covers them, computed for the rest (typeDays types each date on its own). */
function extend(held: HourFacts | undefined, a: number, b: number, phaseMs: number, timezone: string, calendar: SiteCalendar): HourFacts {
  if (!held) return computeFacts(a, b - a, phaseMs, timezone, calendar);
  const heldEnd = held.firstHour + held.slots.length;
  const widest = Math.max(held.widest, b - a);
  // What is held is trimmed to `keep` hours around [a, b), never dropped for being too long: a
  // site's energy rules ask windows of different lengths ending at the same hour, and the daily
  // drift's (100 days by default) is longer than 12 weeks; dropping what was held whenever the
  // union outgrew a fixed 12 weeks made every warm hourly cycle compute each meter's facts again
  // (576 hours per meter, a tenth of the cycle's main-thread time in bench:rules-cycle).
  const keep = Math.max(MIN_KEPT_HOURS, widest + SLIDE_HOURS);
  const lo = Math.max(Math.min(a, held.firstHour), b - keep);
  const hi = Math.min(Math.max(b, heldEnd), lo + keep);
  const n = hi - lo;
  const out: HourFacts = { firstHour: lo, slots: new Int16Array(n), hoursOfDay: new Int8Array(n), types: new Array<DayType>(n), opens: new Uint8Array(n), widest };
  const put = (f: HourFacts, from: number, to: number) => {
    for (let h = from; h < to; h++) {
      const i = h - lo;
      const j = h - f.firstHour;
      out.slots[i] = f.slots[j]!;
      out.hoursOfDay[i] = f.hoursOfDay[j]!;
      out.types[i] = f.types[j]!;
      out.opens[i] = f.opens[j]!;
    }
  };
  const keepFrom = Math.max(lo, held.firstHour);
  const keepTo = Math.min(hi, heldEnd);
  if (keepFrom < keepTo) {
    put(held, keepFrom, keepTo);
    if (lo < keepFrom) put(computeFacts(lo, keepFrom - lo, phaseMs, timezone, calendar), lo, keepFrom);
    if (keepTo < hi) put(computeFacts(keepTo, hi - keepTo, phaseMs, timezone, calendar), keepTo, hi);
  } else {
    put(computeFacts(lo, n, phaseMs, timezone, calendar), lo, hi);
  }
  return out;
}

/** Facts kept per calendar object (a site's), then per zone and phase of the hours. */
const kept = new WeakMap<object, Map<string, HourFacts>>();

function factsFor(series: HourlySeries, a: number, b: number): HourFacts {
  const phaseMs = ((series.startMs % HOUR_MS) + HOUR_MS) % HOUR_MS;
  let byZone = kept.get(series.calendar);
  if (!byZone) kept.set(series.calendar, (byZone = new Map()));
  const key = `${series.timezone}\u0000${phaseMs}`;
  const held = byZone.get(key);
  if (held && held.firstHour <= a && b <= held.firstHour + held.slots.length) return held;
  const facts = extend(held, a, b, phaseMs, series.timezone, series.calendar);
  byZone.set(key, facts);
  return facts;
}

/**
 * Calendar facts of the hours [lo, hi) of a series, local to the site: hour-of-week slot
 * (DST-safe through `slotOf`: a 23 h or 25 h day keeps Monday 08:00 on Monday 08:00), local day
 * type (working, weekend, holiday, closure) and whether the site is open. They depend on time
 * only, never on values, so computing them for any range keeps the detectors causal; they are
 * kept per site calendar by absolute hour and grown as asked, so that the energy rules of a site,
 * whose windows differ in length, and the next cycle, one hour later, compute only the hours not
 * held yet (about 5 % of a warm hourly cycle's profile in `npm run bench:rules-cycle`).
 */
export class HourContext {
  readonly lo: number;
  readonly hi: number;
  private readonly facts: HourFacts;
  /** Index in `facts` of the series' hour 0. */
  private readonly base: number;

  constructor(series: HourlySeries, lo: number, hi: number) {
    this.lo = Math.max(0, lo);
    this.hi = Math.max(this.lo, hi);
    const hour0 = Math.floor(series.startMs / HOUR_MS);
    this.facts = factsFor(series, hour0 + this.lo, hour0 + this.hi);
    this.base = hour0 - this.facts.firstHour;
  }

  has(i: number): boolean {
    return i >= this.lo && i < this.hi;
  }

  /** Hour of the week, 0 = Monday 00:00 local … 167 = Sunday 23:00. */
  slot(i: number): number {
    return this.facts.slots[i + this.base]!;
  }

  /** Local wall-clock hour of day, 0–23. */
  hourOfDay(i: number): number {
    return this.facts.hoursOfDay[i + this.base]!;
  }

  dayType(i: number): DayType {
    return this.facts.types[i + this.base]!;
  }

  /** An ordinary day (working or weekend): what a learnt profile may learn from. */
  ordinary(i: number): boolean {
    const t = this.facts.types[i + this.base]!;
    return t === 'working' || t === 'weekend';
  }

  /** Within the site's opening hours (calendar.isOpen). */
  open(i: number): boolean {
    return this.facts.opens[i + this.base] === 1;
  }
}

/** The HourContext of [lo, hi) of a series (the calendar facts behind it are kept per site calendar, see HourContext). */
export function hourContextOf(series: HourlySeries, lo: number, hi: number): HourContext {
  return new HourContext(series, lo, hi);
}
