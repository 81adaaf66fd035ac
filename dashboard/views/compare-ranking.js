// @ts-check
import { h, table } from '../lib/dom.js';
import { problemsText } from '../lib/problems.js';

/**
 * The ranking table of /api/compare: the server's ranks and figures, one column per KPI. The five
 * KPI headers are buttons that ask the server for a ranking on that KPI (`rankBy`), so the rank
 * shown is always the server's, never one the dashboard made up. An empty cell says why on hover
 * and in the list under the table.
 */

/** @typedef {{ code: string, params: Record<string, unknown> }} Problem */
/**
 * @typedef {{ status: string, referenceYear: number, reductionAchievedPct: number | null, reductionTargetPct: number | null, actualKWh: number | null, problems: Problem[] }} DecretCell
 * @typedef {{
 *   site: string, rank: number | null, status: string, coverage: { measuredSharePct: number },
 *   finalEnergyKWh: number | null, kWhPerM2: number | null, climateCorrectedKWhPerM2: number | null, deviationPct: number | null, deviationInReferenceDays: number | null,
 *   outOfHoursSharePct: number | null, baseloadKW: number | null,
 *   problems: Problem[], climateCorrectionProblems: Problem[], deviationProblems: Problem[], decretTertiaire: DecretCell | null,
 *   config: { name: string, usage: string, floorAreaM2: number }
 * }} RankedRow
 * @typedef {{ t: (key: string, vars?: Record<string, unknown>) => string, formatNumber: (v: number | null, max?: number, min?: number) => string }} I18n
 */

/** The KPIs the API ranks on, and the i18n key of their column. */
export const RANK_KEYS = /** @type {const} */ ([
  ['kWhPerM2', 'compare.intensity'],
  ['climateCorrectedKWhPerM2', 'compare.corrected'],
  ['deviationPct', 'compare.deviation'],
  ['outOfHoursShare', 'compare.outOfHours'],
  ['baseloadKW', 'compare.baseload'],
]);

/** @param {string} key */
export const rankKeyLabel = (key) => RANK_KEYS.find(([k]) => k === key)?.[1] ?? 'compare.intensity';

/**
 * @param {I18n} i18n
 * @param {{ caption: string, rows: RankedRow[], rankBy: string, onSort: (key: string) => void }} opts
 */
export function rankingTable(i18n, { caption, rows, rankBy, onSort }) {
  return table({ caption, columns: columns(i18n, rankBy, onSort), rows, rowAttrs: (/** @type {RankedRow} */ r) => ({ 'data-site': r.site, 'data-status': r.status }) });
}

/**
 * @param {I18n} i18n
 * @param {unknown} value
 * @param {(v: number) => string} format
 * @param {Problem[]} problems
 */
function figureCell(i18n, value, format, problems) {
  if (typeof value === 'number') return format(value);
  return h('span', { class: 'missing', title: problemsText(i18n, problems), text: '–' });
}

/**
 * The deviation's column: a deviation over days the baseline was fitted on is near 0 by
 * construction, so such a cell is marked and says so (the API's deviationInReferenceDays).
 * @template {{ cell: (r: RankedRow) => unknown }} C
 * @param {C} column
 * @param {I18n} i18n
 * @returns {C}
 */
function deviationColumn(column, i18n) {
  return {
    ...column,
    cell: (/** @type {RankedRow} */ r) => {
      const shown = column.cell(r);
      const days = r.deviationInReferenceDays ?? 0;
      if (r.deviationPct === null || days === 0) return shown;
      return h('span', { 'data-in-sample': String(days), title: i18n.t('kpi.deviationInSample', { days: i18n.formatNumber(days, 0) }) }, [String(shown), h('sup', { text: ' *' })]);
    },
  };
}

/**
 * @param {I18n} i18n
 * @param {string} rankBy
 * @param {(key: string) => void} onSort
 */
