// @ts-check
/**
 * Time-zone arithmetic with Intl only (no date library, no build step).
 * Times are always shown in the site's IANA zone, not the browser's.
 */
/** @typedef {{ year: number, month: number, day: number, hour: number, minute: number, second: number }} Parts */

/** @type {Map<string, Intl.DateTimeFormat>} */
const partsFormatters = new Map();

/** @param {number} ms @param {string} timeZone @returns {Parts} */
function partsIn(ms, timeZone) {
  let fmt = partsFormatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    partsFormatters.set(timeZone, fmt);
  }
  /** @type {Record<string, number>} */
  const out = {};
  for (const p of fmt.formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return /** @type {Parts} */ (out);
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms (+3 600 000 for Paris in winter). */
/** @param {number} ms @param {string} timeZone */
export function tzOffsetMs(ms, timeZone) {
  const p = partsIn(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Epoch ms of local midnight (in `timeZone`) of the day containing `ms`; handles 23 h and 25 h days. */
/** @param {number} ms @param {string} timeZone */
export function startOfLocalDayMs(ms, timeZone) {
  const p = partsIn(ms, timeZone);
  const guess = Date.UTC(p.year, p.month - 1, p.day);
  const first = guess - tzOffsetMs(guess, timeZone);
  return guess - tzOffsetMs(first, timeZone);
}

/** Local midnight of the calendar date `yyyy-mm-dd` in `timeZone`. */
/** @param {string} isoDate @param {string} timeZone */
export function localDateToMs(isoDate, timeZone) {
  const [y = NaN, m = NaN, d = NaN] = isoDate.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - tzOffsetMs(guess, timeZone);
  return guess - tzOffsetMs(first, timeZone);
}

/** `yyyy-mm-dd` of the local day containing `ms`. */
/** @param {number} ms @param {string} timeZone */
export function localDateKey(ms, timeZone) {
  const p = partsIn(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Local midnight `days` calendar days before the day containing `ms` (noon arithmetic survives DST). */
/** @param {number} ms @param {number} days @param {string} timeZone */
export function localDaysAgoMs(ms, days, timeZone) {
  const noon = startOfLocalDayMs(ms, timeZone) + 12 * 3_600_000;
  return startOfLocalDayMs(noon - days * 86_400_000, timeZone);
}

export const STALE_AFTER_MS = 15 * 60_000;
