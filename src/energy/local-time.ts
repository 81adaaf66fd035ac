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
 * The offset of a whole UTC day when it is the same all day long (every day but
 * the few with a transition), else null: 9 Intl calls per day instead of one per 15-minute slot
 * (Intl formatToParts was 10 % of a cold comparison's CPU in the profile of bench:api).
 */
const dayOffsetCache = new Map<string, Map<number, number | null>>();

function dayOffsetMs(day: number, timezone: string): number | null {
  let cache = dayOffsetCache.get(timezone);
  if (!cache) {
    cache = new Map();
    dayOffsetCache.set(timezone, cache);
  }
  let offset = cache.get(day);
  if (offset === undefined) {
    // Probed every 3 hours and at the last slot: a day with two transitions less than 3 h apart
    // that cancel out would be missed (none is known; the 15-minute slots serve every other day).
    const start = computeOffsetMs(day * DAY_MS, timezone);
    let same = computeOffsetMs(day * DAY_MS + DAY_MS - SLOT_MS, timezone) === start;
    for (let h = 3; same && h < 24; h += 3) same = computeOffsetMs(day * DAY_MS + h * HOUR_MS, timezone) === start;
    offset = same ? start : null;
    cache.set(day, offset);
  }
  return offset;
}

/** Offset of `timezone` from UTC at the instant `tsMs`, in ms (Europe/Paris in winter: 3,600,000). */
export function utcOffsetMs(tsMs: number, timezone: string): number {
  const whole = dayOffsetMs(Math.floor(tsMs / DAY_MS), timezone);
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
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: "${date}"`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function epochDayMsToDate(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10);
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
