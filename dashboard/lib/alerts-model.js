// @ts-check
import { localDateToMs } from './time.js';

/**
 * The alerts page's filters and how they become a query of GET /api/alerts (src/api/routes/alerts.ts):
 * state, site, severity, and a period of local calendar days, inclusive, in the zone of the chosen
 * site (or of the first site the user sees), so "1 to 3 December" means what the reader means.
 */

export const ALERT_STATES = /** @type {const} */ (['open', 'acknowledged', 'resolved']);
export const SEVERITIES = /** @type {const} */ (['info', 'warning', 'critical']);
const DAY_MS = 86_400_000;

/**
 * @typedef {{ state: string, site: string, severity: string, from: string, to: string }} AlertFilters
 * Empty strings: no filter. `from` and `to` are local dates `yyyy-mm-dd`, `to` inclusive.
 */

/**
 * @typedef {{
 *   id: number, site: string, device: string, rule: string, ruleType: string, quantity: string,
 *   severity: string, state: string, start: string, opened: string, updated: string, resolved: string | null,
 *   measured: number | null, expected: number | null, unit: string, summary: string, flapCount: number,
 *   acknowledgedBy: string | null, ackComment: string | null, acknowledged: string | null,
 * }} Alert
 */

/** @returns {AlertFilters} */
export const noFilters = () => ({ state: '', site: '', severity: '', from: '', to: '' });

/**
 * The query string of GET /api/alerts for these filters; throws a RangeError naming the field
 * when the period is reversed (the server would refuse it too, with `from`).
 * @param {AlertFilters} f
 * @param {string} timeZone
 * @param {'json' | 'csv'} [format]
 */
export function alertsQuery(f, timeZone, format = 'json') {
  /** @type {Record<string, string>} */
  const q = {};
  if (f.state) q.state = f.state;
  if (f.site) q.site = f.site;
  if (f.severity) q.severity = f.severity;
  const fromMs = f.from ? localDateToMs(f.from, timeZone) : null;
  // The day after `to`, at local midnight: the period is [from, to + 1 day).
  const toMs = f.to ? localDateToMs(nextDate(f.to), timeZone) : null;
  if (fromMs !== null && toMs !== null && fromMs >= toMs) throw new RangeError('from');
  if (fromMs !== null) q.from = new Date(fromMs).toISOString();
  if (toMs !== null) q.to = new Date(toMs).toISOString();
  if (format === 'csv') q.format = 'csv';
  return new URLSearchParams(q).toString();
}

/** @param {string} isoDate yyyy-mm-dd @returns {string} the next calendar date */
export function nextDate(isoDate) {
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + DAY_MS).toISOString().slice(0, 10);
}

/**
 * The end of a silence that starts now and lasts `hours`.
 * @param {number} nowMs
 * @param {number} hours
 */
export const silenceEnd = (nowMs, hours) => new Date(nowMs + hours * 3_600_000).toISOString();

/** Silence lengths offered (hours): an intervention, a day, a weekend, a week. */
export const SILENCE_HOURS = [1, 4, 24, 72, 168];

/**
 * @typedef {{ start: string | null, mean: number, min: number, max: number, count: number }} Bucket
 * The hourly buckets of the data around an alert (GET /api/alerts/{id}, `data.buckets`).
 */

/**
 * The data around an alert as CSV rows: hour start (ISO, UTC), mean, min, max, readings.
 * @param {Bucket[]} buckets
 */
export const bucketRows = (buckets) => buckets.map((b) => [b.start, b.mean, b.min, b.max, b.count]);

/**
 * What an alert is about, in the user's language: the quantity and the kind of rule
 * (`CO₂ – seuil`). The server's `summary` is an English sentence; it is kept for the detail page.
 * @param {{ t: (key: string) => string }} i18n
 * @param {Alert} a
 */
export function describeAlert(i18n, a) {
  const quantity = i18n.t(`quantity.${a.quantity}`);
  const type = i18n.t(`alerts.ruleTypes.${a.ruleType}`);
  return [quantity.startsWith('quantity.') ? a.quantity : quantity, type.startsWith('alerts.') ? a.ruleType : type].join(' – ');
}
