// @ts-check
import { h, table } from '../lib/dom.js';
import { downloadCsv, downloadPng, toCsv } from '../lib/downloads.js';
import { bucketRows } from '../lib/alerts-model.js';
import { localHourTicks } from '../lib/charts.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */
/** @typedef {import('../lib/alerts-model.js').Alert} Alert */
/** @typedef {import('../lib/alerts-model.js').Bucket} Bucket */

const COLORS = { mean: '#0b5cad', range: '#6b7280', limit: '#b91c1c', start: '#c2410c' };

/** The canvas is transparent: a downloaded PNG would show black in many viewers without a background. */
const WHITE_BACKGROUND = {
  id: 'white-background',
  /** @param {{ ctx: CanvasRenderingContext2D, width: number, height: number }} chart */
  beforeDraw(chart) {
    chart.ctx.save();
    chart.ctx.globalCompositeOperation = 'destination-over';
    chart.ctx.fillStyle = '#fff';
    chart.ctx.fillRect(0, 0, chart.width, chart.height);
    chart.ctx.restore();
  },
};

/**
 * Chart.js datasets: the hourly mean, its min and max, the rule's limit (when it has one) and a
 * vertical mark where the condition began. Points are {x: epoch ms, y}.
 * @param {ViewContext} ctx
 * @param {Alert} alert
 * @param {Array<Bucket & { x: number }>} points
 * @param {{ fromMs: number, toMs: number }} span the window the API read (a day either side)
 */
function datasets(ctx, alert, points, span) {
  const { i18n } = ctx;
  // Points drawn only when there are few of them: a single hour must still show (issue 13).
  const line = (/** @type {string} */ label, /** @type {string} */ color, /** @type {Array<{x: number, y: number}>} */ data, extra = {}) => ({ label, data, borderColor: color, backgroundColor: color, pointRadius: data.length < 12 ? 3 : 0, borderWidth: 2, ...extra });
  const ys = points.flatMap((p) => [p.min, p.max]);
  const startMs = Date.parse(alert.start);
  const out = [
    line(i18n.t('alerts.chartMean'), COLORS.mean, points.map((p) => ({ x: p.x, y: p.mean }))),
    line(i18n.t('alerts.chartMax'), COLORS.range, points.map((p) => ({ x: p.x, y: p.max })), { borderDash: [4, 4], borderWidth: 1 }),
    line(i18n.t('alerts.chartMin'), COLORS.range, points.map((p) => ({ x: p.x, y: p.min })), { borderDash: [4, 4], borderWidth: 1 }),
  ];
  if (alert.expected !== null && points.length > 0) {
    out.push(line(i18n.t('alerts.chartLimit', { value: i18n.formatNumber(alert.expected, 1), unit: alert.unit }), COLORS.limit, [{ x: span.fromMs, y: alert.expected }, { x: span.toMs, y: alert.expected }], { borderDash: [8, 4], pointRadius: 0 }));
    ys.push(alert.expected);
  }
  out.push(line(i18n.t('alerts.chartStart'), COLORS.start, [{ x: startMs, y: Math.min(...ys) }, { x: startMs, y: Math.max(...ys) }], { pointRadius: 0, borderWidth: 2 }));
  return out;
}

/**
 * The data around an alert (GET /api/alerts/{id}, `data`): a chart, its data table, PNG and CSV.
 * @param {HTMLElement} section
 * @param {ViewContext} ctx
 * @param {Alert} alert
 * @param {{ from: string | null, to: string | null, buckets: Bucket[] }} data
 * @param {string} timeZone
 * @returns {{ destroy: () => void } | null} the chart, to destroy when the view goes
 */
