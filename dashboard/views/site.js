import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { lineTimeChart, barChart, PALETTE } from '../lib/charts.js';
import { subscribeLive } from '../lib/live.js';
import { carrierMeters, mainDevice, unitOf } from '../lib/site-model.js';
import { localDateKey, localDaysAgoMs } from '../lib/time.js';
import { renderLatestTable } from './site-latest.js';
import { renderAnalytics } from './site-analytics.js';

const DAY_MS = 86_400_000;
const LIVE_WINDOW_MS = DAY_MS;
/** Width of the live chart's buckets (`every=5m`). */
const BUCKET_MS = 5 * 60_000;
const DAILY_DAYS = 30;
const LATEST_REFRESH_MS = 30_000;

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

  renderLivePower(liveSection, ctx, site, charts, stops);
  renderDaily(dailySection, ctx, site, charts);
  stops.push(renderAnalytics(analyticsSection, ctx, site, charts));
  const refreshLatest = () => renderLatestTable(latestSection, ctx, site);
  refreshLatest();
  const timer = setInterval(refreshLatest, LATEST_REFRESH_MS);
  stops.push(() => clearInterval(timer));

  return () => {
    stops.forEach((stop) => stop());
    charts.forEach((c) => c.destroy());
  };
}

async function renderLivePower(section, ctx, site, charts, stops) {
  const { i18n, api } = ctx;
  const device = mainDevice(site, 'power_w');
  if (!device) {
    section.append(h('p', { class: 'notice', text: i18n.t('overview.noPowerMeter') }));
    return;
  }
  const caption = h('p', { class: 'notice', id: 'live-power-caption', 'aria-live': 'polite' });
  const canvas = h('canvas', { id: 'live-power-chart', role: 'img' });
  section.append(h('div', { class: 'chart-box' }, canvas), caption);
  const nowMs = ctx.now();
  let points;
  let lastSeenMs = 0;
  try {
    // 5-minute means: 288 points a day, enough to see every start-up and shutdown.
    const [series, latest] = await Promise.all([
      api.series(site.id, { device: device.id, quantity: 'power_w', fromMs: nowMs - LIVE_WINDOW_MS, toMs: nowMs, every: '5m' }),
      api.latest(site.id),
    ]);
    points = series.buckets.map((b) => ({ x: b.tsMs, y: b.value / 1000, n: b.count ?? 1 }));
    // Readings up to the latest one known now are already inside the buckets.
    lastSeenMs = latest.find((v) => v.device === device.id && v.quantity === 'power_w')?.tsMs ?? 0;
  } catch (err) {
    section.append(h('p', { class: 'error', text: errorText(i18n, err) }));
    return;
  }
  if (!section.isConnected) return;
  const formatKW = (kW) => `${i18n.formatNumber(kW, 1)} kW`;
  const describe = () => {
    const last = points.at(-1);
    const value = last ? formatKW(last.y) : '–';
    canvas.setAttribute('aria-label', i18n.t('site.livePowerAlt', { device: device.name, value }));
    caption.textContent = last ? i18n.t('site.lastValue', { value, time: i18n.formatDateTime(last.x, site.timezone) }) : i18n.t('site.noSeries');
  };
  const chart = lineTimeChart(canvas, {
    label: i18n.t('quantity.power_w'),
    points,
    color: PALETTE.power,
    yTitle: 'kW',
    minMs: nowMs - LIVE_WINDOW_MS,
    maxMs: nowMs,
    timeZone: site.timezone,
    formatTick: (ms) => i18n.formatTime(ms, site.timezone),
    formatTooltipTitle: (ms) => i18n.formatDateTime(ms, site.timezone),
    formatValue: formatKW,
  });
  charts.push(chart);
  describe();
  // New readings go into the same 5-minute buckets as the history (running mean); the window slides to stay 24 h wide.
  stops.push(subscribeLive(api, site.id, (values) => {
    const v = values.find((x) => x.device === device.id && x.quantity === 'power_w');
    if (!v || v.tsMs <= lastSeenMs) return;
    lastSeenMs = v.tsMs;
    const slotMs = Math.floor(v.tsMs / BUCKET_MS) * BUCKET_MS;
    const last = points.at(-1);
    if (last && last.x === slotMs) {
      last.y = (last.y * last.n + v.value / 1000) / (last.n + 1);
      last.n += 1;
    } else points.push({ x: slotMs, y: v.value / 1000, n: 1 });
    while (points.length > 0 && points[0].x < slotMs - LIVE_WINDOW_MS) points.shift();
    const endMs = Math.max(ctx.now(), v.tsMs);
    chart.options.scales.x.min = endMs - LIVE_WINDOW_MS;
    chart.options.scales.x.max = endMs;
    chart.update('none');
    describe();
  }));
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
