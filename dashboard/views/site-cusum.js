// @ts-check
import { chartBlock } from '../lib/chart-panel.js';
import { PALETTE, whiteBackground } from '../lib/charts.js';
import { dateMs } from './site-carpet.js';

/** @typedef {import('../types/api').KpisAnswer} KpisAnswer */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

/**
 * CUSUM of actual − expected (ISO 50006): a falling line is energy saved against the baseline, a
 * rising one is overconsumption. Days the API could not compare carry the sum forward; they are
 * marked in the table. The caller has checked that `body.cusum` is not null.
 * @param {HTMLElement} target
 * @param {KpisAnswer & { cusum: NonNullable<KpisAnswer['cusum']> }} body
 * @param {{ i18n: I18n, site: { id: string, timezone: string } }} ctx
 */
export function renderCusum(target, body, { i18n, site }) {
  const rows = body.cusum;
  const day = (/** @type {string} */ d) => i18n.formatDay(dateMs(d), site.timezone);
  const kWh = (/** @type {number} */ v) => `${i18n.formatNumber(v, 0)} kWh`;
  const last = rows.at(-1);
  const block = chartBlock(i18n, {
    id: 'cusum-chart',
    alt: i18n.t('cusum.alt', { value: last ? kWh(last.cusumKWh) : '–' }),
    csv: { filename: `cusum_${site.id}_${body.from}_${body.to}.csv`, header: ['date', 'cusumKWh', 'known'], rows: rows.map((r) => [r.date, Number(r.cusumKWh.toFixed(3)), String(r.known)]) },
    table: {
      caption: i18n.t('cusum.caption'),
      columns: [
        { label: i18n.t('site.day'), rowHeader: true, cell: (r) => i18n.formatLongDate(dateMs(r.date), site.timezone) },
        { label: 'CUSUM (kWh)', num: true, cell: (r) => i18n.formatNumber(r.cusumKWh, 0) },
        { label: i18n.t('cusum.known'), cell: (r) => i18n.t(r.known ? 'cusum.yes' : 'cusum.no') },
      ],
      rows,
    },
  });
  target.append(block.element);
  const chart = new Chart(block.canvas, {
    type: 'line',
    data: {
      labels: rows.map((r) => day(r.date)),
      datasets: [{ label: i18n.t('cusum.dataset'), data: rows.map((r) => r.cusumKWh), borderColor: PALETTE.gas, backgroundColor: PALETTE.gas, pointRadius: rows.length > 62 ? 0 : 2, stepped: false }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { title: { display: true, text: i18n.t('cusum.yTitle') } }, x: { ticks: { maxRotation: 0, autoSkip: true } } },
      plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (item) => i18n.t('chart.labelValue', { label: 'CUSUM', value: kWh(Number(item.parsed.y)) }) } } },
    },
    plugins: [whiteBackground],
  });
  block.attach(chart);
  return chart;
}
