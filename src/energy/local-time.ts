/**
 * Local-calendar arithmetic for the analytics, with Intl only (no tz library is installed).
 * A local day is 23 or 25 hours long on DST changes (Europe/Paris: last Sunday of March and
 * of October), so days are always delimited by their real UTC instants, never by 86,400,000 ms steps.
 *
 * Offsets are cached per zone and per 15-minute slot: every zone in the IANA database changes
 * its offset on a quarter-hour, so the cache is exact, and it makes a year of hourly readings cheap.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
const SLOT_MS = 900_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

function computeOffsetMs(tsMs: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(tsMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wallMs = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  return wallMs - (tsMs - (((tsMs % 1000) + 1000) % 1000));
}

/**
 * The offset of a whole UTC day when it is the same all day long (every day but the few with a
 * transition), else null. It is read at the day's first and next day's first instant, and a day
 * whose two ends agree is taken as constant: a zone that changed its offset and changed it back
 * within one day would be missed (none is known in the tz database; the 15-minute slots serve
 * every day whose ends differ). One Intl call per day, shared by neighbouring days: probing
 * 9 times a day made Intl formatToParts the largest cost of a first comparison after start
 * (1.3 of 2.1 s for 20 site-years in 4 zones, bench profile 2026-12-01).
 */
const midnightOffsetCache = new Map<string, Map<number, number>>();

function midnightOffsetMs(day: number, timezone: string): number {
  let cache = midnightOffsetCache.get(timezone);
  if (!cache) {
    cache = new Map();
    midnightOffsetCache.set(timezone, cache);
  }
  let offset = cache.get(day);
  if (offset === undefined) {
    offset = computeOffsetMs(day * DAY_MS, timezone);
    cache.set(day, offset);
  }
  return offset;
}

const dayOffsetCache = new Map<string, Map<number, number | null>>();

function dayOffsetMs(day: number, timezone: string): number | null {
  let cache = dayOffsetCache.get(timezone);
  if (!cache) {
    cache = new Map();
    dayOffsetCache.set(timezone, cache);
  }
  let offset = cache.get(day);
  if (offset === undefined) {
    const start = midnightOffsetMs(day, timezone);
    offset = midnightOffsetMs(day + 1, timezone) === start ? start : null;
    cache.set(day, offset);
  }
  return offset;
}

/**
 * The last UTC day asked for, and its whole-day offset: callers walk a year hour by hour, so
 * 24 calls in a row ask for the same day, and two Map lookups per hour were the largest self
 * time of the comparisons of the compare-load benchmark (dayOffsetMs 0.9 of ~18 s busy, profile
 * 2026-12-01 16:08). The same value as the Maps give, without looking them up.
 */
let lastZone = '';
let lastDay = NaN;
let lastWhole: number | null = null;

/** Offset of `timezone` from UTC at the instant `tsMs`, in ms (Europe/Paris in winter: 3,600,000). */
export function utcOffsetMs(tsMs: number, timezone: string): number {
  const day = Math.floor(tsMs / DAY_MS);
  if (day !== lastDay || timezone !== lastZone) {
    lastWhole = dayOffsetMs(day, timezone);
    lastDay = day;
    lastZone = timezone;
  }
  const whole = lastWhole;
  if (whole !== null) return whole;
  let cache = offsetCache.get(timezone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timezone, cache);
  }
  const slot = Math.floor(tsMs / SLOT_MS);
  let offset = cache.get(slot);
  if (offset === undefined) {
    offset = computeOffsetMs(slot * SLOT_MS, timezone);
    cache.set(slot, offset);
  }
  return offset;
}

/** The instant at which the wall clock of `timezone` shows `wallMs` (wall time written as if it were UTC). */
export function wallTimeToUtcMs(wallMs: number, timezone: string): number {
  const first = wallMs - utcOffsetMs(wallMs, timezone);
  return wallMs - utcOffsetMs(first, timezone);
}

