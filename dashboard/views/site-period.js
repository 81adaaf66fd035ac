// @ts-check
import { h, clear } from '../lib/dom.js';
import { panel, showState } from '../lib/chart-panel.js';
import { errorText, problemsText } from '../lib/problems.js';
import { localDateKey, localDateToMs, localDaysAgoMs } from '../lib/time.js';
import { renderCarpet } from './site-carpet.js';
import { renderConsumption } from './site-consumption.js';
import { renderCusum } from './site-cusum.js';
import { renderDegreeDays } from './site-degree-days.js';
import { noDataHelp } from './site-empty.js';
import { INDOOR_QUANTITIES, indoorDevices, renderIndoor } from './site-indoor.js';
import { renderKpis } from './site-kpis.js';

/** @typedef {import('../lib/i18n.js').I18n} I18n */
/** @typedef {{ api: any, i18n: I18n, now: () => number }} Ctx */
/** @typedef {{ id: string, timezone: string, devices: { id: string, name: string, kind: string, quantities: { name: string }[] }[] }} Site */

const WINDOW_DAYS = 30;

/** Calendar days of a period, both dates included (dates as UTC days: no time zone involved). */
const periodDays = (/** @type {{ from: string, to: string }} */ p) => Math.round((Date.parse(p.to) - Date.parse(p.from)) / 86_400_000) + 1;

/** The period form: local dates of the site, both included (the last 30 days at first). */
function periodForm(/** @type {I18n} */ i18n, /** @type {Site} */ site, /** @type {number} */ nowMs, /** @type {() => void} */ onSubmit) {
  const from = /** @type {HTMLInputElement} */ (h('input', { type: 'date', id: 'an-from', name: 'from', required: true, value: localDateKey(localDaysAgoMs(nowMs, WINDOW_DAYS - 1, site.timezone), site.timezone) }));
  const to = /** @type {HTMLInputElement} */ (h('input', { type: 'date', id: 'an-to', name: 'to', required: true, value: localDateKey(nowMs, site.timezone) }));
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'period', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); onSubmit(); } },
    h('label', { for: 'an-from' }, i18n.t('compare.from'), from),
    h('label', { for: 'an-to' }, i18n.t('compare.to'), to),
    h('button', { type: 'submit', class: 'primary', text: i18n.t('site.analyse') }));
  const section = h('section', { class: 'panel wide', 'aria-labelledby': 'an-title', 'data-panel': 'period' }, h('h2', { id: 'an-title', text: i18n.t('site.analysisPeriod') }), form, message);
  return { section, from, to, message };
}

/**
 * Everything on the site page that depends on the period: consumption against the baseline,
 * KPIs, carpet plot, CUSUM, degree days and indoor conditions, each as the API computed it, or
 * why it did not. Only the latest request renders: a slow answer for an earlier period must not
 * replace the one asked for after it.
 * @param {HTMLElement} container @param {Ctx} ctx @param {Site} site @param {any[]} charts
 */
export function renderPeriodPanels(container, ctx, site, charts) {
  const { i18n } = ctx;
  const form = periodForm(i18n, site, ctx.now(), () => load());
  const p = {
    baseline: panel('baseline', i18n.t('site.baseline')),
    kpis: panel('kpis', i18n.t('site.kpis')),
    carpet: panel('carpet', i18n.t('carpet.title'), true),
    cusum: panel('cusum', i18n.t('cusum.title')),
    degreeDays: panel('degreeDays', i18n.t('site.degreeDays')),
    indoor: panel('indoor', i18n.t('indoor.title'), true),
  };
  container.append(form.section, h('div', { class: 'panels' }, ...Object.values(p).map((x) => x.section)));
  /** @type {any[]} */
  const own = [];
  /** @type {AbortController | null} */
  let current = null;

  function load() {
    current?.abort();
    const request = new window.AbortController();
    current = request;
    const stale = () => request !== current || !container.isConnected;
    for (const chart of own.splice(0)) {
      chart.destroy();
      charts.splice(charts.indexOf(chart), 1);
    }
    const period = { from: form.from.value, to: form.to.value };
    if (!period.from || !period.to || period.from > period.to) {
      clear(form.message).append(h('p', { class: 'error', role: 'alert', text: i18n.t('compare.badPeriod') }));
      return;
    }
    clear(form.message);
    const keep = (/** @type {any} */ chart) => { if (chart) { own.push(chart); charts.push(chart); } };
    loadPanels(p, ctx, site, period, request, stale, keep);
  }

  load();
  return () => current?.abort();
}

