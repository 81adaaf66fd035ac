// @ts-check
import { h, clear } from '../lib/dom.js';
import { barChart, PALETTE } from '../lib/charts.js';
import { csvLink, pngButton, whiteBackground } from '../lib/download.js';
import { errorText } from '../lib/problems.js';
import { localDateKey, localDateToMs, localDaysAgoMs } from '../lib/time.js';
import { inSampleNote, rankingTable, rankKeyLabel, whyEmpty } from './compare-ranking.js';
import { decretSection } from './compare-decret.js';

const DEFAULT_DAYS = 30;

/** @typedef {import('./compare-ranking.js').I18n & { formatLongDate: (ms: number, tz: string) => string }} I18n */
/** @typedef {import('./compare-ranking.js').RankedRow} RankedRow */
/** @typedef {{ id: string, name: string, usage: string, floorAreaM2: number, timezone: string }} SiteInfo */
/** @typedef {{ destroy: () => void }} ChartHandle */
/**
 * @typedef {{
 *   compare: (from: string, to: string, rankBy: string, signal?: AbortSignal) => Promise<{ from: string, to: string, rankBy: string, sites: Omit<RankedRow, 'config'>[] }>,
 *   compareCsvUrl: (from: string, to: string, rankBy: string) => string,
 * } & import('./compare-decret.js').DecretApi} CompareApi
 */

/**
 * The working group's comparison, as /api/compare computed it: the server's order and ranks on the
 * KPI chosen, its figures, and for a site without enough measured data the coverage and why; then
 * each site's Décret tertiaire trajectory and OPERAT export. Only the latest request renders (a
 * slow answer for an earlier period must not replace the table asked for after it).
 * @param {HTMLElement} main
 * @param {{ i18n: I18n, api: CompareApi, sites: SiteInfo[], now: () => number }} ctx
 */
export function renderCompare(main, ctx) {
  const { i18n, api, sites } = ctx;
  /** @type {ChartHandle[]} */
  const charts = [];
  const tz = sites[0]?.timezone ?? 'Europe/Paris';
  const nowMs = ctx.now();
  const fromInput = /** @type {HTMLInputElement} */ (h('input', { type: 'date', id: 'cmp-from', name: 'from', required: true, value: localDateKey(localDaysAgoMs(nowMs, DEFAULT_DAYS, tz), tz) }));
  const toInput = /** @type {HTMLInputElement} */ (h('input', { type: 'date', id: 'cmp-to', name: 'to', required: true, value: localDateKey(localDaysAgoMs(nowMs, 1, tz), tz) }));
  const results = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'period', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); load(); } },
    h('label', { for: 'cmp-from' }, i18n.t('compare.from'), fromInput),
    h('label', { for: 'cmp-to' }, i18n.t('compare.to'), toInput),
    h('button', { type: 'submit', class: 'primary', text: i18n.t('compare.submit') }));
  const decretAbort = new window.AbortController();
  const decret = sites.length > 0 ? decretSection({ i18n, api, sites, signal: decretAbort.signal, charts }) : null;
  clear(main).append(h('h1', { text: i18n.t('compare.title') }), form, results, ...(decret ? [decret] : []));
  /** @type {AbortController | null} */
  let current = null;
  let rankBy = 'kWhPerM2';
  /** @type {ChartHandle[]} */
  const rankingCharts = [];

  async function load() {
    current?.abort();
    const request = new window.AbortController();
    current = request;
    const stale = () => request !== current || !main.isConnected;
    const from = fromInput.value;
    const to = toInput.value;
    rankingCharts.splice(0).forEach((c) => c.destroy());
    if (!from || !to || from > to) {
      clear(results).append(h('p', { class: 'error', role: 'alert', text: i18n.t('compare.badPeriod') }));
      return;
    }
    clear(results).append(h('p', { class: 'notice', text: i18n.t('app.loading') }));
    let body;
    try {
      body = await api.compare(from, to, rankBy, request.signal);
    } catch (err) {
      if (!stale()) clear(results).append(h('p', { class: 'error', role: 'alert', text: errorText(i18n, err) }));
      return;
    }
    if (!stale()) render(body);
  }

  /** @param {Awaited<ReturnType<CompareApi['compare']>>} body */
  function render(body) {
    const byId = new Map(sites.map((s) => [s.id, s]));
    const rows = /** @type {RankedRow[]} */ (body.sites.flatMap((r) => { const config = byId.get(r.site); return config ? [{ ...r, config }] : []; }));
    if (rows.length === 0) {
      clear(results).append(h('p', { class: 'notice unavailable', text: i18n.t('compare.noSites') }));
      return;
    }
    const dateText = (/** @type {string} */ d) => i18n.formatLongDate(localDateToMs(d, tz) + 12 * 3_600_000, tz);
    const caption = i18n.t('compare.caption', { key: i18n.t(rankKeyLabel(body.rankBy)), from: dateText(body.from), to: dateText(body.to) });
    const onSort = (/** @type {string} */ key) => { rankBy = key; load(); };
    // Element.append writes null as the text "null": the empty state is added only when it applies.
    clear(results);
    if (rows.every((r) => r.status !== 'ok')) results.append(h('p', { class: 'notice unavailable', 'data-empty': 'no-data', text: i18n.t('compare.noData') }));
    results.append(
      rankingTable(i18n, { caption, rows, rankBy: body.rankBy, onSort }),
      h('p', { class: 'downloads' }, csvLink(api.compareCsvUrl(body.from, body.to, body.rankBy), i18n.t('compare.csv'))),
      ...[inSampleNote(i18n, rows), whyEmpty(i18n, rows)].filter((x) => x !== null),
    );
    const chart = intensityChart(i18n, results, rows.filter((r) => r.kWhPerM2 !== null));
    if (chart) rankingCharts.push(chart);
  }

  load();
  return () => {
    current?.abort();
    decretAbort.abort();
    rankingCharts.forEach((c) => c.destroy());
    charts.forEach((c) => c.destroy());
  };
}

/**
 * The kWh/m² bars, in the server's order; the ranking table above is their data.
 * @param {I18n} i18n
 * @param {HTMLElement} results
 * @param {RankedRow[]} ranked
 * @returns {ChartHandle | null}
 */
function intensityChart(i18n, results, ranked) {
  if (ranked.length === 0) return null;
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { id: 'compare-chart', role: 'img', 'aria-label': i18n.t('compare.chartAlt') }));
  results.append(
    h('h2', { text: i18n.t('compare.chartTitle') }),
    h('div', { class: 'chart-box', style: `height:${Math.max(200, 60 + ranked.length * 48)}px` }, canvas),
    h('p', { class: 'downloads' }, pngButton(canvas, 'comparison_kWh-per-m2', i18n.t('compare.png'))),
  );
  return barChart(canvas, {
    labels: ranked.map((r) => r.config.name),
    datasets: [{ label: i18n.t('compare.intensity'), data: ranked.map((r) => r.kWhPerM2), backgroundColor: PALETTE.electricity, unit: 'kWh/m²' }],
    horizontal: true,
    scales: { x: { beginAtZero: true, title: { display: true, text: 'kWh/m²' } } },
    formatValue: (/** @type {number} */ v) => `${i18n.formatNumber(v, 2)} kWh/m²`,
    plugins: [whiteBackground],
  });
}
