import { h, clear } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { lineTimeChart, PALETTE } from '../lib/charts.js';
import { subscribeLive } from '../lib/live.js';
import { mainDevice } from '../lib/site-model.js';
import { panel } from '../lib/chart-panel.js';
import { renderDevices } from './site-devices.js';
import { renderPeriodPanels } from './site-period.js';

const DAY_MS = 86_400_000;
const LIVE_WINDOW_MS = DAY_MS;
/** Width of the live chart's buckets (`every=5m`). */
const BUCKET_MS = 5 * 60_000;
const LATEST_REFRESH_MS = 30_000;

/**
 * The site page (issue 13, point 3): live power, then over a period the user picks consumption
 * against the baseline, KPIs, carpet plot, CUSUM, degree days and indoor conditions, then the
 * devices with their last reading and status.
 */
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
  const live = panel('live', i18n.t('site.livePower'), true);
  const devices = panel('devices', i18n.t('devices.title'), true);
  const periodPanels = h('div', {});

  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, i18n.t('site.back'))),
    h('h1', { text: site.name }),
    h('p', { class: 'meta', text: [site.city, i18n.t(`usage.${site.usage}`), `${i18n.formatNumber(site.floorAreaM2, 0)} m²`].filter(Boolean).join(' · ') }),
    h('p', { class: 'notice', text: i18n.t('site.timezone', { tz: site.timezone }) }),
    h('div', { class: 'panels' }, live.section),
    periodPanels,
    h('div', { class: 'panels' }, devices.section),
  );

  renderLivePower(live.body, ctx, site, charts, stops);
  stops.push(renderPeriodPanels(periodPanels, ctx, site, charts));
  const refreshDevices = () => renderDevices(devices.body, ctx, site);
  refreshDevices();
  const timer = setInterval(refreshDevices, LATEST_REFRESH_MS);
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