/** `YYYY-MM-DD` to the UTC-midnight epoch of that calendar date (a day number × DAY_MS). */
export function dateToEpochDayMs(date: string): number {
  // What /^(\d{4})-(\d{2})-(\d{2})$/ accepts, read by char codes: the regular expression was
  // 0.5 s of self time in the compare-load profile (2026-12-01), called for every day of every period.
  if (date.length === 10 && date.charCodeAt(4) === 45 && date.charCodeAt(7) === 45) {
    const y = decimal(date, 0, 4);
    const m = decimal(date, 5, 7);
    const d = decimal(date, 8, 10);
    if (y >= 0 && m >= 0 && d >= 0) return Date.UTC(y, m - 1, d);
  }
  throw new RangeError(`not a date YYYY-MM-DD: "${date}"`);
}

/** The ASCII digits text[from, to) as a number, or -1 when one is not a digit 0-9. */
function decimal(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/**
 * The calendar date of a UTC day, by arithmetic (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", civil_from_days): `Date#toISOString` here was the largest self time of a cold
 * comparison (3 of 9 s CPU in the profile of 12 comparisons of 20 site-years, 2026-12-01).
 */
export function epochDayMsToDate(dayMs: number): string {
  const z = Math.floor(dayMs / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  // Outside 0000-9999 ISO 8601 needs a sign and six digits: leave those to Date.
  if (y < 0 || y > 9999) return new Date(dayMs).toISOString().slice(0, 10);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}

export function addDays(date: string, days: number): string {
  return epochDayMsToDate(dateToEpochDayMs(date) + days * DAY_MS);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const d = new Date(dateToEpochDayMs(date)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** Local calendar date (`YYYY-MM-DD`) of the instant `tsMs` in `timezone`. */
export function localDateOf(tsMs: number, timezone: string): string {
  return epochDayMsToDate(Math.floor((tsMs + utcOffsetMs(tsMs, timezone)) / DAY_MS) * DAY_MS);
}

/** Local calendar day of `tsMs` as a day number (days since 1970-01-01); cheaper than a date string in loops. */
export function localEpochDay(tsMs: number, timezone: string): number {
  return Math.floor((tsMs + utcOffsetMs(tsMs, timezone)) / DAY_MS);
}

/** Local wall-clock hour (0–23) of the instant `tsMs`. */
export function localHourOf(tsMs: number, timezone: string): number {
  const wall = tsMs + utcOffsetMs(tsMs, timezone);
  return Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** Local midnight of a calendar date in `timezone`, as an epoch instant. */
export function localMidnightMs(date: string, timezone: string): number {
  return wallTimeToUtcMs(dateToEpochDayMs(date), timezone);
}

/** One local day: `[startMs, endMs)` between two local midnights; `hours` is 23, 24 or 25 around DST changes. */
export interface LocalDay {
  date: string;
  startMs: number;
  endMs: number;
  hours: number;
}

/** Every local day from `fromDate` to `toDate` inclusive. */
export function localDays(fromDate: string, toDate: string, timezone: string): LocalDay[] {
  const days: LocalDay[] = [];
  const last = dateToEpochDayMs(toDate);
  let startMs = localMidnightMs(fromDate, timezone);
  for (let d = dateToEpochDayMs(fromDate); d <= last; d += DAY_MS) {
    const endMs = wallTimeToUtcMs(d + DAY_MS, timezone);
    days.push({ date: epochDayMsToDate(d), startMs, endMs, hours: (endMs - startMs) / HOUR_MS });
    startMs = endMs;
  }
  return days;
}

/** Hour boundaries of the given consecutive local days (edges.length = total hours + 1). */
export function hourEdgesOfDays(days: readonly LocalDay[]): Float64Array {
  let total = 0;
  for (const d of days) total += Math.round((d.endMs - d.startMs) / HOUR_MS);
  const edges = new Float64Array(total + 1);
  let k = 0;
  for (const d of days) {
    for (let t = d.startMs; t < d.endMs; t += HOUR_MS) edges[k++] = t;
  }
  edges[k] = days.length > 0 ? days[days.length - 1]!.endMs : 0;
  return edges;
}

/** Day boundaries of consecutive local days (edges.length = days + 1). */
export function dayEdges(days: readonly LocalDay[]): Float64Array {
  const edges = new Float64Array(days.length + 1);
  days.forEach((d, i) => (edges[i] = d.startMs));
  edges[days.length] = days.length > 0 ? days[days.length - 1]!.endMs : 0;
  return edges;
}
