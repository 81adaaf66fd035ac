// @ts-check
import { h, clear } from '../lib/dom.js';
import { chartBlock, showState } from '../lib/chart-panel.js';
import { PALETTE, whiteBackground } from '../lib/charts.js';
import { errorText, problemsText } from '../lib/problems.js';
import { dateMs } from './site-carpet.js';
import { hourlyConsumptionChart, MAX_HOURLY_DAYS } from './site-consumption-hours.js';

/** @typedef {import('../types/api').BaselineAnswer} BaselineAnswer */
/** @typedef {import('../types/api').HourlyBaselineAnswer} HourlyBaselineAnswer */
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

/** @typedef {{ key: string, label: string, long: string, dayType: string | null, actualKWh: number | null, expectedKWh: number | null, lowKWh?: number | null, highKWh?: number | null }} Row */

/** The rows of one granularity: the API's days, or its months (null unless every day of the month is known). */
function rowsOf(/** @type {BaselineAnswer} */ body, /** @type {'day' | 'month'} */ every, /** @type {I18n} */ i18n, /** @type {string} */ timeZone) {
  if (every === 'day') {
    return body.days.map((d) => ({ key: d.date, label: i18n.formatDay(dateMs(d.date), timeZone), long: i18n.formatLongDate(dateMs(d.date), timeZone), dayType: i18n.t(`dayType.${d.dayType}`), actualKWh: d.actualKWh, expectedKWh: d.expectedKWh, lowKWh: d.expectedLowKWh, highKWh: d.expectedHighKWh }));
  }
  const month = (/** @type {string} */ m) => i18n.formatDate(dateMs(`${m}-15`), timeZone, { month: 'short', year: 'numeric' });
  return body.months.map((m) => ({ key: m.month, label: month(m.month), long: `${month(m.month)} (${i18n.t('consumption.daysIn', { days: m.days, measured: m.measuredDays })})`, dayType: null, actualKWh: m.actualKWh, expectedKWh: m.expectedKWh }));
}

/**
 * One chart of consumption against the baseline, with its downloads and table.
 * @param {HTMLElement} slot @param {BaselineAnswer} body @param {'day' | 'month'} every
 * @param {{ i18n: I18n, site: { id: string, timezone: string }, csvHref: string }} ctx
 */
function consumptionChart(slot, body, every, { i18n, site, csvHref }) {
  /** @type {Row[]} */
  const rows = rowsOf(body, every, i18n, site.timezone);
  const kWh = (/** @type {number | null} */ v) => i18n.formatNumber(v, every === 'day' ? 1 : 0);
  const block = chartBlock(i18n, {
    id: 'baseline-chart',
    alt: i18n.t(`consumption.alt_${every}`),
    csv: every === 'day' ? { href: csvHref } : { filename: `baseline-months_${site.id}_${body.from}_${body.to}.csv`, header: ['month', 'actualKWh', 'expectedKWh'], rows: rows.map((r) => [r.key, r.actualKWh === null ? null : Number(r.actualKWh.toFixed(3)), r.expectedKWh === null ? null : Number(r.expectedKWh.toFixed(3))]) },
    table: {
      caption: i18n.t(`consumption.caption_${every}`),
      columns: [
        { label: i18n.t(every === 'day' ? 'site.day' : 'consumption.month'), rowHeader: true, cell: (r) => r.long },
        ...(every === 'day' ? [{ label: i18n.t('consumption.dayType'), cell: (/** @type {Row} */ r) => r.dayType }] : []),
        { label: `${i18n.t('site.actual')} (kWh)`, num: true, cell: (r) => kWh(r.actualKWh) },
        { label: `${i18n.t('site.expected')} (kWh)`, num: true, cell: (r) => kWh(r.expectedKWh) },
        ...(every === 'day' ? [{ label: i18n.t('consumption.band'), num: true, cell: (/** @type {Row} */ r) => (r.lowKWh == null ? '–' : `${kWh(r.lowKWh)} – ${kWh(r.highKWh ?? null)}`) }] : []),
      ],
      rows,
    },
  });
  clear(slot).append(block.element);
  const chart = new Chart(block.canvas, {
    type: 'bar',
    data: {
      labels: rows.map((r) => r.label),
      datasets: [
        { type: 'bar', label: `${i18n.t('site.actual')} (kWh)`, data: rows.map((r) => r.actualKWh), backgroundColor: PALETTE.electricity, order: 2 },
        { type: 'line', label: `${i18n.t('site.expected')} (kWh)`, data: rows.map((r) => r.expectedKWh), borderColor: PALETTE.baseline, backgroundColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: every === 'day' ? 0 : 3, order: 1 },
        // The band the API states around each expected day: drawn as two edges filled between them.
        ...(every === 'day' ? [
          { type: /** @type {const} */ ('line'), label: i18n.t('consumption.bandLow'), data: rows.map((r) => r.lowKWh ?? null), borderColor: 'transparent', pointRadius: 0, order: 0 },
          { type: /** @type {const} */ ('line'), label: i18n.t('consumption.band'), data: rows.map((r) => r.highKWh ?? null), borderColor: 'transparent', backgroundColor: 'rgba(107, 114, 128, 0.22)', fill: '-1', pointRadius: 0, order: 0 },
        ] : []),
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: i18n.t(`consumption.yTitle_${every}`) } }, x: { ticks: { maxRotation: 0, autoSkip: true } } },
      plugins: { legend: { position: 'bottom', labels: { filter: (item) => item.text !== i18n.t('consumption.bandLow') } }, tooltip: { callbacks: { label: (item) => i18n.t('chart.labelValue', { label: item.dataset.label, value: kWh(Number(item.parsed.y)) }) } } },
    },
    plugins: [whiteBackground],
  });
  block.attach(chart);
  return chart;
}

