import { h, clear } from '../lib/dom.js';
import { isUnavailable } from '../lib/api.js';
import { PALETTE } from '../lib/charts.js';
import { localDaysAgoMs, localDateKey } from '../lib/time.js';

const WINDOW_DAYS = 30;

function firstNumber(obj, keys) {
  for (const k of keys) if (Number.isFinite(obj?.[k])) return obj[k];
  return null;
}

/** Days of {label, actual, expected} from the baseline endpoint, whatever it calls them. */
export function baselineDays(body) {
  const list = [body?.days, body?.points, body?.series, body?.daily, Array.isArray(body) ? body : null].find(Array.isArray) ?? [];
  return list.map((d) => ({
    date: d.date ?? d.day ?? (Number.isFinite(d.startMs) ? d.startMs : null),
    actual: firstNumber(d, ['actualKWh', 'measuredKWh', 'actual', 'consumptionKWh']),
    expected: firstNumber(d, ['expectedKWh', 'predictedKWh', 'baselineKWh', 'expected', 'predicted']),
  })).filter((d) => d.date !== null && (d.actual !== null || d.expected !== null));
}

/** The scalar numbers of a KPI-like answer, for a plain key/value list. */
function scalarEntries(body) {
  const source = body?.kpis ?? body;
  return Object.entries(source ?? {}).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
}

function unavailable(i18n) {
  return h('p', { class: 'notice unavailable', 'data-state': 'unavailable', text: i18n.t('unavailable') });
}

/** The baseline's fit as a site manager reads it: accepted or not by ASHRAE Guideline 14, with the two figures. */
export function baselineStatus(body) {
  if (!body || body.fitted !== true) return null;
  return {
    accepted: body.accepted === true,
    cvRmsePct: firstNumber(body.fitQuality?.monthly, ['cvRmsePct', 'cvrmsePct']),
    nmbePct: firstNumber(body.fitQuality?.monthly, ['nmbePct']),
    referenceFrom: body.referencePeriod?.from ?? null,
    referenceTo: body.referencePeriod?.to ?? null,
  };
}

/**
 * Baseline, KPIs and degree days over a period the user picks (the last 30 days at first; a site
 * with imported history is read over any past period). Panels show a clear notice when the
 * analytics endpoints 404. Only the latest request renders: a slow answer for an earlier period
 * must not replace the one asked for after it.
 */
