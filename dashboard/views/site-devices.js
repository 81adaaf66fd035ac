// @ts-check
import { h, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { CO2_HIGH_PPM, unitOf } from '../lib/site-model.js';
import { STALE_AFTER_MS } from '../lib/time.js';

/** @typedef {import('../lib/i18n.js').I18n} I18n */
/** @typedef {{ device: string, quantity: string, value: number, tsMs: number }} Latest */
/** @typedef {{ id: string, name: string, kind: string, quantities: { name: string }[] }} Device */

const CUMULATIVE = ['energy_kwh', 'heat_kwh', 'gas_m3', 'water_m3'];

/** @param {I18n} i18n @param {Latest} v */
function formatValue(i18n, v) {
  if (v.quantity === 'power_w') return `${i18n.formatNumber(v.value / 1000, 1)} kW`;
  if (v.quantity === 'occupancy') return `${i18n.formatNumber(v.value, 0)} ${i18n.t('unit.people')}`;
  // A cumulative quantity's latest value is the meter index, not a consumption.
  const index = CUMULATIVE.includes(v.quantity) ? ` (${i18n.t('site.index')})` : '';
  return `${i18n.formatNumber(v.value, v.quantity === 'co2_ppm' ? 0 : 1)} ${unitOf(v.quantity)}${index}`;
}

/**
 * Status of a device from its last reading: silent past STALE_AFTER_MS (the overview's rule),
 * never heard when the store has nothing for it. The word carries the status, not the colour alone (WCAG 1.4.1).
 * @param {number | null} lastMs @param {number} nowMs
 */
function status(lastMs, nowMs) {
  if (lastMs === null) return 'never';
  return nowMs - lastMs > STALE_AFTER_MS ? 'silent' : 'ok';
}

/**
 * The site's devices as configured, each with its last readings and its status.
 * @param {HTMLElement} section
 * @param {{ i18n: I18n, now: () => number }} ctx
 * @param {{ id: string, timezone: string, devices: Device[] }} site
 * @param {Latest[] | { error: unknown }} values the live stream's latest values, or what kept them away
 */
export function renderDevices(section, ctx, site, values) {
  const { i18n } = ctx;
  if (!Array.isArray(values)) {
    section.querySelector('[data-latest]')?.remove();
    section.append(h('p', { class: 'error', 'data-latest': '', text: errorText(i18n, values.error) }));
    return;
  }
  const nowMs = ctx.now();
  const rows = site.devices.map((d) => {
    const latest = values.filter((v) => v.device === d.id);
    const lastMs = latest.length > 0 ? Math.max(...latest.map((v) => v.tsMs)) : null;
    return { device: d, latest, lastMs, status: status(lastMs, nowMs) };
  });
  const isHigh = (/** @type {Latest} */ v) => v.quantity === 'co2_ppm' && v.value > CO2_HIGH_PPM;
  const content = table({
    caption: i18n.t('devices.caption', { tz: site.timezone }),
    columns: [
      { label: i18n.t('site.device'), rowHeader: true, cell: (r) => [r.device.name, h('br', {}), h('span', { class: 'meta', text: i18n.t(`deviceKind.${r.device.kind}`) })] },
      { label: i18n.t('devices.status'), cell: (r) => h('span', { class: `badge status-${r.status}`, 'data-status': r.status, text: i18n.t(`devices.${r.status}`) }) },
      {
        label: i18n.t('devices.last'),
        cell: (r) => (r.latest.length === 0 ? '–' : r.latest.map((/** @type {Latest} */ v) => h('div', { 'data-quantity': v.quantity, class: isHigh(v) ? 'co2-high' : null },
          i18n.t('chart.labelValue', { label: i18n.t(`quantity.${v.quantity}`), value: formatValue(i18n, v) }), isHigh(v) ? h('span', { class: 'badge high', text: i18n.t('site.co2High') }) : null))),
      },
      { label: i18n.t('site.time', { tz: site.timezone }), cell: (r) => (r.lastMs === null ? '–' : i18n.formatDateTime(r.lastMs, site.timezone)) },
    ],
    rows,
    rowAttrs: (r) => ({ 'data-device': r.device.id }),
  });
  if (!section.isConnected) return;
  section.querySelector('[data-latest]')?.remove();
  const help = rows.some((r) => r.status === 'never') ? h('p', { class: 'notice', text: i18n.t('devices.neverHelp', { site: site.id }) }) : null;
  section.append(h('div', { 'data-latest': '' }, content, help));
}
