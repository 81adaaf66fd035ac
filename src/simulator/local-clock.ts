import { typeDays, type DayType, type SiteCalendar } from '../energy/calendar.js';
import { utcOffsetMs } from '../energy/local-time.js';

const DAY_MS = 86_400_000;

export interface LocalMoment {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  /** Minutes since local midnight, with fractions. */
  minuteOfDay: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  weekday: number;
  dayType: DayType;
}

const dayOffsets = new Map<string, Map<number, number | null>>();

/**
 * The zone's UTC offset at `tMs`, in ms. A simulated year asks for it at every 15-minute step of
 * every device: the offset is looked up once per UTC day (at both ends) and only days on which it
 * changes (DST, twice a year) fall back to the exact per-slot lookup.
 */
export function offsetMs(tMs: number, timezone: string): number {
  let byDay = dayOffsets.get(timezone);
  if (!byDay) dayOffsets.set(timezone, (byDay = new Map()));
  const day = Math.floor(tMs / DAY_MS);
  let offset = byDay.get(day);
  if (offset === undefined) {
    const a = utcOffsetMs(day * DAY_MS, timezone);
    offset = a === utcOffsetMs((day + 1) * DAY_MS - 1000, timezone) ? a : null;
    byDay.set(day, offset);
  }
  return offset ?? utcOffsetMs(tMs, timezone);
}

/** Local hour of day with fractions (0 ≤ h < 24). */
export function localHours(tMs: number, timezone: string): number {
  const wall = tMs + offsetMs(tMs, timezone);
  return (((wall % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
}

interface DayFacts {
  date: string;
  weekday: number;
  dayType: DayType;
}

/**
 * Local wall-clock facts of instants for one site: date, minute of day, and the day's type under
 * the site calendar (working, weekend, public holiday, closure), the same typing the analytics use
 * (`typeDays`), so that the simulated building closes on exactly the days the baseline expects.
 */
export class LocalClock {
  private readonly days = new Map<number, DayFacts>();
  /** Opening hours in minutes since midnight. */
  readonly openMinute: number;
  readonly closeMinute: number;

  constructor(
    readonly timezone: string,
    private readonly calendar: SiteCalendar,
  ) {
    this.openMinute = minutesOf(calendar.openingHours.from);
    this.closeMinute = minutesOf(calendar.openingHours.to);
  }

  at(tMs: number): LocalMoment {
    const wall = tMs + offsetMs(tMs, this.timezone);
    const dayNumber = Math.floor(wall / DAY_MS);
    const facts = this.facts(dayNumber);
    return { date: facts.date, minuteOfDay: (wall - dayNumber * DAY_MS) / 60_000, weekday: facts.weekday, dayType: facts.dayType };
  }

  /** Type of the local day `dayNumber` (days since 1970-01-01). */
  facts(dayNumber: number): DayFacts {
    let facts = this.days.get(dayNumber);
    if (!facts) {
      const date = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
      // 1970-01-01 was a Thursday (ISO 4).
      const weekday = ((((dayNumber + 3) % 7) + 7) % 7) + 1;
      facts = { date, weekday, dayType: typeDays([date], this.calendar)[0]!.type };
      this.days.set(dayNumber, facts);
    }
    return facts;
  }

  dayType(date: string): DayType {
    return this.facts(Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS)).dayType;
  }
}

/** `HH:MM` to minutes since midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