export function renderAnalytics(container, ctx, site, charts) {
  const { i18n, api } = ctx;
  const nowMs = ctx.now();
  const fromInput = h('input', { type: 'date', id: 'an-from', name: 'from', required: true, value: localDateKey(localDaysAgoMs(nowMs, WINDOW_DAYS - 1, site.timezone), site.timezone) });
  const toInput = h('input', { type: 'date', id: 'an-to', name: 'to', required: true, value: localDateKey(nowMs, site.timezone) });
  const periodMessage = h('div', { 'aria-live': 'polite' });
  container.append(h('section', { class: 'panel wide', 'aria-labelledby': 'an-title', 'data-panel': 'period' },
    h('h2', { id: 'an-title', text: i18n.t('site.analysisPeriod') }),
    h('form', { class: 'period', onsubmit: (e) => { e.preventDefault(); load(); } },
      h('label', { for: 'an-from' }, i18n.t('compare.from'), fromInput),
      h('label', { for: 'an-to' }, i18n.t('compare.to'), toInput),
      h('button', { type: 'submit', class: 'primary', text: i18n.t('site.analyse') })),
    periodMessage));
  const panel = (key, id) => {
    const body = h('div', {});
    container.append(h('section', { class: 'panel', 'aria-labelledby': id, 'data-panel': key }, h('h2', { id, text: i18n.t(`site.${key}`) }), body));
    return body;
  };
  const baselineBody = panel('baseline', 'baseline-title');
  const kpiBody = panel('kpis', 'kpis-title');
  const ddBody = panel('degreeDays', 'dd-title');
  const own = [];
  let current = null;

  const keyValues = (target, body) => {
    const entries = scalarEntries(body);
    if (entries.length === 0) {
      target.append(unavailable(i18n));
      return;
    }
    if (body?.kpis && body.kpis.measuredSharePct === 0) {
      target.append(h('p', { class: 'notice', text: i18n.t('noFigures') }));
      return;
    }
    target.append(h('dl', { class: 'kv' }, entries.map(([k, v]) => [h('dt', { text: i18n.t(`kpi.${k}`) === `kpi.${k}` ? k : i18n.t(`kpi.${k}`) }), h('dd', { text: i18n.formatNumber(v, 2) })])));
  };

  const renderBaseline = (target, body) => {
    const status = baselineStatus(body);
    if (status) {
      const figures = i18n.t('site.fitFigures', { cv: i18n.formatNumber(status.cvRmsePct, 1), nmbe: i18n.formatNumber(status.nmbePct, 1), from: status.referenceFrom ?? '?', to: status.referenceTo ?? '?' });
      target.append(h('p', { class: status.accepted ? 'notice' : 'notice unavailable', 'data-state': status.accepted ? 'accepted' : 'not-accepted', text: `${i18n.t(status.accepted ? 'site.fitAccepted' : 'site.fitNotAccepted')} ${figures}` }));
    } else if (Array.isArray(body?.problems) && body.problems.length > 0) {
      target.append(h('p', { class: 'notice unavailable', 'data-state': 'no-baseline', text: `${i18n.t('site.noBaseline')} ${body.problems.join(' ')}` }));
    }
    const days = baselineDays(body);
    if (days.length === 0) {
      if (!status) target.append(unavailable(i18n));
      return;
    }
    const canvas = h('canvas', { id: 'baseline-chart', role: 'img', 'aria-label': i18n.t('site.baseline') });
    target.append(h('div', { class: 'chart-box' }, canvas));
    const label = (d) => (typeof d.date === 'number' ? i18n.formatDay(d.date, site.timezone) : String(d.date).slice(5));
    const chart = new Chart(canvas, {
      type: 'line',
      data: {
        labels: days.map(label),
        datasets: [
          { label: `${i18n.t('site.actual')} (kWh)`, data: days.map((d) => d.actual), borderColor: PALETTE.electricity, backgroundColor: PALETTE.electricity, pointRadius: days.length > 62 ? 0 : 2 },
          { label: `${i18n.t('site.expected')} (kWh)`, data: days.map((d) => d.expected), borderColor: PALETTE.baseline, backgroundColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { position: 'bottom' } } },
    });
    own.push(chart);
    charts.push(chart);
  };

  function load() {
    current?.abort();
    const request = new window.AbortController();
    current = request;
    const stale = () => request !== current || !container.isConnected;
    for (const chart of own.splice(0)) {
      chart.destroy();
      charts.splice(charts.indexOf(chart), 1);
    }
    const from = fromInput.value;
    const to = toInput.value;
    if (!from || !to || from > to) {
      clear(periodMessage).append(h('p', { class: 'error', role: 'alert', text: i18n.t('compare.badPeriod') }));
      return;
    }
    clear(periodMessage);
    const fill = async (target, fetchBody, render) => {
      clear(target).append(h('p', { class: 'notice', text: i18n.t('app.loading') }));
      let body;
      try {
        body = await fetchBody();
      } catch (err) {
        if (stale()) return;
        clear(target).append(isUnavailable(err) ? unavailable(i18n) : h('p', { class: 'error', text: i18n.t('app.loadError', { message: err.message }) }));
        return;
      }
      if (!stale()) render(clear(target), body);
    };
    fill(baselineBody, () => api.baseline(site.id, { from, to }, request.signal), renderBaseline);
    fill(kpiBody, () => api.kpis(site.id, { from, to }, request.signal), keyValues);
    fill(ddBody, () => api.degreeDays(site.id, { from, to }, request.signal), keyValues);
  }

  load();
  return () => current?.abort();
}