export function renderAlertChart(section, ctx, alert, data, timeZone) {
  const { i18n } = ctx;
  const points = data.buckets.filter((b) => b.start !== null).map((b) => ({ ...b, x: Date.parse(/** @type {string} */ (b.start)) }));
  if (points.length === 0) {
    section.append(h('p', { class: 'notice unavailable', id: 'alert-no-data', text: i18n.t('alerts.noData') }));
    return null;
  }
  const quantity = i18n.t(`quantity.${alert.quantity}`);
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { id: 'alert-chart', role: 'img', 'aria-label': i18n.t('alerts.chartAlt', { quantity, device: alert.device, count: points.length }) }));
  const span = { fromMs: data.from ? Date.parse(data.from) : points[0].x, toMs: data.to ? Date.parse(data.to) : points[points.length - 1].x };
  const everyHours = Math.max(1, Math.ceil((span.toMs - span.fromMs) / 3_600_000 / 8));
  const when = (/** @type {number} */ ms) => `${i18n.formatDay(ms, timeZone)} ${i18n.formatTime(ms, timeZone)}`;
  // Chart is the global of /vendor/chart.umd.js (Chart.js 4 UMD build, loaded before the modules).
  const chart = new /** @type {any} */ (window).Chart(canvas, {
    type: 'line',
    plugins: [WHITE_BACKGROUND],
    data: { datasets: datasets(ctx, alert, points, span) },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear', min: span.fromMs, max: span.toMs,
          // Whole local hours, not round numbers of epoch ms (lib/charts.js).
          afterBuildTicks: (/** @type {any} */ axis) => { axis.ticks = localHourTicks(axis.min, axis.max, timeZone, everyHours); },
          ticks: { callback: (/** @type {number} */ v) => when(v), maxRotation: 0, autoSkip: true }, title: { display: true, text: i18n.t('alerts.chartTime', { tz: timeZone }) },
        },
        // Some room above and below, so a limit on the data's edge is not drawn on the axis.
        y: { grace: '5%', title: { display: true, text: `${quantity} (${alert.unit})` } },
      },
      plugins: {
        // Titled, so that a downloaded PNG says what it shows on its own.
        title: { display: true, text: i18n.t('alerts.detailTitle', { id: alert.id, summary: `${quantity} – ${alert.device} (${alert.site})` }) },
        legend: { position: 'bottom' },
        tooltip: { callbacks: { title: (/** @type {any[]} */ items) => when(items[0].parsed.x), label: (/** @type {any} */ item) => `${item.dataset.label}: ${i18n.formatNumber(item.parsed.y, 1)} ${alert.unit}` } },
      },
    },
  });
  const filename = `alerte-${alert.id}-${alert.site}-${alert.device}-${alert.quantity}`;
  const csv = () => toCsv(['hourStartUtc', `mean_${alert.unit}`, `min_${alert.unit}`, `max_${alert.unit}`, 'readings'], bucketRows(points));
  section.append(
    h('div', { class: 'chart-box' }, canvas),
    h('p', { class: 'downloads' },
      h('button', { type: 'button', class: 'secondary', id: 'alert-png', onclick: () => downloadPng(canvas, `${filename}.png`), text: i18n.t('alerts.downloadPng') }),
      h('button', { type: 'button', class: 'secondary', id: 'alert-data-csv', onclick: () => downloadCsv(csv(), `${filename}.csv`), text: i18n.t('alerts.downloadCsv') })),
    h('details', {}, h('summary', { text: i18n.t('alerts.dataTable') }), table({
      caption: i18n.t('alerts.dataCaption', { quantity, unit: alert.unit, tz: timeZone }),
      columns: [
        { label: i18n.t('alerts.hour'), rowHeader: true, cell: (/** @type {{x: number}} */ p) => when(p.x) },
        { label: i18n.t('alerts.chartMean'), num: true, cell: (/** @type {Bucket} */ p) => i18n.formatNumber(p.mean, 1) },
        { label: i18n.t('alerts.chartMin'), num: true, cell: (/** @type {Bucket} */ p) => i18n.formatNumber(p.min, 1) },
        { label: i18n.t('alerts.chartMax'), num: true, cell: (/** @type {Bucket} */ p) => i18n.formatNumber(p.max, 1) },
        { label: i18n.t('alerts.readings'), num: true, cell: (/** @type {Bucket} */ p) => i18n.formatNumber(p.count, 0) },
      ],
      rows: points,
    })),
  );
  return chart;
}
