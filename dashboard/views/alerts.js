// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { ALERT_STATES, SEVERITIES, alertsQuery, describeAlert, noFilters } from '../lib/alerts-model.js';
import { renderSilences } from './alert-silences.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */
/** @typedef {import('../lib/alerts-model.js').Alert} Alert */
/** @typedef {import('../lib/alerts-model.js').AlertFilters} AlertFilters */

/**
 * The filters of the page as the hash holds them (#/alerts?state=open&site=…), so a filtered
 * list can be bookmarked or sent to a colleague.
 * @param {string} queryString
 * @returns {AlertFilters}
 */
function filtersFromHash(queryString) {
  const params = new URLSearchParams(queryString);
  const f = noFilters();
  for (const key of /** @type {(keyof AlertFilters)[]} */ (Object.keys(f))) f[key] = params.get(key) ?? '';
  return f;
}

/**
 * @param {ViewContext} ctx
 * @param {AlertFilters} f
 */
function filterForm(ctx, f) {
  const { i18n } = ctx;
  /** @param {string} id @param {string} label @param {Array<[string, string]>} options @param {string} value */
  const select = (id, label, options, value) => h('label', { for: id }, label,
    h('select', { id, name: id.replace('alerts-', '') },
      h('option', { value: '', text: i18n.t('alerts.any') }),
      options.map(([v, text]) => h('option', { value: v, text, selected: v === value }))));
  const form = h('form', { class: 'period filters', id: 'alerts-filters' },
    select('alerts-state', i18n.t('alerts.state'), ALERT_STATES.map((s) => [s, i18n.t(`alerts.states.${s}`)]), f.state),
    select('alerts-site', i18n.t('alerts.site'), ctx.sites.map((s) => [s.id, s.name]), f.site),
    select('alerts-severity', i18n.t('alerts.severity'), SEVERITIES.map((s) => [s, i18n.t(`alerts.severities.${s}`)]), f.severity),
    h('label', { for: 'alerts-from' }, i18n.t('alerts.from'), h('input', { id: 'alerts-from', name: 'from', type: 'date', value: f.from })),
    h('label', { for: 'alerts-to' }, i18n.t('alerts.to'), h('input', { id: 'alerts-to', name: 'to', type: 'date', value: f.to })),
    h('button', { type: 'submit', class: 'primary', text: i18n.t('alerts.filter') }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (form));
    const params = new URLSearchParams();
    for (const [key, value] of data) if (value) params.set(key, String(value));
    const qs = params.toString();
    window.location.hash = qs ? `#/alerts?${qs}` : '#/alerts';
  });
  return form;
}

/**
 * @param {ViewContext} ctx
 * @param {Alert[]} alerts
 */
function alertTable(ctx, alerts) {
  const { i18n } = ctx;
  const siteOf = (/** @type {string} */ id) => ctx.sites.find((s) => s.id === id);
  const tz = (/** @type {Alert} */ a) => siteOf(a.site)?.timezone ?? 'Europe/Paris';
  /** @param {number | null} v @param {string} unit */
  const figure = (v, unit) => (v === null ? '–' : `${i18n.formatNumber(v, 1)} ${unit}`);
  return table({
    caption: i18n.t('alerts.caption', { count: i18n.formatNumber(alerts.length, 0) }),
    columns: [
      { label: i18n.t('alerts.opened'), cell: (/** @type {Alert} */ a) => h('a', { href: `#/alerts/${a.id}`, text: i18n.formatDateTime(Date.parse(a.opened), tz(a)) }) },
      { label: i18n.t('alerts.site'), cell: (/** @type {Alert} */ a) => siteOf(a.site)?.name ?? a.site },
      { label: i18n.t('alerts.device'), cell: (/** @type {Alert} */ a) => a.device },
      { label: i18n.t('alerts.summary'), cell: (/** @type {Alert} */ a) => h('span', { title: a.summary, text: describeAlert(i18n, a) }) },
      { label: i18n.t('alerts.severity'), cell: (/** @type {Alert} */ a) => h('span', { class: `badge sev-${a.severity}`, text: i18n.t(`alerts.severities.${a.severity}`) }) },
      { label: i18n.t('alerts.state'), cell: (/** @type {Alert} */ a) => h('span', { class: `badge state-${a.state}`, text: i18n.t(`alerts.states.${a.state}`) }) },
      { label: i18n.t('alerts.measured'), num: true, cell: (/** @type {Alert} */ a) => figure(a.measured, a.unit) },
      { label: i18n.t('alerts.expected'), num: true, cell: (/** @type {Alert} */ a) => figure(a.expected, a.unit) },
    ],
    rows: alerts,
    stack: true,
    rowAttrs: (/** @type {Alert} */ a) => ({ dataset: { alert: String(a.id), site: a.site } }),
  });
}

