// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';

const LIMIT = 100;
const REFRESH_MS = 10_000;

/**
 * Refused messages ("Messages refusés"; the API's ingest rejections): what a device sent that could
 * not be stored, and why. Named so that it is not taken for the energy alerts (issue 13).
 */
/** @param {HTMLElement} main @param {import('../lib/view-types.js').PageContext} ctx @returns {import('../lib/view-types.js').StopView} */
export function renderRejections(main, ctx) {
  const { i18n, api } = ctx;
  // Rejections are not tied to one site (the topic may be unknown): show them in the first site's zone.
  const tz = ctx.sites[0]?.timezone ?? 'Europe/Paris';
  const results = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    let rows;
    try {
      rows = await api.rejections(LIMIT);
    } catch (err) {
      clear(results).append(h('p', { class: 'error', text: errorText(i18n, err) }));
      return;
    }
    if (!main.isConnected) return;
    clear(results).append(rows.length === 0
      ? h('p', { class: 'notice', text: i18n.t('rejections.none') })
      : table({
        columns: [
          { label: i18n.t('rejections.time', { tz }), cell: (r) => i18n.formatDateTime(r.receivedMs, tz) },
          { label: i18n.t('rejections.topic'), cell: (r) => h('code', { text: r.topic }) },
          { label: i18n.t('rejections.reason'), cell: (r) => { const text = i18n.t(`rejections.reasons.${r.reason}`); return text.startsWith('rejections.') ? r.reason : text; } },
          { label: i18n.t('rejections.detail'), cell: (r) => r.detail },
        ],
        rows,
        stack: true,
      }));
  };
  clear(main).append(
    h('h1', { text: i18n.t('rejections.title') }),
    h('p', { class: 'notice', text: i18n.t('rejections.intro') }),
    h('p', {}, h('button', { type: 'button', class: 'primary', onclick: load, text: i18n.t('rejections.refresh') })),
    results,
  );
  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}