/** @typedef {{ i18n: I18n, site: { id: string, timezone: string }, csvHref: string, empty: () => void, hours: { days: number, load: () => Promise<HourlyBaselineAnswer>, csvHref: string } }} ConsumptionCtx */

/**
 * The hourly chart, fetched when first asked for (a month of hours is a separate answer), or why
 * there is none: a period longer than the API serves by hour, or the request's failure.
 * @param {HTMLElement} slot @param {ConsumptionCtx} ctx @param {() => boolean} current
 * @returns {Promise<{ destroy(): void } | null>}
 */
async function hourlyChart(slot, ctx, current) {
  const { i18n } = ctx;
  if (ctx.hours.days > MAX_HOURLY_DAYS) {
    showState(slot, 'empty', i18n.t('consumption.hourTooLong', { days: ctx.hours.days, max: MAX_HOURLY_DAYS }));
    return null;
  }
  showState(slot, 'loading', i18n.t('app.loading'));
  try {
    const body = await ctx.hours.load();
    if (!current()) return null;
    if (!body.hours.some((x) => x.actualKWh !== null || x.expectedKWh !== null)) {
      showState(slot, 'empty', problemsText(i18n, body.problems) || i18n.t('site.noSeries'));
      return null;
    }
    return hourlyConsumptionChart(slot, body, { i18n, site: ctx.site, csvHref: ctx.hours.csvHref });
  } catch (err) {
    if (current()) showState(slot, 'error', errorText(i18n, err));
    return null;
  }
}

/**
 * Final energy per hour, day or month against what the baseline expects (issue 13, point 3):
 * by day and month the daily model of /baseline for that weather and day type, by hour the
 * hour-of-week profile of /hourly-baseline. Returns what the page destroys on leaving, or null
 * when no day has a figure.
 * @param {HTMLElement} target
 * @param {BaselineAnswer} body
 * @param {ConsumptionCtx} ctx
 */
export function renderConsumption(target, body, ctx) {
  const { i18n, site } = ctx;
  target.append(fitStatus(body, i18n, site.timezone));
  if (!body.days.some((d) => d.actualKWh !== null || d.expectedKWh !== null)) {
    ctx.empty();
    return null;
  }
  const slot = h('div', {});
  /** @type {{ destroy(): void } | null} */
  let chart = null;
  let shown = '';
  /** @type {HTMLElement[]} */
  const buttons = [];
  const show = async (/** @type {'hour' | 'day' | 'month'} */ every) => {
    chart?.destroy();
    chart = null;
    shown = every;
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.every === every));
    const drawn = every === 'hour' ? await hourlyChart(slot, ctx, () => shown === 'hour' && slot.isConnected) : consumptionChart(slot, body, every, ctx);
    if (shown === every) chart = drawn;
    else drawn?.destroy();
  };
  for (const every of /** @type {const} */ (['hour', 'day', 'month'])) {
    buttons.push(h('button', { type: 'button', class: 'download', 'data-every': every, text: i18n.t(`consumption.by_${every}`), onclick: () => show(every) }));
  }
  target.append(h('div', { class: 'downloads', role: 'group', 'aria-label': i18n.t('consumption.granularity') }, ...buttons), slot);
  show('day');
  return { destroy: () => { shown = ''; chart?.destroy(); } };
}