/**
 * The empty list: what to do depends on whether filters hid everything.
 * @param {ViewContext} ctx
 * @param {boolean} filtered
 */
function emptyState(ctx, filtered) {
  const { i18n } = ctx;
  return filtered
    ? h('p', { class: 'notice unavailable', id: 'alerts-empty', text: i18n.t('alerts.emptyFiltered') }, ' ', h('a', { href: '#/alerts', text: i18n.t('alerts.clearFilters') }))
    : h('div', { class: 'notice unavailable', id: 'alerts-empty' }, h('p', { text: i18n.t('alerts.emptyNone') }), h('p', { text: i18n.t('alerts.emptyHow') }));
}

/**
 * The alerts page: filtered list, CSV export of the same filters, active silences.
 * @param {HTMLElement} main
 * @param {ViewContext} ctx
 * @param {string} queryString the part of the hash after `?`
 * @returns {import('../lib/view-types.js').StopView}
 */
export function renderAlerts(main, ctx, queryString) {
  const { i18n } = ctx;
  const f = filtersFromHash(queryString);
  delete document.body.dataset.alertsReady;
  const tz = ctx.sites.find((s) => s.id === f.site)?.timezone ?? ctx.sites[0]?.timezone ?? 'Europe/Paris';
  const results = h('div', { 'aria-live': 'polite', id: 'alerts-results' }, h('p', { class: 'loading', text: i18n.t('app.loading') }));
  const silences = h('section', { class: 'panel', id: 'silences', 'aria-labelledby': 'silences-title' });
  const controller = new AbortController();
  clear(main).append(h('h1', { text: i18n.t('alerts.title') }), h('p', { class: 'notice', text: i18n.t('alerts.intro', { tz }) }), filterForm(ctx, f), results, silences);

  let query;
  try {
    query = alertsQuery(f, tz);
  } catch {
    clear(results).append(h('p', { class: 'error', role: 'alert', text: i18n.t('alerts.badPeriod') }));
    document.body.dataset.alertsReady = 'true';
    return () => controller.abort();
  }
  const csvHref = `/api/alerts?${alertsQuery(f, tz, 'csv')}`;
  ctx.api.alerts(query, controller.signal).then(
    (/** @type {Alert[]} */ alerts) => {
      const filtered = Object.values(f).some(Boolean);
      clear(results).append(
        h('p', {}, h('a', { href: csvHref, download: 'alertes.csv', id: 'alerts-csv', text: i18n.t('alerts.csv') })),
        alerts.length === 0 ? emptyState(ctx, filtered) : alertTable(ctx, alerts),
      );
      document.body.dataset.alertsReady = 'true';
      // After the list: a refused filter (another site's id in the URL) is said once, not twice.
      renderSilences(silences, ctx, f.site || undefined, controller.signal);
    },
    (/** @type {unknown} */ err) => {
      if (controller.signal.aborted) return;
      clear(results).append(h('p', { class: 'error', role: 'alert', id: 'alerts-error', text: errorText(i18n, err) }));
      document.body.dataset.alertsReady = 'true';
    },
  );
  return () => controller.abort();
}
