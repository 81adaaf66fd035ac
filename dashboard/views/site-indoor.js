// @ts-check
import { h } from '../lib/dom.js';
import { chartBlock } from '../lib/chart-panel.js';
import { whiteBackground } from '../lib/charts.js';
import { errorText } from '../lib/problems.js';
import { unitOf } from '../lib/site-model.js';

/** @typedef {import('../lib/i18n.js').I18n} I18n */
/** @typedef {{ id: string, name: string, kind: string, quantities: { name: string }[] }} Device */

/** Indoor comfort: what a site manager checks after energy. The outdoor station feeds degree days, not this. */
export const INDOOR_QUANTITIES = ['temperature_c', 'co2_ppm', 'humidity_pct'];
const COLORS = ['#0b5cad', '#c2410c', '#7c3aed', '#0e7490', '#15803d'];

/** @param {{ devices: Device[] }} site @param {string} quantity */
export function indoorDevices(site, quantity) {
  return site.devices.filter((d) => d.kind !== 'weather-station' && d.quantities.some((q) => q.name === quantity));
}

/**
 * One chart per indoor quantity (°C, ppm, %: never on one axis), one line per sensor: the
 * hourly (or daily, over long periods: the API picks the width) means the API computed.
 * @param {HTMLElement} target
 * @param {{ i18n: I18n, api: any, site: { id: string, timezone: string, devices: Device[] }, fromMs: number, toMs: number, signal: AbortSignal, period: { from: string, to: string } }} ctx
 * @returns {Promise<{ charts: any[], drawn: number }>}
 */
export async function renderIndoor(target, { i18n, api, site, fromMs, toMs, signal, period }) {
  const charts = [];
  let drawn = 0;
  for (const quantity of INDOOR_QUANTITIES) {
    const devices = indoorDevices(site, quantity);
    if (devices.length === 0) continue;
    const unit = unitOf(quantity);
    /** @type {{ device: Device, buckets: { tsMs: number, value: number }[], error: unknown }[]} */
    const series = await Promise.all(devices.map((d) => api.series(site.id, { device: d.id, quantity, fromMs, toMs }, signal)
      .then((/** @type {{ buckets: { tsMs: number, value: number }[] }} */ s) => ({ device: d, buckets: s.buckets, error: null }))
      .catch((/** @type {unknown} */ err) => ({ device: d, buckets: [], error: err }))));
    if (signal.aborted) return { charts, drawn };
    const title = h('h3', { text: `${i18n.t(`quantity.${quantity}`)} (${unit})` });
    const failed = series.filter((s) => s.error);
    const errors = failed.map((s) => h('p', { class: 'error', text: i18n.t('chart.labelValue', { label: s.device.name, value: errorText(i18n, s.error) }) }));
    const withData = series.filter((s) => s.buckets.length > 0);
    if (withData.length === 0) {
      target.append(title, ...errors, h('p', { class: 'notice unavailable', 'data-state': 'empty', text: i18n.t('indoor.none', { devices: devices.map((d) => d.name).join(', ') }) }));
      continue;
    }
    const digits = quantity === 'co2_ppm' ? 0 : 1;
    const rows = withData.flatMap((s) => s.buckets.map((b) => ({ device: s.device.name, tsMs: b.tsMs, value: b.value })));
    const block = chartBlock(i18n, {
      id: `indoor-${quantity}-chart`,
      alt: i18n.t('indoor.alt', { quantity: i18n.t(`quantity.${quantity}`), unit, devices: withData.map((s) => s.device.name).join(', ') }),
      csv: { filename: `${quantity}_${site.id}_${period.from}_${period.to}.csv`, header: ['device', 'start', quantity], rows: rows.map((r) => [r.device, new Date(r.tsMs).toISOString(), Number(r.value.toFixed(2))]) },
      table: {
        caption: `${i18n.t(`quantity.${quantity}`)} (${unit})`,
        columns: [
          { label: i18n.t('site.device'), rowHeader: true, cell: (r) => r.device },
          { label: i18n.t('site.time', { tz: site.timezone }), cell: (r) => i18n.formatDateTime(r.tsMs, site.timezone) },
          { label: `${i18n.t('indoor.mean')} (${unit})`, num: true, cell: (r) => i18n.formatNumber(r.value, digits) },
        ],
        rows,
      },
    });
    target.append(title, ...errors, block.element);
    const chart = new Chart(block.canvas, {
      type: 'line',
      data: { datasets: withData.map((s, i) => ({ label: s.device.name, data: s.buckets.map((b) => ({ x: b.tsMs, y: b.value })), borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], pointRadius: 0, borderWidth: 1.5 })) },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', min: fromMs, max: toMs, ticks: { maxRotation: 0, autoSkip: true, callback: (v) => i18n.formatDay(Number(v), site.timezone) } },
          y: { title: { display: true, text: unit } },
        },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { title: (items) => i18n.formatDateTime(Number(items[0]?.parsed.x), site.timezone), label: (item) => i18n.t('chart.labelValue', { label: item.dataset.label, value: `${i18n.formatNumber(Number(item.parsed.y), digits)} ${unit}` }) } },
        },
      },
      plugins: [whiteBackground],
    });
    block.attach(chart);
    charts.push(chart);
    drawn += 1;
  }
  return { charts, drawn };
}
