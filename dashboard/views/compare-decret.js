// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { csvLink, pngButton, whiteBackground } from '../lib/download.js';
import { errorText, problemsText } from '../lib/problems.js';
import { PALETTE } from '../lib/charts.js';

/**
 * One Décret tertiaire panel per site, drawn from GET /api/sites/{site}/decret: the reference
 * year, the measured calendar years, the relative trajectory through the 2030/2040/2050 targets
 * (and the absolute targets when configured), the position the server states, a data table, and
 * the downloads (PNG, the trajectory's CSV, the OPERAT export). Nothing is computed here: without
 * the server's figure the panel says why.
 */

/** @typedef {import('./compare-ranking.js').I18n} I18n */
/** @typedef {{ code: string, params: Record<string, unknown> }} Problem */
/**
 * @typedef {{
 *   site: string, status: 'on-track' | 'behind' | 'insufficient-data' | 'not-configured', statusYear: number | null,
 *   referenceYear: number | null, referenceKWh: number | null, referenceSource: 'config' | 'measured' | null,
 *   milestones: { year: number, reductionPct: number, relativeTargetKWh: number | null, absoluteTargetKWh: number | null, targetKWh: number | null }[],
 *   years: { year: number, measuredKWh: number | null, measuredSharePct: number, targetKWh: number | null, status: string }[],
 *   problems: Problem[]
 * }} Trajectory
 * @typedef {{ decret: (site: string, signal?: AbortSignal) => Promise<Trajectory>, decretCsvUrl: (site: string) => string, operatUrl: (site: string, format: string) => string }} DecretApi
 * @typedef {{ destroy: () => void }} ChartHandle
 */

/**
 * @param {{ i18n: I18n, api: DecretApi, sites: { id: string, name: string }[], signal: AbortSignal, charts: ChartHandle[] }} ctx
 * @returns {HTMLElement}
 */
export function decretSection(ctx) {
  const { i18n, sites } = ctx;
  const grid = h('div', { class: 'decret-grid' });
  const section = h('section', { 'aria-labelledby': 'decret-title', 'data-panel': 'decret' },
    h('h2', { id: 'decret-title', text: i18n.t('decret.title') }),
    h('p', { class: 'notice', text: i18n.t('decret.intro') }),
    grid);
  for (const site of sites) {
    const panel = h('article', { class: 'panel', 'data-decret-site': site.id }, h('h3', { text: site.name }), h('p', { class: 'notice', text: i18n.t('decret.loading') }));
    grid.append(panel);
    ctx.api.decret(site.id, ctx.signal).then(
      (t) => { if (!ctx.signal.aborted) fillPanel(ctx, panel, site, t); },
      (err) => { if (!ctx.signal.aborted) clear(panel).append(h('h3', { text: site.name }), h('p', { class: 'error', role: 'alert', text: errorText(i18n, err) })); },
    );
  }
  return section;
}

/**
 * @param {{ i18n: I18n, api: DecretApi, charts: ChartHandle[] }} ctx
 * @param {HTMLElement} panel
 * @param {{ id: string, name: string }} site
 * @param {Trajectory} t
 */
function fillPanel(ctx, panel, site, t) {
  const { i18n, api } = ctx;
  panel.dataset.status = t.status;
  clear(panel).append(h('h3', { text: site.name }), statusLine(i18n, t));
  const downloads = h('p', { class: 'downloads' });
  if (t.status !== 'not-configured') {
    const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { role: 'img', 'aria-label': i18n.t('decret.chartAlt', { name: site.name }) }));
    panel.append(h('div', { class: 'chart-box' }, canvas));
    ctx.charts.push(trajectoryChart(i18n, canvas, t));
    downloads.append(pngButton(canvas, `decret-tertiaire_${site.id}`, i18n.t('compare.png')), csvLink(api.decretCsvUrl(site.id), i18n.t('decret.csv')));
  }
  downloads.append(h('span', { text: i18n.t('decret.operat') }), csvLink(api.operatUrl(site.id, 'csv'), i18n.t('decret.operatCsv')),
    h('a', { href: api.operatUrl(site.id, 'json'), 'data-download': 'json', text: i18n.t('decret.operatJson') }));
  panel.append(downloads);
  if (t.status !== 'not-configured') panel.append(h('details', {}, h('summary', { text: i18n.t('compare.table') }), dataTable(i18n, t)));
}

/**
 * @param {I18n} i18n
 * @param {Trajectory} t
 */
function statusLine(i18n, t) {
  const line = h('p', { class: 'decret-status', 'data-status': t.status, role: 'status' });
  if (t.status === 'not-configured') {
    line.append(i18n.t('decret.notConfigured'));
    return line;
  }
  if (t.status === 'insufficient-data') {
    line.append(i18n.t('decret.insufficient'), h('span', { class: 'notice', text: ` ${problemsText(i18n, t.problems)}` }));
    return line;
  }
  const y = t.years.find((x) => x.year === t.statusYear);
  line.append(i18n.t(t.status === 'on-track' ? 'decret.onTrack' : 'decret.behind', { year: String(t.statusYear) }), ' – ',
    i18n.t('decret.statusFigures', { measured: i18n.formatNumber(y?.measuredKWh ?? null, 0), target: i18n.formatNumber(y?.targetKWh ?? null, 0) }));
  return line;
}

/**
 * The chart's series, from the server's figures only: the relative trajectory runs straight
 * between the reference and each milestone because the décret's interpolation is linear.
 * @param {Trajectory} t
 */
