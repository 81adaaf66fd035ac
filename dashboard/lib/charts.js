// @ts-check
/**
 * Chart.js 4 helpers. Chart.js is loaded as its UMD build (global `Chart`) from
 * /vendor/chart.umd.js. There is no date adapter (no build step), so time axes are
 * linear axes of epoch ms whose ticks are formatted with Intl in the site's zone.
 */
export const PALETTE = { electricity: '#0b5cad', heat: '#c2410c', gas: '#7c3aed', water: '#0e7490', baseline: '#6b7280', power: '#0b5cad' };

const common = {
  animation: /** @type {const} */ (false),
  responsive: true,
  maintainAspectRatio: false,
  interaction: { mode: /** @type {const} */ ('nearest'), axis: /** @type {const} */ ('x'), intersect: false },
};

const HOUR_MS = 3_600_000;

/**
 * Ticks on whole local hours that are multiples of `everyHours` (00:00, 03:00…) in
 * `timeZone`, instead of Chart.js's round numbers of epoch ms.
 */
/** @param {number} minMs @param {number} maxMs @param {string} timeZone @param {number} [everyHours] */
export function localHourTicks(minMs, maxMs, timeZone, everyHours = 3) {
  const hourOf = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' });
  /** @type {{ value: number }[]} */
  const ticks = [];
  for (let t = Math.ceil(minMs / HOUR_MS) * HOUR_MS; t <= maxMs; t += HOUR_MS) {
    if (Number(hourOf.format(t)) % everyHours === 0) ticks.push({ value: t });
  }
  return ticks;
}

/**
 * True when the point at `i` has no neighbour within `joinMs`: a line needs two points, so a lone
 * reading (the first one of a new meter, or one between gaps) is drawn as a dot, not as nothing.
 */
/** @param {readonly { x: number }[]} data @param {number} i @param {number} joinMs */
export function isolatedPoint(data, i, joinMs) {
  const p = data[i];
  if (!p) return false;
  const prev = data[i - 1];
  const next = data[i + 1];
  return !(prev && p.x - prev.x <= joinMs) && !(next && next.x - p.x <= joinMs);
}

/**
 * A line of { x: epoch ms, y } points on a linear time axis ticked on local hours.
 * @param {HTMLCanvasElement} canvas
 * @param {{ label: string, points: { x: number, y: number }[], color: string, formatTick: (ms: number) => string,
 *   formatTooltipTitle: (ms: number) => string, formatValue: (y: number) => string, yTitle?: string,
 *   minMs: number, maxMs: number, timeZone: string, joinMs?: number }} spec
 */
export function lineTimeChart(canvas, { label, points, color, formatTick, formatTooltipTitle, formatValue, yTitle, minMs, maxMs, timeZone, joinMs = Infinity }) {
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [{
        label, data: points, borderColor: color, backgroundColor: `${color}22`, fill: true, borderWidth: 2, tension: 0.2,
        pointRadius: (/** @type {{ dataset: { data: unknown[] }, dataIndex: number }} */ c) => (isolatedPoint(/** @type {{ x: number }[]} */ (c.dataset.data), c.dataIndex, joinMs) ? 4 : 0),
        pointBackgroundColor: color,
        // A dot on the axis edge (the reading of this minute) is drawn whole, not cut in half.
        clip: 6,
      }],
    },
    options: {
      ...common,
      parsing: false,
      scales: {
        x: {
          type: 'linear',
          min: minMs,
          max: maxMs,
          afterBuildTicks: (axis) => { axis.ticks = localHourTicks(axis.min, axis.max, timeZone); },
          ticks: { callback: (v) => formatTick(Number(v)), autoSkip: true, maxRotation: 0 },
        },
        y: { beginAtZero: true, title: { display: Boolean(yTitle), text: yTitle ?? '' } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: (items) => formatTooltipTitle(Number(items[0]?.parsed.x)), label: (item) => formatValue(Number(item.parsed.y)) } },
      },
    },
  });
}

/** @typedef {{ label: string, data: (number | null)[], unit?: string, [option: string]: unknown }} BarDataset */

/**
 * Bars of labelled values, vertical or horizontal, with their values in the tooltip.
 * @param {HTMLCanvasElement} canvas
 * @param {{ labels: string[], datasets: BarDataset[], horizontal?: boolean, scales?: Record<string, unknown>,
 *   formatValue: (value: number, dataset: BarDataset) => string, plugins?: object[] }} spec
 */
export function barChart(canvas, { labels, datasets, horizontal = false, scales, formatValue, plugins = [] }) {
  // The datasets carry fields of their own (`unit`) that Chart.js's types do not know: the
  // configuration is handed over as Chart.js's type, checked here only for what this helper builds.
  const config = {
    type: 'bar',
    data: { labels, datasets },
    options: {
      ...common,
      indexAxis: horizontal ? 'y' : 'x',
      scales,
      plugins: {
        legend: { display: datasets.length > 1, position: 'bottom' },
        tooltip: { callbacks: { label: (/** @type {{ dataset: BarDataset, parsed: { x: number, y: number } }} */ item) => `${item.dataset.label}: ${formatValue(Number(horizontal ? item.parsed.x : item.parsed.y), item.dataset)}` } },
      },
    },
    plugins,
  };
  return new Chart(canvas, /** @type {import('chart.js').ChartConfiguration<'bar'>} */ (/** @type {unknown} */ (config)));
}

/** Chart.js is loaded with `defer`; a module script may run before it. */
export function chartReady() {
  return typeof Chart !== 'undefined';
}

/**
 * Paints the canvas white under the chart, so that a downloaded PNG (toBase64Image) is legible
 * on any viewer instead of black-on-transparent.
 */
export const whiteBackground = {
  id: 'sbeWhiteBackground',
  /** @param {{ ctx: CanvasRenderingContext2D, width: number, height: number }} chart */
  beforeDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/**
 * Colour of a carpet-plot cell: from pale yellow (no load) to dark red (the period's highest
 * hour), the sequential "YlOrRd" scheme of ColorBrewer (Brewer, colorbrewer2.org), which stays
 * ordered for colour-blind readers and in greyscale.
 */
const YL_OR_RD = [[255, 255, 204], [254, 217, 118], [253, 141, 60], [227, 26, 28], [128, 0, 38]];
export function heatColor(/** @type {number} */ share) {
  const x = Math.min(1, Math.max(0, share)) * (YL_OR_RD.length - 1);
  const i = Math.min(YL_OR_RD.length - 2, Math.floor(x));
  const f = x - i;
  const a = /** @type {number[]} */ (YL_OR_RD[i]);
  const b = /** @type {number[]} */ (YL_OR_RD[i + 1]);
  return `rgb(${a.map((v, k) => Math.round(v + ((b[k] ?? v) - v) * f)).join(', ')})`;
}
