// @ts-check
/**
 * Tiny DOM builder. Text always goes through text nodes, never innerHTML, so that
 * data from the API (topics, payload excerpts, site names) cannot inject markup.
 */
/**
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'text') el.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    // CSSOM, not a style attribute: the CSP (style-src 'self') refuses inline style attributes.
    else if (key === 'style') el.style.cssText = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** @param {HTMLElement} el @param {any[]} children */
function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
}

/** @template {Node} T @param {T} el @returns {T} */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/**
 * A table with proper header cells (scope) for screen readers. `stack`: below the phone
 * breakpoint each row becomes a card, each cell labelled by its column (styles.css
 * `table.stack`, from the data-label attribute: the CSP forbids styles written by scripts).
 * @param {{ caption?: string, columns: { label: string, num?: boolean, rowHeader?: boolean, sort?: string, header?: unknown, cell: (row: any, i: number) => any }[], rows: any[], rowAttrs?: (row: any, i: number) => Record<string, any>, stack?: boolean }} spec
 */
export function table({ caption, columns, rows, rowAttrs, stack = false }) {
  return h('div', { class: 'table-scroll' },
    h('table', { class: stack ? 'stack' : null },
      caption ? h('caption', { text: caption }) : null,
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': c.sort ?? null }, c.header ?? c.label)))),
      h('tbody', {}, rows.map((row, i) => h('tr', rowAttrs ? rowAttrs(row, i) : {},
        columns.map((c, j) => {
          const content = c.cell(row, i);
          const attrs = { class: c.num ? 'num' : null, 'data-label': stack ? c.label : null };
          return j === 0 && c.rowHeader ? h('th', { ...attrs, scope: 'row' }, content) : h('td', attrs, content);
        }))))));
}
