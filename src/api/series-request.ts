import type { QuantityName } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import { BUCKET_WIDTHS, BUCKET_WIDTH_MS, type BucketWidth } from '../storage/port.js';
import { badRequest } from './errors.js';
import { bucketEndMs, bucketStartMs, localDateToUtcMs } from './local-time.js';
import { findDevice, findQuantity } from './site-catalog.js';

/** A request may not ask for more buckets than this: 10,000 one-minute buckets is about a week. */
export const MAX_BUCKETS = 10_000;
/** When `every` is not given, the narrowest width giving at most this many buckets (a chart's worth of points). */
export const TARGET_BUCKETS = 500;
export const DEFAULT_SPAN_MS = 24 * 3_600_000;
/** Instants outside [1970, 2100) are typing errors, not meter data. */
const MAX_INSTANT_MS = Date.UTC(2100, 0, 1);

export interface SeriesQueryString {
  device: string;
  quantity: string;
  from?: string | undefined;
  to?: string | undefined;
  every?: BucketWidth | undefined;
}

export interface SeriesRequest {
  site: SiteConfig;
  device: string;
  quantity: QuantityName;
  /** Inclusive, aligned down to a bucket start. */
  fromMs: number;
  /** Exclusive, aligned up to a bucket end. */
  toMs: number;
  every: BucketWidth;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// RFC 3339 date-time (the ISO 8601 profile for the Internet): an offset is required,
// because a wall time without one is ambiguous (which zone? which side of a DST change?).
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const EPOCH_MS = /^\d{1,15}$/;

/** ISO 8601 date-time with offset, a date (local midnight of the site), or epoch ms. */
export function parseInstant(value: string, field: 'from' | 'to', timezone: string): number {
  let ms: number;
  if (EPOCH_MS.test(value)) ms = Number(value);
  else if (ISO_DATE.test(value)) ms = localDateToUtcMs(value, timezone);
  else if (ISO_DATE_TIME.test(value)) ms = Date.parse(value);
  else {
    throw badRequest('querystring', field, 'must be an ISO 8601 date-time with offset (2026-11-02T08:00:00+01:00), a date (2026-11-02) or epoch ms');
  }
  if (!Number.isFinite(ms) || (!EPOCH_MS.test(value) && !isCalendarDate(value.slice(0, 10)))) throw badRequest('querystring', field, `${JSON.stringify(value)} is not a valid date`);
  if (ms < 0 || ms >= MAX_INSTANT_MS) throw badRequest('querystring', field, 'must be between 1970 and 2100');
  return ms;
}

/** V8's Date.parse rolls 2026-02-30 over to March 2: refuse dates that do not exist. */
function isCalendarDate(date: string): boolean {
  const [y, m, d] = date.split('-').map(Number);
  const back = new Date(Date.UTC(y ?? 0, (m ?? 0) - 1, d ?? 0));
  return back.getUTCFullYear() === y && back.getUTCMonth() + 1 === m && back.getUTCDate() === d;
}

function bucketCount(fromMs: number, toMs: number, every: BucketWidth): number {
  return Math.ceil((toMs - fromMs) / BUCKET_WIDTH_MS[every]);
}

/** Picks the narrowest width that keeps the chart under TARGET_BUCKETS points. */
export function chooseWidth(spanMs: number): BucketWidth {
  return BUCKET_WIDTHS.find((w) => Math.ceil(spanMs / BUCKET_WIDTH_MS[w]) <= TARGET_BUCKETS) ?? '1d';
}

/** Checks every parameter against the configuration and the limits; throws a 400 naming the first bad one. */
export function resolveSeriesRequest(site: SiteConfig, query: SeriesQueryString, nowMs: number): SeriesRequest {
  const device = findDevice(site, query.device);
  const quantity = findQuantity(site, device, query.quantity);
  const toMs = query.to !== undefined ? parseInstant(query.to, 'to', site.timezone) : nowMs;
  const fromMs = query.from !== undefined ? parseInstant(query.from, 'from', site.timezone) : toMs - DEFAULT_SPAN_MS;
  if (fromMs >= toMs) throw badRequest('querystring', 'from', `must be before to (${new Date(fromMs).toISOString()} >= ${new Date(toMs).toISOString()})`);
  const every = query.every ?? chooseWidth(toMs - fromMs);
  const count = bucketCount(fromMs, toMs, every);
  if (count > MAX_BUCKETS) {
    const field = query.every !== undefined ? 'every' : 'from';
    throw badRequest('querystring', field, `${count} buckets of ${every} requested; at most ${MAX_BUCKETS}: widen every or shorten from..to`);
  }
  return {
    site,
    device: device.id,
    quantity,
    fromMs: bucketStartMs(fromMs, every, site.timezone),
    toMs: bucketEndMs(toMs, every, site.timezone),
    every,
  };
}
