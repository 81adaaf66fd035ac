import { h, clear } from '../lib/dom.js';
import { PALETTE } from '../lib/charts.js';
import { errorText, problemsText } from '../lib/problems.js';
import { localDaysAgoMs, localDateKey } from '../lib/time.js';

const WINDOW_DAYS = 30;
/** The figures of the KPI panel and their decimals, in the order shown (the API's FlatKpis). */
const KPI_DIGITS = {
  measuredSharePct: 1, finalEnergyKWh: 0, kWhPerM2: 2, climateCorrectedKWhPerM2: 2, electricityKWh: 0, gasM3: 1, heatKWh: 0, waterM3: 1,
  deviationKWh: 0, deviationPct: 1, baselineMonthlyCvRmsePct: 1, baselineMonthlyNmbePct: 1, baseloadKW: 1, outOfHoursSharePct: 1, hddC: 0, cddC: 0,
};
const DD_DIGITS = { baseC: 1, totalHddC: 0, totalCddC: 0, daysUsed: 0 };

function notice(text, state) {
  return h('p', { class: 'notice unavailable', 'data-state': state, text });
}

/** A definition list of the figures the API stated; the ones it withheld are listed with the reason. */
function figureList(i18n, values, digits) {
  const entries = Object.entries(digits).filter(([k]) => values[k] !== null && values[k] !== undefined);
  return h('dl', { class: 'kv' }, entries.map(([k, d]) => [h('dt', { text: i18n.t(`kpi.${k}`) }), h('dd', { text: i18n.formatNumber(values[k], d) })]));
}

function renderKpis(target, body, i18n) {
  if (body.status !== 'ok') {
    target.append(notice(problemsText(i18n, body.problems), 'insufficient-data'));
    return;
  }
  target.append(figureList(i18n, body.kpis, KPI_DIGITS));
  const missing = [...body.baselineProblems, ...body.climateCorrectionProblems, ...body.deviationProblems];
  if (missing.length > 0) target.append(notice(problemsText(i18n, missing), 'partial'));
  const d = body.decretTertiaire;
  if (d) {
    const text = d.status === 'insufficient-data'
      ? `${i18n.t('compare.decret')} – ${problemsText(i18n, d.problems)}`
      : `${i18n.t('compare.decret')} – ${i18n.t('compare.decretCell', {
        achieved: `${i18n.formatNumber(d.reductionAchievedPct, 1)} %`,
        target: `${i18n.formatNumber(d.reductionTargetPct, 1)} %`,
        status: i18n.t(d.status === 'on-track' ? 'compare.decretOnTrack' : 'compare.decretBehind'),
      })}`;
    target.append(h('p', { class: 'notice', 'data-decret': d.status, text }));
  }
}

function renderDegreeDays(target, body, i18n) {
  if (body.problems.length > 0) {
    target.append(notice(problemsText(i18n, body.problems), 'no-temperature'));
    return;
  }
  target.append(figureList(i18n, body, DD_DIGITS));
}

function baselineChart(target, body, i18n, site) {
  const days = body.days;
  if (!days.some((d) => d.actualKWh !== null || d.expectedKWh !== null)) {
    target.append(h('p', { class: 'notice', text: i18n.t('site.noSeries') }));
    return null;
  }
  const canvas = h('canvas', { id: 'baseline-chart', role: 'img', 'aria-label': i18n.t('site.baseline') });
  target.append(h('div', { class: 'chart-box' }, canvas));
  const label = (d) => i18n.formatDay(Date.parse(`${d.date}T12:00:00Z`), site.timezone);
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: days.map(label),
      datasets: [
        { label: `${i18n.t('site.actual')} (kWh)`, data: days.map((d) => d.actualKWh), borderColor: PALETTE.electricity, backgroundColor: PALETTE.electricity, pointRadius: days.length > 62 ? 0 : 2 },
        { label: `${i18n.t('site.expected')} (kWh)`, data: days.map((d) => d.expectedKWh), borderColor: PALETTE.baseline, backgroundColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: 0 },
      ],
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { position: 'bottom' } } },
  });
}

function renderBaseline(target, body, i18n, site) {
  if (body.fitted) {
    const m = body.fitQuality.monthly;
    const day = (date) => i18n.formatLongDate(Date.parse(`${date}T12:00:00Z`), site.timezone);
    const figures = i18n.t('site.fitFigures', { cv: i18n.formatNumber(m.cvRmsePct, 1), nmbe: i18n.formatNumber(m.nmbePct, 1), from: day(body.referencePeriod.from), to: day(body.referencePeriod.to) });
    target.append(h('p', { class: body.accepted ? 'notice' : 'notice unavailable', 'data-state': body.accepted ? 'accepted' : 'not-accepted', text: `${i18n.t(body.accepted ? 'site.fitAccepted' : 'site.fitNotAccepted')} ${figures}` }));
  } else {
    target.append(notice(`${i18n.t('site.noBaseline')} ${problemsText(i18n, body.problems)}`, 'no-baseline'));
  }
  return baselineChart(target, body, i18n, site);
}

/**
 * Baseline, KPIs and degree days over a period the user picks (the last 30 days at first; a site
 * with imported history is read over any past period), each as the API computed it, or why it did
 * not. Only the latest request renders: a slow answer for an earlier period must not replace the
 * one asked for after it.
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
        if (!stale()) clear(target).append(h('p', { class: 'error', text: errorText(i18n, err) }));
        return;
      }
      if (stale()) return;
      const chart = render(clear(target), body, i18n, site);
      if (chart) {
        own.push(chart);
        charts.push(chart);
      }
    };
    fill(baselineBody, () => api.baseline(site.id, { from, to }, request.signal), renderBaseline);
    fill(kpiBody, () => api.kpis(site.id, { from, to }, request.signal), renderKpis);
    fill(ddBody, () => api.degreeDays(site.id, { from, to }, request.signal), renderDegreeDays);
  }

  load();
  return () => current?.abort();
}
