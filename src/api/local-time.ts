import { utcOffsetMs, wallTimeToUtcMs } from '../energy/local-time.js';
import { BUCKET_WIDTH_MS, type BucketWidth } from '../storage/port.js';

/**
 * Bucket boundaries of the series API. A local day is 23 or 25 hours long on DST changes
 * (Europe/Paris: last Sunday of March and of October), so `1d` buckets cannot be fixed
 * 86,400,000 ms steps; offsets come from the analytics' cached zone arithmetic.
 */

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
