import { utcOffsetMs } from '../../energy/local-time.js';
import { checkTimestampMs, parseIsoWithOffset, type TimestampResult } from '../timestamp.js';

/**
 * Device clocks that send local time without an offset (Tasmota's `Time`, e.g.
 * "2019-12-14T20:31:51": tasmota/tasmota.ino builds it from the local time unless SetOption52
 * adds the offset). Such a time is read in the site's time zone:
 *
 * - with an offset or `Z` (SetOption52 1), it is taken as it is;
 * - a wall time that does not exist (the spring-forward gap) is refused (`invalid-timestamp`);
 * - a wall time that exists twice (the repeated autumn hour: 02:00-03:00 in Europe/Paris on the
 *   last Sunday of October) is refused as `ambiguous-timestamp`: nothing in the message says
 *   which of the two it is, and guessing would put half an hour of readings at the wrong instant.
 */
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export function parseLocalDeviceTime(text: unknown, timezone: string, nowMs: number, field: string): TimestampResult | { ok: false; reason: 'ambiguous-timestamp'; detail: string } {
  if (typeof text !== 'string') return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" must be a date-time string` };
  const m = NAIVE.exec(text);
  if (!m) {
    const withOffset = parseIsoWithOffset(text);
    if (Number.isNaN(withOffset)) return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" ${JSON.stringify(text.slice(0, 40))} is not an ISO 8601 date-time` };
    return checkTimestampMs(withOffset, nowMs, `"${field}"`);
  }
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" ${text} is not a date that exists` };
  }
  const instants = instantsOfWallTime(wall, timezone);
  if (instants.length === 0) return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" ${text} does not exist in ${timezone} (clocks go forward)` };
  if (instants.length > 1) {
    return {
      ok: false,
      reason: 'ambiguous-timestamp',
      detail: `"${field}" ${text} happens twice in ${timezone} (clocks go back): set SetOption52 1 on the device to add the offset, or timestamp: receive`,
    };
  }
  return checkTimestampMs(instants[0]!, nowMs, `"${field}"`);
}

/** Every instant whose wall time in `timezone` is `wall` (as cli/import/timestamp-cell.ts does for CSV cells). */
function instantsOfWallTime(wall: number, timezone: string): number[] {
  // Hot path (every Tasmota message): no offset change within a day either side, one instant.
  // Offsets are cached per 15-minute slot (energy/local-time.ts), so this is two map lookups.
  const before = utcOffsetMs(wall - 86_400_000, timezone);
  if (before === utcOffsetMs(wall + 86_400_000, timezone)) return [wall - before];
  const offsets = new Set([utcOffsetMs(wall - 86_400_000, timezone), utcOffsetMs(wall + 86_400_000, timezone), utcOffsetMs(wall, timezone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const candidate = wall - offset;
    if (utcOffsetMs(candidate, timezone) === offset) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b);
}
