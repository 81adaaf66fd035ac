import { badRequest } from './errors.js';
import { problemOf } from './problems.js';
import { utcOffsetMs } from '../energy/local-time.js';

/** Local dates, both included: what every analytics route is asked for. */
export interface DatePeriod {
  from: string;
  to: string;
}

/** Three years and a bit: enough for a reference year against the current one, not an unbounded scan. */
export const MAX_PERIOD_DAYS = 1_100;
export const DEFAULT_PERIOD_DAYS = 30;
const DAY_MS = 86_400_000;

function dayNumber(date: string, field: 'from' | 'to'): number {
  const invalid = problemOf('invalid-date', { field, value: date.slice(0, 10) });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw badRequest('querystring', field, 'must be a date YYYY-MM-DD', invalid);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== m || back.getUTCDate() !== d) {
    throw badRequest('querystring', field, `${JSON.stringify(date)} is not a date that exists`, invalid);
  }
  if (y < 2000 || y > 2099) throw badRequest('querystring', field, 'must be between 2000 and 2099', problemOf('date-out-of-range', { field, min: '2000-01-01', max: '2099-12-31' }));
  return ms / DAY_MS;
}

/** The local calendar date of an instant in `timezone`. */
export function localDateKey(tsMs: number, timezone: string): string {
  return new Date(tsMs + utcOffsetMs(tsMs, timezone)).toISOString().slice(0, 10);
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `from`/`to` of a request; by default the last 30 local days of `timezone`, today included. */
export function parsePeriod(query: { from?: string | undefined; to?: string | undefined }, nowMs: number, timezone: string): DatePeriod {
  const today = localDateKey(nowMs, timezone);
  const toDay = query.to !== undefined ? dayNumber(query.to, 'to') : dayNumber(today, 'to');
  const fromDay = query.from !== undefined ? dayNumber(query.from, 'from') : toDay - (DEFAULT_PERIOD_DAYS - 1);
  if (fromDay > toDay) throw badRequest('querystring', 'from', `must be on or before to (${dateOf(toDay)})`, problemOf('period-reversed', { from: dateOf(fromDay), to: dateOf(toDay) }));
  const days = toDay - fromDay + 1;
  if (days > MAX_PERIOD_DAYS) throw badRequest('querystring', 'to', `the period may span at most ${MAX_PERIOD_DAYS} days`, problemOf('period-too-long', { days, maxDays: MAX_PERIOD_DAYS }));
  return { from: dateOf(fromDay), to: dateOf(toDay) };
}
