// @ts-check
import { h } from '../lib/dom.js';
import { problemsText } from '../lib/problems.js';

/** @typedef {import('../types/api').KpisAnswer} KpisAnswer */
/** @typedef {import('../lib/i18n.js').I18n} I18n */

/** The figures of the KPI panel and their decimals, in the order shown (the API's FlatKpis). */
const KPI_DIGITS = {
  measuredSharePct: 1, finalEnergyKWh: 0, kWhPerM2: 2, climateCorrectedKWhPerM2: 2, electricityKWh: 0, gasM3: 1, heatKWh: 0, waterM3: 1,
  deviationKWh: 0, deviationPct: 1, baselineMonthlyCvRmsePct: 1, baselineMonthlyNmbePct: 1, baseloadKW: 1, outOfHoursSharePct: 1, hddC: 0, cddC: 0,
};

/** @param {I18n} i18n @param {NonNullable<KpisAnswer['decretTertiaire']>} d */
function decretLine(i18n, d) {
  const text = d.status === 'insufficient-data'
    ? `${i18n.t('compare.decret')} – ${problemsText(i18n, d.problems)}`
    : `${i18n.t('compare.decret')} – ${i18n.t('compare.decretCell', {
      achieved: `${i18n.formatNumber(d.reductionAchievedPct, 1)} %`,
      target: `${i18n.formatNumber(d.reductionTargetPct, 1)} %`,
      status: i18n.t(d.status === 'on-track' ? 'compare.decretOnTrack' : 'compare.decretBehind'),
    })}`;
  return h('p', { class: 'notice', 'data-decret': d.status, text });
}

/**
 * The KPIs the API stated over the period, each with its unit in its label; the ones it withheld
 * are listed with the reason it gave.
 * @param {HTMLElement} target
 * @param {KpisAnswer} body
 * @param {{ i18n: I18n }} ctx
 */
export function renderKpis(target, body, { i18n }) {
  if (body.status !== 'ok') {
    target.append(h('p', { class: 'notice unavailable', 'data-state': 'insufficient-data', text: problemsText(i18n, body.problems) }));
    return null;
  }
  const kpis = /** @type {Record<string, number | null>} */ (body.kpis);
  const entries = Object.entries(KPI_DIGITS).filter(([k]) => kpis[k] !== null && kpis[k] !== undefined);
  target.append(h('dl', { class: 'kv' }, entries.map(([k, digits]) => [h('dt', { text: i18n.t(`kpi.${k}`) }), h('dd', { 'data-figure': k, text: i18n.formatNumber(kpis[k], digits) })])));
  const missing = [...body.baselineProblems, ...body.climateCorrectionProblems, ...body.deviationProblems];
  const inSample = kpis.deviationInReferenceDays ?? 0;
  if (kpis.deviationPct !== null && inSample > 0) target.append(h('p', { class: 'notice', 'data-state': 'in-sample', text: i18n.t('kpi.deviationInSample', { days: i18n.formatNumber(inSample, 0) }) }));
  if (missing.length > 0) target.append(h('p', { class: 'notice unavailable', 'data-state': 'partial', text: problemsText(i18n, missing) }));
  if (body.decretTertiaire) target.append(decretLine(i18n, body.decretTertiaire));
  return null;
}
