// @ts-check
import { h, clear } from '../lib/dom.js';
import { chartBlock } from '../lib/chart-panel.js';
import { PALETTE, whiteBackground } from '../lib/charts.js';
import { problemsText } from '../lib/problems.js';
import { dateMs } from './site-carpet.js';

/** @typedef {import('../types/api').HourlyBaselineAnswer} HourlyBaselineAnswer */
/** @typedef {HourlyBaselineAnswer['hours'][number]} Hour */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

/** The API's longest period by hour (src/api/routes/hourly-baseline.ts MAX_HOURLY_DAYS). */
export const MAX_HOURLY_DAYS = 31;

/**
 * What the band is, and how many hours have none and why, as the API stated it: a gap in the
 * band is never left for the reader to guess.
 * @param {HourlyBaselineAnswer} body @param {I18n} i18n @param {string} timeZone
 */
function bandNotice(body, i18n, timeZone) {
  const lines = [];
  if (body.referencePeriod) {
    const day = (/** @type {string} */ d) => i18n.formatLongDate(dateMs(d), timeZone);
    lines.push(i18n.t('consumption.hourBand', { from: day(body.referencePeriod.from), to: day(body.referencePeriod.to), weeks: body.minSlotWeeks }));
  }
  /** @type {Map<string, number>} */
  const missing = new Map();
  for (const x of body.hours) if (x.noExpected) missing.set(x.noExpected, (missing.get(x.noExpected) ?? 0) + 1);
  const reasons = [...missing].map(([why, n]) => i18n.t('consumption.noExpectedCount', { hours: i18n.formatNumber(n, 0), why: i18n.t(`consumption.noExpected_${why}`) }));
  if (reasons.length > 0) lines.push(`${i18n.t('consumption.hoursWithoutBand')} ${reasons.join(i18n.t('consumption.listSeparator'))}.`);
  const why = problemsText(i18n, body.problems);
  if (why) lines.push(why);
  return h('p', { class: missing.size > 0 ? 'notice unavailable' : 'notice', 'data-state': missing.size > 0 ? 'partial-band' : 'band', text: lines.join(' ') });
}

/**
 * One chart of final energy per local hour against the hour-of-week median and its P10–P90 band
 * of the reference period, as /hourly-baseline computed them, with its downloads and table.
 * @param {HTMLElement} slot @param {HourlyBaselineAnswer} body
 * @param {{ i18n: I18n, site: { id: string, timezone: string }, csvHref: string }} ctx
 */
export function hourlyConsumptionChart(slot, body, { i18n, site, csvHref }) {
  const rows = body.hours;
  const kWh = (/** @type {number | null} */ v) => i18n.formatNumber(v, 2);
  const hourText = (/** @type {number} */ hr) => `${String(hr).padStart(2, '0')}:00`;
  const label = (/** @type {Hour} */ r) => `${i18n.formatDay(dateMs(r.date), site.timezone)} ${hourText(r.hour)}`;
  const block = chartBlock(i18n, {
    id: 'baseline-chart',
    alt: i18n.t('consumption.alt_hour'),
    csv: { href: csvHref },
    table: {
      caption: i18n.t('consumption.caption_hour', { tz: site.timezone }),
      columns: [
        { label: i18n.t('consumption.hour'), rowHeader: true, cell: (r) => `${i18n.formatLongDate(dateMs(r.date), site.timezone)} ${hourText(r.hour)}` },
        { label: i18n.t('consumption.dayType'), cell: (r) => i18n.t(`dayType.${r.dayType}`) },
        { label: `${i18n.t('site.actual')} (kWh)`, num: true, cell: (r) => kWh(r.actualKWh) },
        { label: `${i18n.t('site.expected')} (kWh)`, num: true, cell: (r) => kWh(r.expectedKWh) },
        { label: i18n.t('consumption.hourBandColumn'), num: true, cell: (r) => (r.lowKWh === null ? '–' : `${kWh(r.lowKWh)} – ${kWh(r.highKWh)}`) },
        { label: i18n.t('consumption.why'), cell: (r) => (r.noExpected ? i18n.t(`consumption.noExpected_${r.noExpected}`) : '') },
      ],
      rows,
    },
  });
  clear(slot).append(bandNotice(body, i18n, site.timezone), block.element);
  const bandLow = i18n.t('consumption.bandLow');
  const chart = new Chart(block.canvas, {
    type: 'bar',
    data: {
      labels: rows.map(label),
      datasets: [
        { type: 'bar', label: `${i18n.t('site.actual')} (kWh)`, data: rows.map((r) => r.actualKWh), backgroundColor: PALETTE.electricity, order: 2 },
        { type: 'line', label: `${i18n.t('site.expected')} (kWh)`, data: rows.map((r) => r.expectedKWh), borderColor: PALETTE.baseline, backgroundColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: 0, spanGaps: false, order: 1 },
        // The P10–P90 band: two edges filled between them; an hour without a band breaks both.
        { type: 'line', label: bandLow, data: rows.map((r) => r.lowKWh), borderColor: 'transparent', pointRadius: 0, order: 0 },
        { type: 'line', label: i18n.t('consumption.hourBandColumn'), data: rows.map((r) => r.highKWh), borderColor: 'transparent', backgroundColor: 'rgba(107, 114, 128, 0.22)', fill: '-1', pointRadius: 0, order: 0 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: i18n.t('consumption.yTitle_hour') } }, x: { ticks: { maxRotation: 0, autoSkip: true } } },
      plugins: { legend: { position: 'bottom', labels: { filter: (item) => item.text !== bandLow } }, tooltip: { callbacks: { label: (item) => i18n.t('chart.labelValue', { label: item.dataset.label, value: kWh(Number(item.parsed.y)) }) } } },
    },
    plugins: [whiteBackground],
  });
  block.attach(chart);
  return chart;
}
