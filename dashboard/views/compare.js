import { h, clear, table } from '../lib/dom.js';
import { isUnavailable } from '../lib/api.js';
import { barChart, PALETTE } from '../lib/charts.js';
import { mainDevice } from '../lib/site-model.js';
import { localDateKey, localDateToMs, localDaysAgoMs } from '../lib/time.js';

const DEFAULT_DAYS = 30;

function num(obj, keys) {
  for (const k of keys) if (Number.isFinite(obj?.[k])) return obj[k];
  return null;
}

function nextDate(isoDate) {
  const d = new Date(`${isoDate}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Rows from GET /api/compare, whatever the field names; server order kept when it gives ranks. */
export function normalizeComparison(body, sites) {
  const list = [body?.sites, body?.ranking, body?.items, body?.rows, Array.isArray(body) ? body : null].find(Array.isArray) ?? [];
  const rows = list.map((r) => {
    const id = r.site ?? r.siteId ?? r.id;
    const site = sites.find((s) => s.id === (typeof id === 'object' ? id?.id : id));
    return {
      site,
      rank: num(r, ['rank']),
      consumptionKWh: num(r, ['energyKWh', 'consumptionKWh', 'totalKWh', 'finalEnergyKWh']),
      kWhPerM2: num(r, ['kWhPerM2', 'energyKWhPerM2', 'intensityKWhPerM2', 'euiKWhPerM2']),
      correctedKWhPerM2: num(r, ['climateCorrectedKWhPerM2', 'correctedKWhPerM2', 'normalizedKWhPerM2']),
      deviationPct: num(r, ['deviationPct', 'baselineDeviationPct', 'deviationVsBaselinePct']),
      decretPct: num(r.decretTertiaire ?? r.decret ?? {}, ['progressPct', 'reductionPct', 'gapPct']) ?? num(r, ['decretTertiairePct']),
    };
  }).filter((r) => r.site);
  // Sites without a figure (no data in the period) come last: a missing meter is never a good score.
  const known = rows.filter((r) => r.kWhPerM2 !== null);
  known.sort((a, b) => (a.rank !== null && b.rank !== null ? a.rank - b.rank : a.kWhPerM2 - b.kWhPerM2));
  return [...known, ...rows.filter((r) => r.kWhPerM2 === null)];
}

/** Dashboard-side fallback while /api/compare is not there: main electricity (+ district heat) kWh per m². */
async function provisionalComparison(api, sites, from, to) {
  const rows = await Promise.all(sites.map(async (site) => {
    const fromMs = localDateToMs(from, site.timezone);
    const toMs = localDateToMs(nextDate(to), site.timezone);
    let total = 0;
    let any = false;
    for (const quantity of ['energy_kwh', 'heat_kwh']) {
      const device = mainDevice(site, quantity);
      if (!device) continue;
      const series = await api.series(site.id, { device: device.id, quantity, fromMs, toMs, every: '1d' });
      any ||= series.buckets.length > 0;
      total += series.buckets.reduce((sum, b) => sum + b.value, 0);
    }
    return { site, rank: null, consumptionKWh: any ? total : null, kWhPerM2: any ? total / site.floorAreaM2 : null, correctedKWhPerM2: null, deviationPct: null, decretPct: null };
  }));
  return rows.filter((r) => r.kWhPerM2 !== null).sort((a, b) => a.kWhPerM2 - b.kWhPerM2);
}

export function renderCompare(main, ctx) {
  const { i18n, api, sites } = ctx;
  const charts = [];
  const tz = sites[0]?.timezone ?? 'Europe/Paris';
  const nowMs = ctx.now();
  const fromInput = h('input', { type: 'date', id: 'cmp-from', name: 'from', required: true, value: localDateKey(localDaysAgoMs(nowMs, DEFAULT_DAYS, tz), tz) });
  const toInput = h('input', { type: 'date', id: 'cmp-to', name: 'to', required: true, value: localDateKey(localDaysAgoMs(nowMs, 1, tz), tz) });
  const results = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'period', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('label', { for: 'cmp-from' }, i18n.t('compare.from'), fromInput),
    h('label', { for: 'cmp-to' }, i18n.t('compare.to'), toInput),
    h('button', { type: 'submit', class: 'primary', text: i18n.t('compare.submit') }));
  clear(main).append(h('h1', { text: i18n.t('compare.title') }), form, results);

  // Only the latest request may render: a slow answer for an earlier period (the default one
  // loaded on opening, or a double click) must not replace the table asked for after it.
  let current = null;

  async function load() {
    current?.abort();
    const request = new window.AbortController();
    current = request;
    const stale = () => request !== current || !main.isConnected;
    const from = fromInput.value;
    const to = toInput.value;
    charts.splice(0).forEach((c) => c.destroy());
    if (!from || !to || from > to) {
      clear(results).append(h('p', { class: 'error', role: 'alert', text: i18n.t('compare.badPeriod') }));
      return;
    }
    clear(results).append(h('p', { class: 'notice', text: i18n.t('app.loading') }));
    let rows;
    let provisional = false;
    try {
      // The API takes local dates, both included.
      rows = normalizeComparison(await api.compare(from, to, request.signal), sites);
    } catch (err) {
      if (stale()) return;
      if (!isUnavailable(err)) {
        clear(results).append(h('p', { class: 'error', text: i18n.t('app.loadError', { message: err.message }) }));
        return;
      }
      provisional = true;
      try {
        rows = await provisionalComparison(api, sites, from, to);
      } catch (err2) {
        if (stale()) return;
        clear(results).append(h('p', { class: 'error', text: i18n.t('app.loadError', { message: err2.message }) }));
        return;
      }
    }
    if (stale()) return;
    render(rows, provisional, from, to);
  }

  function render(rows, provisional, from, to) {
    const has = (key) => rows.some((r) => r[key] !== null);
    const dateText = (d) => i18n.formatLongDate(localDateToMs(d, tz) + 12 * 3_600_000, tz);
    const pct = (v) => (v === null ? '–' : `${v > 0 ? '+' : ''}${i18n.formatNumber(v, 1)} %`);
    const columns = [
      { label: i18n.t('compare.rank'), num: true, cell: (r, i) => (r.kWhPerM2 === null ? '–' : String(r.rank ?? i + 1)) },
      { label: i18n.t('compare.site'), rowHeader: true, cell: (r) => h('a', { href: `#/site/${encodeURIComponent(r.site.id)}` }, r.site.name) },
      { label: i18n.t('compare.usage'), cell: (r) => i18n.t(`usage.${r.site.usage}`) },
      { label: i18n.t('compare.floorArea'), num: true, cell: (r) => i18n.formatNumber(r.site.floorAreaM2, 0) },
      has('consumptionKWh') && { label: i18n.t('compare.consumption'), num: true, cell: (r) => (r.consumptionKWh === null ? '–' : i18n.formatNumber(r.consumptionKWh, 0)) },
      { label: i18n.t('compare.intensity'), num: true, cell: (r) => (r.kWhPerM2 === null ? '–' : i18n.formatNumber(r.kWhPerM2, 2)) },
      has('correctedKWhPerM2') && { label: i18n.t('compare.corrected'), num: true, cell: (r) => (r.correctedKWhPerM2 === null ? '–' : i18n.formatNumber(r.correctedKWhPerM2, 2)) },
      has('deviationPct') && { label: i18n.t('compare.deviation'), num: true, cell: (r) => pct(r.deviationPct) },
      has('decretPct') && { label: i18n.t('compare.decret'), num: true, cell: (r) => pct(r.decretPct) },
    ].filter(Boolean);
    const canvas = h('canvas', { id: 'compare-chart', role: 'img', 'aria-label': i18n.t('compare.chartAlt') });
    clear(results).append(
      ...(provisional ? [h('p', { class: 'notice unavailable', 'data-state': 'provisional', text: i18n.t('compare.provisional') })] : []),
      table({
        caption: i18n.t('compare.caption', { from: dateText(from), to: dateText(to) }),
        columns,
        rows,
        rowAttrs: (r) => ({ 'data-site': r.site.id }),
      }),
      h('div', { class: 'chart-box', style: `height:${Math.max(200, 60 + rows.length * 48)}px` }, canvas),
    );
    charts.push(barChart(canvas, {
      labels: rows.map((r) => r.site.name),
      datasets: [{ label: i18n.t('compare.intensity'), data: rows.map((r) => r.kWhPerM2), backgroundColor: PALETTE.electricity, unit: 'kWh/m²' }],
      horizontal: true,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'kWh/m²' } } },
      formatValue: (v) => `${i18n.formatNumber(v, 2)} kWh/m²`,
    }));
  }

  load();
  return () => {
    current?.abort();
    charts.forEach((c) => c.destroy());
  };
}
