// @ts-check
import { h } from '../lib/dom.js';
import { chartBlock } from '../lib/chart-panel.js';
import { PALETTE, whiteBackground } from '../lib/charts.js';
import { problemsText } from '../lib/problems.js';
import { dateMs } from './site-carpet.js';

/** @typedef {import('../types/api').DegreeDaysAnswer} DegreeDaysAnswer */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

/**
 * Heating and cooling degree days (DJU) per day as the API computed them, with the period's
 * totals when the API states them (it withholds them below its coverage rule, and says why).
 * @param {HTMLElement} target
 * @param {DegreeDaysAnswer} body
 * @param {{ i18n: I18n, site: { id: string, timezone: string }, csvHref: string }} ctx
 */
export function renderDegreeDays(target, body, { i18n, site, csvHref }) {
  const dju = (/** @type {number | null} */ v) => i18n.formatNumber(v, 1);
  const totals = body.problems.length > 0
    ? h('p', { class: 'notice unavailable', 'data-state': 'partial', text: problemsText(i18n, body.problems) })
    : h('dl', { class: 'kv' },
      h('dt', { text: i18n.t('kpi.totalHddC') }), h('dd', { 'data-figure': 'totalHddC', text: dju(body.totalHddC) }),
      h('dt', { text: i18n.t('kpi.totalCddC') }), h('dd', { 'data-figure': 'totalCddC', text: dju(body.totalCddC) }),
      h('dt', { text: i18n.t('kpi.baseC') }), h('dd', { text: `${i18n.formatNumber(body.baseC, 1)} °C` }));
  const block = chartBlock(i18n, {
    id: 'degree-days-chart',
    alt: i18n.t('dju.alt', { base: i18n.formatNumber(body.baseC, 1) }),
    csv: { href: csvHref },
    table: {
      caption: i18n.t('dju.caption', { base: i18n.formatNumber(body.baseC, 1) }),
      columns: [
        { label: i18n.t('site.day'), rowHeader: true, cell: (d) => i18n.formatLongDate(dateMs(d.date), site.timezone) },
        { label: i18n.t('dju.tMean'), num: true, cell: (d) => i18n.formatNumber(d.tMeanC, 1) },
        { label: i18n.t('dju.hdd'), num: true, cell: (d) => dju(d.hddC) },
        { label: i18n.t('dju.cdd'), num: true, cell: (d) => dju(d.cddC) },
      ],
      rows: body.days,
    },
  });
  target.append(totals, block.element);
  const chart = new Chart(block.canvas, {
    type: 'bar',
    data: {
      labels: body.days.map((d) => i18n.formatDay(dateMs(d.date), site.timezone)),
      datasets: [
        { label: i18n.t('dju.hdd'), data: body.days.map((d) => d.hddC), backgroundColor: PALETTE.heat },
        { label: i18n.t('dju.cdd'), data: body.days.map((d) => d.cddC), backgroundColor: PALETTE.water },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } }, y: { stacked: true, beginAtZero: true, title: { display: true, text: i18n.t('dju.yTitle') } } },
      plugins: { legend: { position: 'bottom' } },
    },
    plugins: [whiteBackground],
  });
  block.attach(chart);
  return chart;
}
