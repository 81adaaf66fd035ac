/**
 * Device timestamps. Rules (README quotes them):
 *
 * - JSON `ts` is either an ISO 8601 date-time WITH an offset or `Z`
 *   (`2026-11-22T10:15:00+01:00`; a local time without offset is ambiguous around DST
 *   changes and is refused), or epoch MILLISECONDS (a number).
 * - Epoch values before 2000-01-01 are refused: they are almost always seconds sent where
 *   milliseconds were expected.
 * - A timestamp more than 5 minutes ahead of the server clock is refused (`future-timestamp`):
 *   a device with a wrong clock would otherwise write into the future and hide later readings.
 * - SenML times are SECONDS (RFC 8428 §4.5.3): see `resolveSenmlTimeMs`.
 */
export const MAX_FUTURE_MS = 5 * 60_000;
/** 2000-01-01T00:00:00Z. */
export const MIN_EPOCH_MS = 946_684_800_000;
/** RFC 8428 §4.5.3: a resolved time below 2**28 s is relative to now. */
export const SENML_RELATIVE_LIMIT_S = 2 ** 28;

const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:Z|z|[+-]\d{2}:?\d{2})$/;

export type TimestampResult = { ok: true; tsMs: number } | { ok: false; reason: 'invalid-timestamp' | 'future-timestamp'; detail: string };

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses an ISO 8601 string with offset; returns NaN if it is not one (Date.parse alone accepts Feb 30). */
export function parseIsoWithOffset(text: string): number {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  return Date.parse(text.replace(',', '.'));
}

export function checkTimestampMs(tsMs: number, nowMs: number, source: string): TimestampResult {
  if (!Number.isFinite(tsMs)) return { ok: false, reason: 'invalid-timestamp', detail: `${source} is not a valid time` };
  if (tsMs < MIN_EPOCH_MS) {
    return { ok: false, reason: 'invalid-timestamp', detail: `${source} ${tsMs} is before 2000-01-01 (seconds instead of milliseconds?)` };
  }
  if (tsMs > nowMs + MAX_FUTURE_MS) {
    return { ok: false, reason: 'future-timestamp', detail: `${source} ${new Date(tsMs).toISOString()} is more than 5 minutes in the future` };
  }
  return { ok: true, tsMs };
}

/** JSON `ts`: ISO 8601 with offset, or epoch milliseconds. */
export function parseJsonTimestamp(ts: unknown, nowMs: number): TimestampResult {
  if (typeof ts === 'number') return checkTimestampMs(Math.round(ts), nowMs, '"ts"');
  if (typeof ts === 'string') {
    const tsMs = parseIsoWithOffset(ts);
    if (Number.isNaN(tsMs)) {
      return { ok: false, reason: 'invalid-timestamp', detail: `"ts" ${JSON.stringify(ts.slice(0, 40))} is not ISO 8601 with an offset nor epoch milliseconds` };
    }
    return checkTimestampMs(tsMs, nowMs, '"ts"');
  }
  return { ok: false, reason: 'invalid-timestamp', detail: '"ts" must be an ISO 8601 string or epoch milliseconds' };
}

/**
 * RFC 8428 §4.5.3: the resolved time is `bt + t` in seconds. Values of 2**28 or more are
 * absolute (seconds since the Unix epoch); smaller values, including 0 when both are absent,
 * are relative to the time the pack was received (negative = in the past).
 * `relative` tells the caller the time came from the server clock (flagged `tsFromServer`).
 */
export function resolveSenmlTimeMs(resolvedS: number, nowMs: number): TimestampResult & { relative?: boolean } {
  if (!Number.isFinite(resolvedS)) return { ok: false, reason: 'invalid-timestamp', detail: 'time is not a finite number' };
  if (resolvedS >= SENML_RELATIVE_LIMIT_S) return checkTimestampMs(Math.round(resolvedS * 1000), nowMs, 'time');
  const result = checkTimestampMs(Math.round(nowMs + resolvedS * 1000), nowMs, 'relative time');
  return result.ok ? { ...result, relative: true } : result;
}