export function trajectorySeries(t) {
  /** @type {(x: number, y: number | null) => { x: number, y: number }[]} */
  const point = (x, y) => (y === null ? [] : [{ x, y }]);
  const relative = t.referenceYear !== null && t.referenceKWh !== null
    ? [{ x: t.referenceYear, y: t.referenceKWh }, ...t.milestones.flatMap((m) => point(m.year, m.relativeTargetKWh))]
    : [];
  return {
    reference: t.referenceYear !== null ? point(t.referenceYear, t.referenceKWh) : [],
    measured: t.years.filter((y) => y.year !== t.referenceYear || t.referenceSource !== 'measured').flatMap((y) => point(y.year, y.measuredKWh)),
    relative,
    absolute: t.milestones.flatMap((m) => point(m.year, m.absoluteTargetKWh)),
  };
}

/**
 * @param {I18n} i18n
 * @param {HTMLCanvasElement} canvas
 * @param {Trajectory} t
 * @returns {ChartHandle}
 */
function trajectoryChart(i18n, canvas, t) {
  const s = trajectorySeries(t);
  const kWh = (/** @type {number} */ v) => `${i18n.formatNumber(v, 0)} kWh`;
  const Chart = /** @type {any} */ (globalThis).Chart;
  return new Chart(canvas, {
    type: 'line',
    data: {
      // A legend entry without a point would promise a figure that is not there.
      datasets: [
        { label: i18n.t('decret.target'), data: s.relative, borderColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: 3, fill: false },
        { label: i18n.t('decret.absolute'), data: s.absolute, borderColor: PALETTE.heat, backgroundColor: PALETTE.heat, showLine: false, pointStyle: 'triangle', pointRadius: 7 },
        { label: i18n.t('decret.reference', { year: String(t.referenceYear) }), data: s.reference, borderColor: '#111827', backgroundColor: '#111827', showLine: false, pointStyle: 'rectRot', pointRadius: 7 },
        { label: i18n.t('decret.measured'), data: s.measured, borderColor: PALETTE.electricity, backgroundColor: PALETTE.electricity, pointRadius: 5, borderWidth: 2 },
      ].filter((d) => d.data.length > 0),
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: {
        x: { type: 'linear', min: Math.floor(((t.referenceYear ?? 2010) - 1) / 5) * 5, max: 2050, title: { display: true, text: i18n.t('decret.xAxis') }, ticks: { stepSize: 5, callback: (/** @type {number} */ v) => String(v) } },
        y: { beginAtZero: true, title: { display: true, text: i18n.t('decret.yAxis') } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { usePointStyle: true } },
        tooltip: { callbacks: { title: (/** @type {{ parsed: { x: number } }[]} */ items) => String(items[0]?.parsed.x ?? ''), label: (/** @type {{ dataset: { label: string }, parsed: { y: number } }} */ item) => `${item.dataset.label}: ${kWh(item.parsed.y)}` } },
      },
    },
    plugins: [whiteBackground],
  });
}

/**
 * The figures behind the chart, as a table.
 * @param {I18n} i18n
 * @param {Trajectory} t
 */
function dataTable(i18n, t) {
  const kWh = (/** @type {number | null} */ v) => (v === null ? '–' : i18n.formatNumber(v, 0));
  const statusText = (/** @type {string} */ s) => i18n.t(s === 'on-track' ? 'decret.statusOk' : s === 'behind' ? 'decret.statusBehind' : 'decret.statusNone');
  const source = t.referenceSource === 'config' ? i18n.t('decret.sourceConfig') : i18n.t('decret.sourceMeasured');
  /** @type {{ year: number, kind: string, measured: string, share: string, target: string, status: string }[]} */
  const rows = [
    ...(t.referenceYear !== null && t.referenceKWh !== null ? [{ year: t.referenceYear, kind: i18n.t('decret.kindReference', { source }), measured: kWh(t.referenceKWh), share: '', target: '', status: '' }] : []),
    ...t.years.filter((y) => y.year !== t.referenceYear).map((y) => ({ year: y.year, kind: i18n.t('decret.kindMeasured'), measured: kWh(y.measuredKWh), share: `${i18n.formatNumber(y.measuredSharePct, 1)} %`, target: kWh(y.targetKWh), status: statusText(y.status) })),
    ...t.milestones.map((m) => ({ year: m.year, kind: i18n.t('decret.kindMilestone', { pct: `−${i18n.formatNumber(m.reductionPct, 0)} %` }), measured: '', share: '', target: kWh(m.targetKWh), status: '' })),
  ];
  return table({
    columns: [
      { label: i18n.t('decret.year'), rowHeader: true, cell: (/** @type {typeof rows[0]} */ r) => String(r.year) },
      { label: i18n.t('decret.kind'), cell: (/** @type {typeof rows[0]} */ r) => r.kind },
      { label: i18n.t('decret.measuredKWh'), num: true, cell: (/** @type {typeof rows[0]} */ r) => r.measured },
      { label: i18n.t('decret.measuredShare'), num: true, cell: (/** @type {typeof rows[0]} */ r) => r.share },
      { label: i18n.t('decret.targetKWh'), num: true, cell: (/** @type {typeof rows[0]} */ r) => r.target },
      { label: i18n.t('decret.yearStatus'), cell: (/** @type {typeof rows[0]} */ r) => r.status },
    ],
    rows,
  });
}
