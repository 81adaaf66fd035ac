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

/** Baseline, KPIs and degree days: panels shown when the analytics endpoints answer, a clear notice when they 404. */
export function renderAnalytics(container, ctx, site, charts) {
  const { i18n, api } = ctx;
  const nowMs = ctx.now();
  const from = localDateKey(localDaysAgoMs(nowMs, WINDOW_DAYS - 1, site.timezone), site.timezone);
  const to = localDateKey(nowMs, site.timezone);
  const panel = (key, id) => {
    const body = h('div', {}, h('p', { class: 'notice', text: i18n.t('app.loading') }));
    container.append(h('section', { class: 'panel', 'aria-labelledby': id, 'data-panel': key }, h('h2', { id, text: i18n.t(`site.${key}`) }), body));
    return body;
  };
  const baselineBody = panel('baseline', 'baseline-title');
  const kpiBody = panel('kpis', 'kpis-title');
  const ddBody = panel('degreeDays', 'dd-title');

  const fill = async (target, load, render) => {
    let body;
    try {
      body = await load();
    } catch (err) {
      if (!target.isConnected) return;
      clear(target).append(isUnavailable(err) ? unavailable(i18n) : h('p', { class: 'error', text: i18n.t('app.loadError', { message: err.message }) }));
      return;
    }
    if (target.isConnected) render(clear(target), body);
  };

  fill(baselineBody, () => api.baseline(site.id, { from, to }), (target, body) => {
    const days = baselineDays(body);
    if (days.length === 0) {
      target.append(unavailable(i18n));
      return;
    }
    const canvas = h('canvas', { id: 'baseline-chart', role: 'img', 'aria-label': i18n.t('site.baseline') });
    target.append(h('div', { class: 'chart-box' }, canvas));
    const label = (d) => (typeof d.date === 'number' ? i18n.formatDay(d.date, site.timezone) : String(d.date).slice(5));
    charts.push(new Chart(canvas, {
      type: 'line',
      data: {
        labels: days.map(label),
        datasets: [
          { label: `${i18n.t('site.actual')} (kWh)`, data: days.map((d) => d.actual), borderColor: PALETTE.electricity, backgroundColor: PALETTE.electricity, pointRadius: 2 },
          { label: `${i18n.t('site.expected')} (kWh)`, data: days.map((d) => d.expected), borderColor: PALETTE.baseline, backgroundColor: PALETTE.baseline, borderDash: [6, 4], pointRadius: 0 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } }, plugins: { legend: { position: 'bottom' } } },
    }));
  });

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
  fill(kpiBody, () => api.kpis(site.id, { from, to }), keyValues);
  fill(ddBody, () => api.degreeDays(site.id, { from, to }), keyValues);
  return () => {};
}