function columns(i18n, rankBy, onSort) {
  const pct = (/** @type {number} */ v) => `${v > 0 ? '+' : ''}${i18n.formatNumber(v, 1)} %`;
  const share = (/** @type {number} */ v) => `${i18n.formatNumber(v, 1)} %`;
  const n2 = (/** @type {number} */ v) => i18n.formatNumber(v, 2);
  /** A KPI column whose header asks the server to rank on it. */
  const kpi = (/** @type {string} */ key, /** @type {(r: RankedRow) => unknown} */ value, /** @type {(v: number) => string} */ format, /** @type {(r: RankedRow) => Problem[]} */ why) => {
    const label = i18n.t(rankKeyLabel(key));
    return {
      label,
      num: true,
      sort: key === rankBy ? 'ascending' : undefined,
      header: h('button', { type: 'button', class: 'sort', 'data-rank-by': key, title: key === rankBy ? i18n.t('compare.sorted') : i18n.t('compare.sortBy', { key: label }), onclick: () => onSort(key), text: label }),
      cell: (/** @type {RankedRow} */ r) => figureCell(i18n, value(r), format, why(r)),
    };
  };
  return [
    { label: i18n.t('compare.rank'), num: true, cell: (/** @type {RankedRow} */ r) => (r.rank === null ? '–' : String(r.rank)) },
    { label: i18n.t('compare.site'), rowHeader: true, cell: (/** @type {RankedRow} */ r) => h('a', { href: `#/site/${encodeURIComponent(r.site)}` }, r.config.name) },
    { label: i18n.t('compare.usage'), cell: (/** @type {RankedRow} */ r) => i18n.t(`usage.${r.config.usage}`) },
    { label: i18n.t('compare.floorArea'), num: true, cell: (/** @type {RankedRow} */ r) => i18n.formatNumber(r.config.floorAreaM2, 0) },
    { label: i18n.t('compare.status'), cell: (/** @type {RankedRow} */ r) => (r.status === 'ok' ? 'OK' : i18n.t('compare.insufficient', { pct: i18n.formatNumber(r.coverage.measuredSharePct, 1) })) },
    { label: i18n.t('compare.consumption'), num: true, cell: (/** @type {RankedRow} */ r) => figureCell(i18n, r.finalEnergyKWh, (v) => i18n.formatNumber(v, 0), r.problems) },
    kpi('kWhPerM2', (r) => r.kWhPerM2, n2, (r) => r.problems),
    kpi('climateCorrectedKWhPerM2', (r) => r.climateCorrectedKWhPerM2, n2, (r) => r.climateCorrectionProblems),
    deviationColumn(kpi('deviationPct', (r) => r.deviationPct, pct, (r) => r.deviationProblems), i18n),
    kpi('outOfHoursShare', (r) => r.outOfHoursSharePct, share, (r) => r.problems),
    kpi('baseloadKW', (r) => r.baseloadKW, n2, (r) => r.problems),
    { label: i18n.t('compare.decret'), cell: (/** @type {RankedRow} */ r) => decretCell(i18n, r.decretTertiaire) },
  ];
}

/**
 * @param {I18n} i18n
 * @param {DecretCell | null} d
 */
function decretCell(i18n, d) {
  if (d === null) return '–';
  if (d.status === 'insufficient-data' || d.reductionAchievedPct === null || d.reductionTargetPct === null) {
    return h('span', { class: 'missing', 'data-decret': d.status, title: problemsText(i18n, d.problems), text: i18n.t('compare.decretInsufficient') });
  }
  // A period in the reference year itself has no reduction to reach: "on track" would be a
  // tautology there, so the cell says it is the reference year and what was measured.
  if (d.reductionTargetPct === 0 && d.actualKWh !== null) {
    return h('span', { 'data-decret': 'reference-year', text: i18n.t('compare.decretReferenceYear', { year: String(d.referenceYear), kwh: i18n.formatNumber(d.actualKWh, 0) }) });
  }
  const status = i18n.t(d.status === 'on-track' ? 'compare.decretOnTrack' : 'compare.decretBehind');
  // A reduction, so no "+" sign: "+9 %" would read as a rise. A negative reduction is a rise, and says so with its "−".
  const reduction = (/** @type {number} */ v) => `${i18n.formatNumber(v, 1)} %`;
  return h('span', { 'data-decret': d.status, text: i18n.t('compare.decretCell', { achieved: reduction(d.reductionAchievedPct), target: reduction(d.reductionTargetPct), status }) });
}

/**
 * The footnote of the deviation cells marked `*` (in-sample), when there is one.
 * @param {I18n} i18n
 * @param {RankedRow[]} rows
 */
export function inSampleNote(i18n, rows) {
  const marked = rows.filter((r) => r.deviationPct !== null && (r.deviationInReferenceDays ?? 0) > 0);
  return marked.length === 0 ? null : h('p', { class: 'notice', 'data-state': 'in-sample', text: i18n.t('compare.inSampleNote') });
}

/**
 * Why cells are empty, per site.
 * @param {I18n} i18n
 * @param {RankedRow[]} rows
 */
export function whyEmpty(i18n, rows) {
  const items = rows.flatMap((r) => {
    const all = [...r.problems, ...r.climateCorrectionProblems, ...r.deviationProblems, ...(r.decretTertiaire?.problems ?? [])];
    return all.length === 0 ? [] : [h('li', { 'data-site': r.site }, h('strong', { text: r.config.name }), ' – ', problemsText(i18n, all))];
  });
  return items.length === 0 ? null : h('details', { class: 'why-missing' }, h('summary', { text: i18n.t('compare.why') }), h('ul', {}, items));
}