/**
 * Fills each panel for one period; `stale` says when a later request took over, `keep` collects
 * the charts drawn (to destroy on the next period).
 * @param {Record<string, { body: HTMLElement }>} p @param {Ctx} ctx @param {Site} site @param {{ from: string, to: string }} period
 * @param {AbortController} request @param {() => boolean} stale @param {(c: any) => void} keep
 */
function loadPanels(p, ctx, site, period, request, stale, keep) {
  const { i18n, api } = ctx;
  /** @param {HTMLElement} body @param {() => Promise<any>} fetchBody @param {(body: any) => any} render */
  const fill = async (body, fetchBody, render) => {
    showState(body, 'loading', i18n.t('app.loading'));
    let answer;
    try {
      answer = await fetchBody();
    } catch (err) {
      if (!stale()) showState(body, 'error', errorText(i18n, err));
      return;
    }
    if (stale()) return;
    clear(body);
    keep(render(answer));
  };
  const empty = (/** @type {HTMLElement} */ body, /** @type {string} */ why) => showState(body, 'empty', why, noDataHelp(i18n, site));
  const csvHref = (/** @type {string} */ table) => api.csvUrl(site.id, table, period);
  const opts = { i18n, site };
  fill(p.baseline.body, () => api.baseline(site.id, period, request.signal),
    (b) => renderConsumption(p.baseline.body, b, {
      ...opts,
      csvHref: csvHref('baseline'),
      empty: () => p.baseline.body.append(h('p', { class: 'notice', 'data-state': 'empty', text: i18n.t('site.noSeries') })),
      hours: { days: periodDays(period), load: () => api.hourlyBaseline(site.id, period, request.signal), csvHref: csvHref('hourly-baseline') },
    }));
  fill(p.kpis.body, () => api.kpis(site.id, period, request.signal), (b) => {
    renderKpis(p.kpis.body, b, opts);
    // The CUSUM comes with the KPIs (actual − expected per day); without a baseline, the reason.
    if (b.cusum && b.cusum.length > 0) { clear(p.cusum.body); return renderCusum(p.cusum.body, b, opts); }
    // The reason only: how to get data is said once, under the carpet plot.
    showState(p.cusum.body, 'empty', problemsText(i18n, [...b.problems, ...b.baselineProblems, ...b.deviationProblems]) || i18n.t('site.noSeries'));
    return null;
  });
  showState(p.cusum.body, 'loading', i18n.t('app.loading'));
  fill(p.carpet.body, () => api.hourlyEnergy(site.id, period, request.signal), (b) => {
    if (b.problems.length > 0 || !b.days.some((/** @type {{ kWh: (number | null)[] }} */ d) => d.kWh.some((v) => v !== null))) {
      empty(p.carpet.body, problemsText(i18n, b.problems) || i18n.t('site.noSeries'));
      return null;
    }
    return renderCarpet(p.carpet.body, b, { ...opts, csvHref: csvHref('hourly-energy') });
  });
  fill(p.degreeDays.body, () => api.degreeDays(site.id, period, request.signal), (b) => {
    if (!b.days.some((/** @type {{ tMeanC: number | null }} */ d) => d.tMeanC !== null)) {
      showState(p.degreeDays.body, 'empty', problemsText(i18n, b.problems) || i18n.t('site.noSeries'));
      return null;
    }
    return renderDegreeDays(p.degreeDays.body, b, { ...opts, csvHref: csvHref('degree-days') });
  });
  loadIndoor(p.indoor.body, ctx, site, period, request, stale, keep);
}

/** @param {HTMLElement} body @param {Ctx} ctx @param {Site} site @param {{ from: string, to: string }} period @param {AbortController} request @param {() => boolean} stale @param {(c: any) => void} keep */
async function loadIndoor(body, ctx, site, period, request, stale, keep) {
  const { i18n, api } = ctx;
  if (!INDOOR_QUANTITIES.some((q) => indoorDevices(site, q).length > 0)) {
    showState(body, 'empty', i18n.t('indoor.noSensor'));
    return;
  }
  const fromMs = localDateToMs(period.from, site.timezone);
  const toMs = localDaysAgoMs(localDateToMs(period.to, site.timezone), -1, site.timezone);
  // Drawn in place: a chart on a detached canvas would measure 0 × 0.
  const target = h('div', {}, h('p', { class: 'notice', 'data-state': 'loading', text: i18n.t('app.loading') }));
  clear(body).append(target);
  const { charts: drawn } = await renderIndoor(target, { i18n, api, site, fromMs, toMs, signal: request.signal, period });
  if (stale()) { drawn.forEach((c) => c.destroy()); return; }
  target.querySelector('[data-state="loading"]')?.remove();
  drawn.forEach(keep);
}
