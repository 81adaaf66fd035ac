// @ts-check
import { h } from '../lib/dom.js';
import { chartBlock } from '../lib/chart-panel.js';
import { PALETTE, whiteBackground } from '../lib/charts.js';
import { problemsText } from '../lib/problems.js';
import { dateMs } from './site-carpet.js';

/** @typedef {import('../types/api').BaselineAnswer} BaselineAnswer */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

/** The baseline's verdict (ASHRAE Guideline 14), or why there is no baseline. */
function fitStatus(/** @type {BaselineAnswer} */ body, /** @type {I18n} */ i18n, /** @type {string} */ timeZone) {
  if (!body.fitted || !body.fitQuality || !body.referencePeriod) {
    return h('p', { class: 'notice unavailable', 'data-state': 'no-baseline', text: `${i18n.t('site.noBaseline')} ${problemsText(i18n, body.problems)}` });
  }
  const m = body.fitQuality.monthly;
  const day = (/** @type {string} */ date) => i18n.formatLongDate(dateMs(date), timeZone);
  const figures = i18n.t('site.fitFigures', { cv: i18n.formatNumber(m.cvRmsePct, 1), nmbe: i18n.formatNumber(m.nmbePct, 1), from: day(body.referencePeriod.from), to: day(body.referencePeriod.to) });
  return h('p', { class: body.accepted ? 'notice' : 'notice unavailable', 'data-state': body.accepted ? 'accepted' : 'not-accepted', text: `${i18n.t(body.accepted ? 'site.fitAccepted' : 'site.fitNotAccepted')} ${figures}` });
}

/**
 * Final energy per day against what the baseline expects for that day's weather and day type,
 * both as /baseline computed them. Returns the chart, or null when no day has a figure.
 * @param {HTMLElement} target
 * @param {BaselineAnswer} body
 * @param {{ i18n: I18n, site: { id: string, timezone: string }, csvHref: string, empty: () => void }} ctx
 */
export function renderConsumption(target, body, { i18n, site, csvHref, empty }) {
  const days = body.days;
  target.append(fitStatus(body, i18n, site.timezone));
  if (!days.some((d) => d.actualKWh !== null || d.expectedKWh !== null)) {
    empty();
    return null;
  }
  const kWh = (/** @type {number | null} */ v) => i18n.formatNumber(v, 1);
  const block = chartBlock(i18n, {
    id: 'baseline-chart',
    alt: i18n.t('consumption.alt'),
    csv: { href: csvHref },
    table: {
      caption: i18n.t('consumption.caption'),
      columns: [
        { label: i18n.t('site.day'), rowHeader: true, cell: (d) => i18n.formatLongDate(dateMs(d.date), site.timezone) },
        { label: i18n.t('consumption.dayType'), cell: (d) => i18n.t(`dayType.${d.dayType}`) },
        { label: `${i18n.t('site.actual')} (kWh)`, num: true, cell: (d) => kWh(d.actualKWh) },
        { label: `${i18n.t('site.expected')} (kWh)`, num: true, cell: (d) => kWh(d.expectedKWh) },
      ],
      rows: days,
    },
  });
  target.append(block.element);
  const chart = new Chart(block.canvas, {
    type: 'bar',
    data: {
      labels: days.map((d) => i18n.formatDay(dateMs(d.date), site.timezone)),
      datasets: [
        { type: 'bar', label: `${i18n.t('site.actual')} (kWh)`, data: days.map((d) => d.actualKWh), backgroundColor: PALETTE.electricity, order: 2 },
        { type: 'line', label: `${i18n.t('site.expected')} (kWh)`, data: days.map((d) => d.expectedKWh), borderColor: PALETTE.baseline, backgroundColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: 0, order: 1 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: i18n.t('consumption.yTitle') } }, x: { ticks: { maxRotation: 0, autoSkip: true } } },
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (item) => `${item.dataset.label} : ${kWh(Number(item.parsed.y))}` } } },
    },
    plugins: [whiteBackground],
  });
  block.attach(chart);
  return chart;
}
