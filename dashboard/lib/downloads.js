// @ts-check
/**
 * Downloads made in the page: a chart as PNG (the canvas Chart.js drew) and a table as CSV.
 * A link with `download`, not window.open: nothing leaves the dashboard's own origin.
 */

/** @param {string} href @param {string} filename */
function save(href, filename) {
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
}

/** @param {HTMLCanvasElement} canvas @param {string} filename */
export function downloadPng(canvas, filename) {
  save(canvas.toDataURL('image/png'), filename);
}

/**
 * RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends.
 * @param {string[]} header
 * @param {Array<Array<string | number | null>>} rows
 */
export function toCsv(header, rows) {
  /** @param {string | number | null} v */
  const cell = (v) => {
    const s = v === null ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** @param {string} csv @param {string} filename */
export function downloadCsv(csv, filename) {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  save(url, filename);
  // Revoked after the click has been handled: the download has its own copy by then.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
