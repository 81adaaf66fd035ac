// @ts-check
import { h } from '../lib/dom.js';
import { chartBlock } from '../lib/chart-panel.js';
import { heatColor, whiteBackground } from '../lib/charts.js';

/** @typedef {import('../types/api').HourlyEnergyAnswer} HourlyEnergyAnswer */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** A local date as an instant at its noon UTC: formatted in the site's zone, it stays that date. */
export const dateMs = (/** @type {string} */ date) => Date.parse(`${date}T12:00:00Z`);

/**
 * The carpet plot (hour × day heat map) of the site's final energy, as /hourly-energy answers it:
 * nights and weekends that should be dark and are not stand out at a glance. Blank cells are hours
 * the API did not measure. Returns the chart, or null when there is nothing to draw.
 * @param {HTMLElement} target
 * @param {HourlyEnergyAnswer} body
 * @param {{ i18n: I18n, site: { id: string, timezone: string }, csvHref: string }} ctx
 */
export function renderCarpet(target, body, { i18n, site, csvHref }) {
  const cells = body.days.flatMap((d, x) => d.kWh.map((v, y) => ({ x, y, v }))).filter((c) => c.v !== null);
  const max = cells.reduce((m, c) => Math.max(m, /** @type {number} */ (c.v)), 0);
  const day = (/** @type {number} */ i) => i18n.formatDay(dateMs(body.days[i]?.date ?? body.from), site.timezone);
  const hour = (/** @type {number} */ y) => `${String(y).padStart(2, '0')} h`;
  const kWh = (/** @type {number | null} */ v) => `${i18n.formatNumber(v, 2)} kWh`;
  const block = chartBlock(i18n, {
    id: 'carpet-chart',
    tall: true,
    alt: i18n.t('carpet.alt', { from: i18n.formatLongDate(dateMs(body.from), site.timezone), to: i18n.formatLongDate(dateMs(body.to), site.timezone), max: kWh(max) }),
    csv: { href: csvHref },
    table: {
      caption: i18n.t('carpet.caption'),
      columns: [
        { label: i18n.t('site.day'), rowHeader: true, cell: (d) => i18n.formatLongDate(dateMs(d.date), site.timezone) },
        ...HOURS.map((y) => ({ label: hour(y), num: true, cell: (/** @type {{ kWh: (number | null)[] }} */ d) => i18n.formatNumber(d.kWh[y], 2) })),
      ],
      rows: body.days,
    },
  });
  const scale = h('p', { class: 'scale', 'aria-hidden': 'true' }, h('span', { text: kWh(0) }), h('span', { class: 'scale-bar' }), h('span', { text: kWh(max) }));
  block.element.querySelector('.chart-box')?.after(scale, h('p', { class: 'notice', text: i18n.t('carpet.legend', { tz: site.timezone }) }));
  target.append(block.element);
  // About 12 labels across the period: a week apart over two months, a month apart over a year.
  const dayStep = Math.max(1, Math.ceil(body.days.length / 12));
  const chart = new Chart(block.canvas, {
    type: 'matrix',
    data: {
      datasets: [{
        label: i18n.t('carpet.dataset'),
        data: /** @type {any} */ (cells),
        backgroundColor: (c) => heatColor(max > 0 ? (/** @type {any} */ (c.raw)?.v ?? 0) / max : 0),
        borderWidth: 0,
        width: ({ chart: ch }) => (ch.chartArea?.width ?? 0) / body.days.length,
        height: ({ chart: ch }) => (ch.chartArea?.height ?? 0) / 24,
      }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: () => '', label: (item) => { const r = /** @type {any} */ (item.raw); return i18n.t('chart.labelValue', { label: `${day(r.x)} ${hour(r.y)}`, value: kWh(r.v) }); } } },
      },
      scales: {
        // Cells are centred on whole numbers (day index, hour) and the axes span ±0.5 around them: ticks on the centres.
        x: {
          type: 'linear', min: -0.5, max: body.days.length - 0.5, offset: false, grid: { display: false }, title: { display: true, text: i18n.t('carpet.xTitle') },
          afterBuildTicks: (axis) => { axis.ticks = body.days.map((_, i) => ({ value: i })).filter((t) => t.value % dayStep === 0); },
          ticks: { autoSkip: true, maxRotation: 0, callback: (v) => day(Number(v)) },
        },
        y: {
          type: 'linear', reverse: true, min: -0.5, max: 23.5, offset: false, grid: { display: false }, title: { display: true, text: i18n.t('carpet.yTitle', { tz: site.timezone }) },
          afterBuildTicks: (axis) => { axis.ticks = HOURS.filter((y) => y % 3 === 0).map((value) => ({ value })); },
          ticks: { autoSkip: false, callback: (v) => hour(Number(v)) },
        },
      },
    },
    plugins: [whiteBackground],
  });
  block.attach(chart);
  return chart;
}
