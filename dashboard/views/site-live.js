// @ts-check
import { h } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { lineTimeChart, PALETTE } from '../lib/charts.js';
import { mainDevice } from '../lib/site-model.js';

/** @typedef {import('../lib/live.js').LiveValue} LiveValue */
/** @typedef {import('../lib/live.js').LiveState} LiveState */
/** @typedef {{ x: number, y: number, n: number }} PowerPoint */

const LIVE_WINDOW_MS = 86_400_000;
/** Width of the live chart's buckets (`every=5m`). */
const BUCKET_MS = 5 * 60_000;

/**
 * Adds `v` (W) to the 5-minute bucket it falls in, as a running mean in kW, and drops what left the 24 h window.
 * @param {PowerPoint[]} points
 * @param {LiveValue} v
 */
export function addPowerReading(points, v) {
  const slotMs = Math.floor(v.tsMs / BUCKET_MS) * BUCKET_MS;
  const at = points.findIndex((p) => p.x >= slotMs);
  const same = at >= 0 && points[at].x === slotMs ? points[at] : null;
  if (same) {
    same.y = (same.y * same.n + v.value / 1000) / (same.n + 1);
    same.n += 1;
  } else points.splice(at < 0 ? points.length : at, 0, { x: slotMs, y: v.value / 1000, n: 1 });
  while (points.length > 0 && points[0].x < points[points.length - 1].x - LIVE_WINDOW_MS) points.shift();
}

/**
 * The site's live power chart: the last 24 h of 5-minute means from /series, then every reading
 * the live stream pushes (values it gets before the history is loaded wait for it).
 * @param {HTMLElement} section
 * @param {any} ctx
 * @param {any} site
 * @param {any[]} charts
 * @returns {{ onValues: (values: LiveValue[]) => void, onState: (state: LiveState) => void }}
 */
export function livePowerPanel(section, ctx, site, charts) {
  const { i18n, api } = ctx;
  const device = mainDevice(site, 'power_w');
  if (!device) {
    section.append(h('p', { class: 'notice', text: i18n.t('overview.noPowerMeter') }));
    return { onValues: () => {}, onState: () => {} };
  }
  const caption = h('p', { class: 'notice', id: 'live-power-caption', 'aria-live': 'polite' });
  const state = h('p', { class: 'notice', id: 'live-state', 'data-state': 'connecting' });
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { id: 'live-power-chart', role: 'img' }));
  section.append(h('div', { class: 'chart-box' }, canvas), caption, state);
  /** @type {LiveValue[] | null} power readings come before the chart is ready */
  let early = [];
  /** @type {(v: LiveValue) => void} */
  let add = (v) => {
    early?.push(v);
  };
  const nowMs = ctx.now();
  // 5-minute means: 288 points a day, enough to see every start-up and shutdown.
  api.series(site.id, { device: device.id, quantity: 'power_w', fromMs: nowMs - LIVE_WINDOW_MS, toMs: nowMs, every: '5m' }).then((/** @type {any} */ series) => {
    if (!section.isConnected) return;
    /** @type {PowerPoint[]} */
    const points = series.buckets.map((/** @type {any} */ b) => ({ x: b.tsMs, y: b.value / 1000, n: b.count ?? 1 }));
    /** @type {number | null} newest reading drawn; null before the first one (the stream's snapshot) */
    let lastSeenMs = null;
    // The snapshot's reading is already inside the history's last bucket, unless it is newer.
    const inHistory = (/** @type {LiveValue} */ v) => { const last = points.at(-1); return last !== undefined && v.tsMs < last.x + BUCKET_MS; };
    const formatKW = (/** @type {number} */ kW) => `${i18n.formatNumber(kW, 1)} kW`;
    /** @type {LiveValue | null} */
    let latest = null;
    const describe = () => {
      const value = latest ? formatKW(latest.value / 1000) : '–';
      canvas.setAttribute('aria-label', i18n.t('site.livePowerAlt', { device: device.name, value }));
      caption.textContent = latest ? i18n.t('site.lastValue', { value, time: i18n.formatDateTime(latest.tsMs, site.timezone) }) : i18n.t('site.noSeries');
    };
    const chart = lineTimeChart(canvas, {
      label: i18n.t('quantity.power_w'), points, color: PALETTE.power, yTitle: 'kW', minMs: nowMs - LIVE_WINDOW_MS, maxMs: nowMs, timeZone: site.timezone, joinMs: 2 * BUCKET_MS,
      formatTick: (/** @type {number} */ ms) => i18n.formatTime(ms, site.timezone),
      formatTooltipTitle: (/** @type {number} */ ms) => i18n.formatDateTime(ms, site.timezone),
      formatValue: formatKW,
    });
    charts.push(chart);
    add = (v) => {
      if (!latest || v.tsMs >= latest.tsMs) latest = v;
      const fresh = lastSeenMs === null ? !inHistory(v) : v.tsMs > lastSeenMs;
      lastSeenMs = Math.max(lastSeenMs ?? -Infinity, v.tsMs);
      if (fresh) {
        addPowerReading(points, v);
        // The window slides to stay 24 h wide, ending now (or at a reading stamped a little ahead).
        const endMs = Math.max(ctx.now(), v.tsMs);
        const x = chart.options.scales?.x;
        if (x) {
          x.min = endMs - LIVE_WINDOW_MS;
          x.max = endMs;
        }
        chart.update('none');
      }
      describe();
    };
    const waiting = early ?? [];
    early = null;
    waiting.forEach(add);
    describe();
  }, (/** @type {unknown} */ err) => {
    early = null;
    section.append(h('p', { class: 'error', text: errorText(i18n, err) }));
  });
  return {
    onValues: (values) => {
      for (const v of values) if (v.device === device.id && v.quantity === 'power_w') add(v);
    },
    onState: (s) => {
      state.dataset.state = s;
      state.textContent = s === 'live' ? i18n.t('site.liveOn') : i18n.t('site.liveReconnecting');
    },
  };
}
