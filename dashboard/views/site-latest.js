// @ts-check
import { h, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { CO2_HIGH_PPM, unitOf } from '../lib/site-model.js';

/** @typedef {import('../lib/live.js').LiveValue} LiveValue */

/** Indoor conditions first (what a site manager checks), then meters. */
const ORDER = ['temperature_c', 'co2_ppm', 'humidity_pct', 'occupancy', 'power_w', 'energy_kwh', 'heat_kwh', 'gas_m3', 'water_m3'];

/**
 * The latest value of each device and quantity, kept from the live stream's events: the first one
 * carries them all, later ones the values that changed.
 */
export class LatestValues {
  constructor() {
    /** @type {Map<string, LiveValue>} */
    this.byKey = new Map();
  }

  /** @param {LiveValue[]} values */
  merge(values) {
    for (const v of values) {
      const key = `${v.device}\u0000${v.quantity}`;
      const known = this.byKey.get(key);
      if (!known || known.tsMs <= v.tsMs) this.byKey.set(key, v);
    }
  }

  /** @returns {LiveValue[]} */
  all() {
    return [...this.byKey.values()];
  }
}

/**
 * @param {any} i18n
 * @param {LiveValue} v
 */
function formatValue(i18n, v) {
  if (v.quantity === 'power_w') return `${i18n.formatNumber(v.value / 1000, 1)} kW`;
  if (v.quantity === 'occupancy') return `${i18n.formatNumber(v.value, 0)} ${i18n.t('unit.people')}`;
  // A cumulative quantity's latest value is the meter index, not a consumption.
  const index = ['energy_kwh', 'heat_kwh', 'gas_m3', 'water_m3'].includes(v.quantity) ? ` (${i18n.t('site.index')})` : '';
  return `${i18n.formatNumber(v.value, v.quantity === 'co2_ppm' ? 0 : 1)} ${unitOf(v.quantity)}${index}`;
}

/**
 * Draws (again) the table of latest values in `section`, or the error that kept them away.
 * @param {HTMLElement} section
 * @param {{ i18n: any }} ctx
 * @param {{ timezone: string, devices: Array<{ id: string, name: string }> }} site
 * @param {LiveValue[] | { error: unknown }} values
 */
export function renderLatestTable(section, ctx, site, values) {
  const { i18n } = ctx;
  section.querySelector('[data-latest]')?.remove();
  if (!Array.isArray(values)) {
    section.append(h('p', { class: 'error', 'data-latest': '', text: errorText(i18n, values.error) }));
    return;
  }
  const names = new Map(site.devices.map((d) => [d.id, d.name]));
  const rows = values
    .slice()
    .sort((a, b) => ORDER.indexOf(a.quantity) - ORDER.indexOf(b.quantity) || (names.get(a.device) ?? a.device).localeCompare(names.get(b.device) ?? b.device));
  /** @param {LiveValue} v */
  const isHigh = (v) => v.quantity === 'co2_ppm' && v.value > CO2_HIGH_PPM;
  const content = rows.length === 0
    ? h('p', { class: 'notice', text: i18n.t('site.noValues') })
    : table({
      columns: [
        { label: i18n.t('site.device'), rowHeader: true, cell: (/** @type {LiveValue} */ v) => names.get(v.device) ?? v.device },
        { label: i18n.t('site.quantity'), cell: (/** @type {LiveValue} */ v) => i18n.t(`quantity.${v.quantity}`) },
        // The colour is doubled by a word, so the alert does not rely on colour alone (WCAG 1.4.1).
        { label: i18n.t('site.value'), num: true, cell: (/** @type {LiveValue} */ v) => [formatValue(i18n, v), isHigh(v) ? h('span', { class: 'badge high', text: i18n.t('site.co2High') }) : null] },
        { label: i18n.t('site.time', { tz: site.timezone }), cell: (/** @type {LiveValue} */ v) => i18n.formatDateTime(v.tsMs, site.timezone) },
      ],
      rows,
      rowAttrs: (/** @type {LiveValue} */ v) => ({ class: isHigh(v) ? 'co2-high' : null, 'data-quantity': v.quantity }),
    });
  section.append(h('div', { 'data-latest': '' }, content));
}
