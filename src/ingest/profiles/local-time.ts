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

/** Days per month; February is fixed up for leap years. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The digits of `text` from `at` to `at + n`, or -1 if one is not a digit (no regex, no array: once per message). */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Offsets by wall-clock hour, per zone: the instants of every wall time of that hour, found once.
 * DST changes fall on whole hours or half hours in the zones we serve; a slot is an hour only when
 * the offset does not change within a day of it (instantsOfWallTime's fast path), else the
 * minute is resolved each time. Bounded: cleared past 10,000 entries.
 */
const hourOffsets = new Map<string, Map<number, number>>();

function wallToInstants(wall: number, timezone: string): number[] {
  let zone = hourOffsets.get(timezone);
  if (!zone) hourOffsets.set(timezone, (zone = new Map()));
  const hour = Math.floor(wall / 3_600_000);
  const offset = zone.get(hour);
  if (offset !== undefined) return [wall - offset];
  const instants = instantsOfWallTime(wall, timezone);
  if (instants.length === 1 && utcOffsetMs(wall - 86_400_000, timezone) === utcOffsetMs(wall + 86_400_000, timezone)) {
    if (zone.size >= 10_000) zone.clear();
    zone.set(hour, wall - instants[0]!);
  }
  return instants;
}

/**
 * ISO 8601 with `Z` or an offset, in the shapes devices send (`2026-11-30T10:00:00.010Z`,
 * zigbee2mqtt's last_seen; `…+01:00`), read without a regex; anything else goes through
 * timestamp.ts's parseIsoWithOffset (same answers, 2-3x slower, measured once per message).
 */
export function parseIsoInstant(text: string): number {
  const n = text.length;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const sec = digits(text, 17, 2);
  const frac = text[19] === '.';
  const ms = frac ? digits(text, 20, 3) : 0;
  const zoneAt = frac ? 23 : 19;
  const z = text[zoneAt];
  const plain = text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && text[16] === ':' && (y | mo | d | h | mi | sec | ms) >= 0;
  if (plain && mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : MONTH_DAYS[mo - 1]!) && h <= 23 && mi <= 59 && sec <= 59) {
    const wall = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
    if (z === 'Z' && n === zoneAt + 1) return wall;
    if ((z === '+' || z === '-') && n === zoneAt + 6 && text[zoneAt + 3] === ':') {
      const oh = digits(text, zoneAt + 1, 2);
      const om = digits(text, zoneAt + 4, 2);
      if (oh >= 0 && om >= 0) return wall - (z === '+' ? 1 : -1) * (oh * 60 + om) * 60_000;
    }
  }
  return parseIsoWithOffset(text);
}

export function parseLocalDeviceTime(text: unknown, timezone: string, nowMs: number, field: string): TimestampResult | { ok: false; reason: 'ambiguous-timestamp'; detail: string } {
  if (typeof text !== 'string') return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" must be a date-time string` };
  // YYYY-MM-DDTHH:MM[:SS], exactly (NAIVE): anything else may carry an offset.
  const long = text.length === 19;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const sec = long ? digits(text, 17, 2) : 0;
  const naive = (long || text.length === 16) && text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && (!long || text[16] === ':') && (y | mo | d | h | mi | sec) >= 0;
  if (!naive) {
    const withOffset = parseIsoWithOffset(text);
    if (Number.isNaN(withOffset)) return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" ${JSON.stringify(text.slice(0, 40))} is not an ISO 8601 date-time` };
    return checkTimestampMs(withOffset, nowMs, `"${field}"`);
  }
  const monthDays = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : MONTH_DAYS[mo - 1];
  if (monthDays === undefined || d < 1 || d > monthDays || h > 23 || mi > 59 || sec > 59) {
    return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" ${text} is not a date that exists` };
  }
  const instants = wallToInstants(Date.UTC(y, mo - 1, d, h, mi, sec), timezone);
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
