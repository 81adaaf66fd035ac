// @ts-check
import { h, clear, table } from './dom.js';

/** @typedef {import('./i18n.js').I18n} I18n */
/** @typedef {{ label: string, num?: boolean, rowHeader?: boolean, cell: (row: any, i: number) => any }} Column */
/** @typedef {{ href: string } | { filename: string, header: string[], rows: (string | number | null)[][] }} CsvSource */

/**
 * A section of the site page: a heading and a body that holds, in turn, "loading", the chart or
 * the reason there is none. The heading is the section's accessible name.
 * @param {string} key data-panel attribute (tests and styles find the panel by it)
 * @param {string} title
 * @param {boolean} [wide]
 */
export function panel(key, title, wide = false) {
  const id = `${key}-title`;
  const body = h('div', { class: 'panel-body' });
  const section = h('section', { class: wide ? 'panel wide' : 'panel', 'aria-labelledby': id, 'data-panel': key }, h('h2', { id, text: title }), body);
  return { section, body };
}

/**
 * Replaces the body of a panel with a message; `state` says which (tests read it).
 * @param {HTMLElement} body
 * @param {'loading' | 'empty' | 'error' | 'partial'} state
 * @param {string} text
 * @param {HTMLElement[]} [extra] further lines, e.g. how to get data
 */
export function showState(body, state, text, extra = []) {
  const cls = state === 'error' ? 'error' : state === 'loading' ? 'notice' : 'notice unavailable';
  clear(body).append(h('div', { 'data-state': state }, h('p', { class: cls, role: state === 'error' ? 'alert' : null, text }), ...extra));
}

/** A CSV file from rows of figures as the API gave them (RFC 4180: quoted when needed, CRLF). */
export function toCsv(/** @type {string[]} */ header, /** @type {(string | number | null)[][]} */ rows) {
  const cell = (/** @type {string | number | null} */ v) => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** @param {string} href @param {string} filename */
function download(href, filename) {
  const a = h('a', { href, download: filename, class: 'visually-hidden' });
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * A chart with its alternatives (issue 13, points 3 and 5): the canvas described for screen
 * readers, a PNG of the chart, its figures as CSV (the API's own CSV when it has one), and the
 * same figures as a table.
 * @param {I18n} i18n
 * @param {{ id: string, alt: string, csv: CsvSource, table: { caption: string, columns: Column[], rows: any[] }, tall?: boolean }} spec
 */
export function chartBlock(i18n, spec) {
  const canvas = /** @type {HTMLCanvasElement} */ (h('canvas', { id: spec.id, role: 'img', 'aria-label': spec.alt }));
  /** @type {{ toBase64Image(): string } | null} */
  let chart = null;
  const png = h('button', {
    type: 'button',
    class: 'download',
    'data-download': 'png',
    text: i18n.t('chart.png'),
    onclick: () => chart && download(chart.toBase64Image(), `${spec.id}.png`),
  });
  const csv = 'href' in spec.csv
    ? h('a', { class: 'download', href: spec.csv.href, download: '', 'data-download': 'csv', text: i18n.t('chart.csv') })
    : h('button', {
      type: 'button',
      class: 'download',
      'data-download': 'csv',
      text: i18n.t('chart.csv'),
      onclick: () => {
        const src = /** @type {{ filename: string, header: string[], rows: (string | number | null)[][] }} */ (spec.csv);
        const url = window.URL.createObjectURL(new window.Blob([toCsv(src.header, src.rows)], { type: 'text/csv;charset=utf-8' }));
        download(url, src.filename);
        setTimeout(() => window.URL.revokeObjectURL(url), 10_000);
      },
    });
  const element = h('div', { class: 'chart-block' },
    h('div', { class: spec.tall ? 'chart-box tall' : 'chart-box' }, canvas),
    h('div', { class: 'downloads' }, png, csv),
    h('details', { class: 'data-table' }, h('summary', { text: i18n.t('chart.table') }), table(spec.table)));
  return {
    element,
    canvas,
    /** @param {{ toBase64Image(): string }} c */
    attach(c) { chart = c; },
  };
}
