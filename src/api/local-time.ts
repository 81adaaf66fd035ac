import { BUCKET_WIDTH_MS, type BucketWidth } from '../storage/port.js';

/**
 * Local-day arithmetic with Intl only (no tz library is installed). A local day is
 * 23 or 25 hours long on DST changes (Europe/Paris: last Sunday of March and of October),
 * so `1d` buckets cannot be fixed 86,400,000 ms steps.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Offset of `timezone` from UTC at the instant `tsMs`, in ms (Europe/Paris in winter: 3,600,000). */
export function utcOffsetMs(tsMs: number, timezone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timezone).formatToParts(new Date(tsMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wallMs = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
  const wholeSecondMs = tsMs - (((tsMs % 1000) + 1000) % 1000);
  return wallMs - wholeSecondMs;
}

/** The instant at which the wall clock of `timezone` shows `wallMs` (wall time written as if it were UTC). */
export function wallTimeToUtcMs(wallMs: number, timezone: string): number {
  const first = wallMs - utcOffsetMs(wallMs, timezone);
  return wallMs - utcOffsetMs(first, timezone);
}

/** Epoch ms of the local midnight that starts the day containing `tsMs`. */
export function startOfLocalDayMs(tsMs: number, timezone: string): number {
  const wallMs = tsMs + utcOffsetMs(tsMs, timezone);
  return wallTimeToUtcMs(Math.floor(wallMs / 86_400_000) * 86_400_000, timezone);
}

/** The next local midnight after the day starting at `dayStartMs` (26 h later always lands in the next day). */
export function nextLocalDayMs(dayStartMs: number, timezone: string): number {
  return startOfLocalDayMs(dayStartMs + 26 * 3_600_000, timezone);
}

/** Local midnight of a calendar date `YYYY-MM-DD` in `timezone`. */
export function localDateToUtcMs(date: string, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  return wallTimeToUtcMs(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1), timezone);
}

/** Start of the bucket containing `tsMs`: local midnight for `1d`, a multiple of the width since the epoch otherwise. */
export function bucketStartMs(tsMs: number, every: BucketWidth, timezone: string): number {
  if (every === '1d') return startOfLocalDayMs(tsMs, timezone);
  const widthMs = BUCKET_WIDTH_MS[every];
  return Math.floor(tsMs / widthMs) * widthMs;
}

export function nextBucketStartMs(startMs: number, every: BucketWidth, timezone: string): number {
  return every === '1d' ? nextLocalDayMs(startMs, timezone) : startMs + BUCKET_WIDTH_MS[every];
}

/** Rounds `tsMs` up to a bucket boundary (unchanged when it is one). */
export function bucketEndMs(tsMs: number, every: BucketWidth, timezone: string): number {
  const start = bucketStartMs(tsMs, every, timezone);
  return start === tsMs ? start : nextBucketStartMs(start, every, timezone);
}
