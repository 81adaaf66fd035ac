import { h, clear, table } from '../lib/dom.js';
import { barChart, PALETTE } from '../lib/charts.js';
import { subscribeLive } from '../lib/live.js';
import { carrierMeters, unitOf } from '../lib/site-model.js';
import { localDateKey, localDaysAgoMs } from '../lib/time.js';
import { LatestValues, renderLatestTable } from './site-latest.js';
import { livePowerPanel } from './site-live.js';
import { renderAnalytics } from './site-analytics.js';

const DAY_MS = 86_400_000;
const DAILY_DAYS = 30;

/** The site page: live power, 30 days per carrier, baseline/KPIs when available, latest values. */
export function renderSite(main, ctx, siteId) {
  const { i18n } = ctx;
  const site = ctx.sites.find((s) => s.id === siteId);
  clear(main);
  if (!site) {
    main.append(h('p', { class: 'error', text: i18n.t('site.notFound', { id: siteId }) }), h('a', { href: '#/' }, i18n.t('site.back')));
    return () => {};
  }
  const stops = [];
  const charts = [];
  const panel = (title, id, ...content) => h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id, text: title }), ...content);

  const liveSection = panel(i18n.t('site.livePower'), 'live-title');
  liveSection.classList.add('wide');
  const dailySection = panel(i18n.t('site.daily'), 'daily-title');
  dailySection.classList.add('wide');
  const analyticsSection = h('div', { class: 'panels' });
  const latestSection = panel(i18n.t('site.latest'), 'latest-title');
  latestSection.classList.add('wide');

  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, i18n.t('site.back'))),
    h('h1', { text: site.name }),
    h('p', { class: 'meta', text: [site.city, i18n.t(`usage.${site.usage}`), `${i18n.formatNumber(site.floorAreaM2, 0)} m²`].filter(Boolean).join(' · ') }),
    h('p', { class: 'notice', text: i18n.t('site.timezone', { tz: site.timezone }) }),
    h('div', { class: 'panels' }, liveSection, dailySection),
    analyticsSection,
    latestSection,
  );

  const power = livePowerPanel(liveSection, ctx, site, charts);
  renderDaily(dailySection, ctx, site, charts);
  stops.push(renderAnalytics(analyticsSection, ctx, site, charts));
  // One live stream for the page: its first event is every latest value, later ones what was stored.
  const latest = new LatestValues();
  stops.push(subscribeLive(ctx.api, site.id, (values) => {
    latest.merge(values);
    power.onValues(values);
    renderLatestTable(latestSection, ctx, site, latest.all());
  }, { onState: power.onState, onError: (error) => renderLatestTable(latestSection, ctx, site, { error }) }));

  return () => {
    stops.forEach((stop) => stop());
    charts.forEach((c) => c.destroy());
  };
}

async function renderDaily(section, ctx, site, charts) {
  const { i18n, api } = ctx;
  const meters = carrierMeters(site);
  const nowMs = ctx.now();
  const fromMs = localDaysAgoMs(nowMs, DAILY_DAYS - 1, site.timezone);
  const days = [];
  for (let ms = fromMs + 12 * 3_600_000; ms < nowMs + DAY_MS; ms += DAY_MS) {
    const key = localDateKey(ms, site.timezone);
    if (!days.some((d) => d.key === key)) days.push({ key, ms });
  }
  const results = await Promise.all(meters.map(async (m) => {
    try {
      const series = await api.series(site.id, { device: m.device.id, quantity: m.quantity, fromMs, toMs: nowMs, every: '1d' });
      const byDay = new Map(series.buckets.map((b) => [localDateKey(b.tsMs + 12 * 3_600_000, site.timezone), b.value]));
      return { ...m, values: days.map((d) => byDay.get(d.key) ?? null) };
    } catch {
      return { ...m, values: days.map(() => null) };
    }
  }));
  if (!section.isConnected) return;
  const withData = results.filter((r) => r.values.some((v) => v !== null));
  if (withData.length === 0) {
    section.append(h('p', { class: 'notice', text: i18n.t('site.noSeries') }));
    return;
  }
  // kWh (electricity, heat) on the left axis, m³ (gas, water) on the right: different units are never stacked.
  const hasM3 = withData.some((r) => unitOf(r.quantity) === 'm³');
  const canvas = h('canvas', { id: 'daily-chart', role: 'img', 'aria-label': i18n.t('site.dailyAlt', { carriers: withData.map((r) => i18n.t(`carrier.${r.carrier}`)).join(', ') }) });
  section.append(h('div', { class: 'chart-box' }, canvas));
  const labels = days.map((d) => i18n.formatDay(d.ms, site.timezone));
  charts.push(barChart(canvas, {
    labels,
    datasets: withData.map((r) => ({
      label: `${i18n.t(`carrier.${r.carrier}`)} (${unitOf(r.quantity)})`,
      data: r.values,
      backgroundColor: PALETTE[r.carrier],
      yAxisID: unitOf(r.quantity) === 'm³' ? 'y2' : 'y',
      unit: unitOf(r.quantity),
    })),
    scales: {
      y: { beginAtZero: true, title: { display: true, text: 'kWh' } },
      ...(hasM3 ? { y2: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'm³' } } } : {}),
    },
    formatValue: (v, dataset) => `${i18n.formatNumber(v, 1)} ${dataset.unit}`,
  }));
  section.append(h('details', {},
    h('summary', { text: i18n.t('site.dailyTable') }),
    table({
      columns: [
        { label: i18n.t('site.day'), rowHeader: true, cell: (_row, i) => i18n.formatLongDate(days[i].ms, site.timezone) },
        ...withData.map((r) => ({ label: `${i18n.t(`carrier.${r.carrier}`)} (${unitOf(r.quantity)})`, num: true, cell: (_row, i) => i18n.formatNumber(r.values[i], 1) })),
      ],
      rows: days,
    })));
}
