import { h, clear, table } from '../lib/dom.js';
import { barChart, PALETTE } from '../lib/charts.js';
import { errorText, problemsText } from '../lib/problems.js';
import { localDateKey, localDateToMs, localDaysAgoMs } from '../lib/time.js';

const DEFAULT_DAYS = 30;

/**
 * The working group's comparison, as /api/compare computed it: the server's order and ranks, its
 * figures, and for a site without enough measured data the coverage and why, never a figure the
 * dashboard made up. Only the latest request renders (a slow answer for an earlier period must not
 * replace the table asked for after it).
 */
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
    let body;
    try {
      body = await api.compare(from, to, request.signal);
    } catch (err) {
      if (!stale()) clear(results).append(h('p', { class: 'error', role: 'alert', text: errorText(i18n, err) }));
      return;
    }
    if (!stale()) render(body);
  }

  function render(body) {
    const byId = new Map(sites.map((s) => [s.id, s]));
    const rows = body.sites.map((r) => ({ ...r, config: byId.get(r.site) })).filter((r) => r.config);
    if (rows.length === 0) {
      clear(results).append(h('p', { class: 'notice', text: i18n.t('compare.noSites') }));
      return;
    }
    const dateText = (d) => i18n.formatLongDate(localDateToMs(d, tz) + 12 * 3_600_000, tz);
    clear(results).append(
      table({ caption: i18n.t('compare.caption', { from: dateText(body.from), to: dateText(body.to) }), columns: columns(), rows, rowAttrs: (r) => ({ 'data-site': r.site, 'data-status': r.status }) }),
      whyEmpty(rows),
    );
    const ranked = rows.filter((r) => r.kWhPerM2 !== null);
    if (ranked.length === 0) return;
    const canvas = h('canvas', { id: 'compare-chart', role: 'img', 'aria-label': i18n.t('compare.chartAlt') });
    results.append(h('div', { class: 'chart-box', style: `height:${Math.max(200, 60 + ranked.length * 48)}px` }, canvas));
    charts.push(barChart(canvas, {
      labels: ranked.map((r) => r.config.name),
      datasets: [{ label: i18n.t('compare.intensity'), data: ranked.map((r) => r.kWhPerM2), backgroundColor: PALETTE.electricity, unit: 'kWh/m²' }],
      horizontal: true,
      scales: { x: { beginAtZero: true, title: { display: true, text: 'kWh/m²' } } },
      formatValue: (v) => `${i18n.formatNumber(v, 2)} kWh/m²`,
    }));
  }

  /** An empty cell says why on hover and in the list under the table; '–' alone never stands for a figure. */
  function figureCell(value, format, problems) {
    if (value !== null) return format(value);
    return h('span', { class: 'missing', title: problemsText(i18n, problems), text: '–' });
  }

  function columns() {
    const pct = (v) => `${v > 0 ? '+' : ''}${i18n.formatNumber(v, 1)} %`;
    const n2 = (v) => i18n.formatNumber(v, 2);
    return [
      { label: i18n.t('compare.rank'), num: true, cell: (r) => (r.rank === null ? '–' : String(r.rank)) },
      { label: i18n.t('compare.site'), rowHeader: true, cell: (r) => h('a', { href: `#/site/${encodeURIComponent(r.site)}` }, r.config.name) },
      { label: i18n.t('compare.usage'), cell: (r) => i18n.t(`usage.${r.config.usage}`) },
      { label: i18n.t('compare.floorArea'), num: true, cell: (r) => i18n.formatNumber(r.config.floorAreaM2, 0) },
      { label: i18n.t('compare.status'), cell: (r) => (r.status === 'ok' ? 'OK' : i18n.t('compare.insufficient', { pct: i18n.formatNumber(r.coverage.measuredSharePct, 1) })) },
      { label: i18n.t('compare.consumption'), num: true, cell: (r) => figureCell(r.finalEnergyKWh, (v) => i18n.formatNumber(v, 0), r.problems) },
      { label: i18n.t('compare.intensity'), num: true, cell: (r) => figureCell(r.kWhPerM2, n2, r.problems) },
      { label: i18n.t('compare.corrected'), num: true, cell: (r) => figureCell(r.climateCorrectedKWhPerM2, n2, r.climateCorrectionProblems) },
      { label: i18n.t('compare.deviation'), num: true, cell: (r) => figureCell(r.deviationPct, pct, r.deviationProblems) },
      { label: i18n.t('compare.decret'), cell: (r) => decretCell(r.decretTertiaire, pct) },
    ];
  }

  function decretCell(d, pct) {
    if (d === null) return '–';
    if (d.status === 'insufficient-data') return h('span', { class: 'missing', 'data-decret': d.status, title: problemsText(i18n, d.problems), text: i18n.t('compare.decretInsufficient') });
    const status = i18n.t(d.status === 'on-track' ? 'compare.decretOnTrack' : 'compare.decretBehind');
    return h('span', { 'data-decret': d.status, text: i18n.t('compare.decretCell', { achieved: pct(d.reductionAchievedPct), target: pct(d.reductionTargetPct), status }) });
  }

  function whyEmpty(rows) {
    const items = rows.flatMap((r) => {
      const all = [...r.problems, ...r.climateCorrectionProblems, ...r.deviationProblems, ...(r.decretTertiaire?.problems ?? [])];
      return all.length === 0 ? [] : [h('li', { 'data-site': r.site }, h('strong', { text: r.config.name }), ' – ', problemsText(i18n, all))];
    });
    return items.length === 0 ? null : h('details', { class: 'why-missing' }, h('summary', { text: i18n.t('compare.why') }), h('ul', {}, items));
  }

  load();
  return () => {
    current?.abort();
    charts.forEach((c) => c.destroy());
  };
}
