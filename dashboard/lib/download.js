// @ts-check
import { h } from './dom.js';

/**
 * Downloads beside a chart: its PNG (the canvas as drawn, on the white background chart plugins
 * paint) and the API's own CSV of the same figures, so a spreadsheet gets the server's precision.
 */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {string} filename without extension
 * @param {string} label
 * @returns {HTMLButtonElement}
 */
export function pngButton(canvas, filename, label) {
  return /** @type {HTMLButtonElement} */ (h('button', {
    type: 'button',
    class: 'link-button',
    'data-download': 'png',
    text: label,
    onclick: () => canvas.toBlob((blob) => {
      if (!blob) return;
      const url = window.URL.createObjectURL(blob);
      const a = /** @type {HTMLAnchorElement} */ (h('a', { href: url, download: `${filename}.png` }));
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => window.URL.revokeObjectURL(url), 10_000);
    }, 'image/png'),
  }));
}

/**
 * @param {string} url an API URL answering text/csv with a content-disposition file name
 * @param {string} label
 * @returns {HTMLAnchorElement}
 */
export function csvLink(url, label) {
  return /** @type {HTMLAnchorElement} */ (h('a', { href: url, download: '', 'data-download': 'csv', text: label }));
}

/** Chart.js plugin: a white background, so that the PNG reads on any viewer (a canvas is transparent). */
export const whiteBackground = {
  id: 'whiteBackground',
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
