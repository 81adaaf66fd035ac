// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { can } from '../lib/permissions.js';
import { describeAlert } from '../lib/alerts-model.js';
import { renderAlertChart } from './alert-chart.js';
import { silenceForm } from './alert-silences.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */
/** @typedef {import('../lib/alerts-model.js').Alert} Alert */
/** @typedef {{ at: string | null, kind: string, by: string | null }} HistoryEntry */

/**
 * Acknowledge with a comment: what is being done about it. Recorded under the logged-in user.
 * @param {ViewContext} ctx
 * @param {Alert} alert
 * @param {() => void} onDone
 */
function ackForm(ctx, alert, onDone) {
  const { i18n } = ctx;
  const comment = /** @type {HTMLTextAreaElement} */ (h('textarea', { id: 'ack-comment', name: 'comment', required: true, maxlength: 2000, rows: 3 }));
  const error = h('p', { class: 'error', role: 'alert', id: 'ack-error', hidden: true });
  const form = h('form', { class: 'stacked', id: 'ack-form' },
    h('label', { for: 'ack-comment', text: i18n.t('alerts.ackComment') }), comment,
    h('button', { type: 'submit', class: 'primary', text: i18n.t('alerts.acknowledge') }), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await ctx.write.acknowledge(alert.id, comment.value);
      onDone();
    } catch (err) {
      error.textContent = errorText(i18n, err);
      error.hidden = false;
    }
  });
  return form;
}

/**
 * @param {ViewContext} ctx
 * @param {Alert} a
 * @param {string} tz
 */
function facts(ctx, a, tz) {
  const { i18n } = ctx;
  const when = (/** @type {string | null} */ iso) => (iso === null ? '–' : i18n.formatDateTime(Date.parse(iso), tz));
  const figure = (/** @type {number | null} */ v) => (v === null ? '–' : `${i18n.formatNumber(v, 1)} ${a.unit}`);
  /** @type {Array<[string, string]>} */
  const rows = [
    [i18n.t('alerts.state'), i18n.t(`alerts.states.${a.state}`)], [i18n.t('alerts.severity'), i18n.t(`alerts.severities.${a.severity}`)],
    [i18n.t('alerts.site'), ctx.sites.find((s) => s.id === a.site)?.name ?? a.site], [i18n.t('alerts.device'), a.device],
    [i18n.t('alerts.rule'), `${a.rule} (${describeAlert(i18n, a)})`], [i18n.t('alerts.serviceText'), a.summary], [i18n.t('alerts.start'), when(a.start)], [i18n.t('alerts.opened'), when(a.opened)],
    [i18n.t('alerts.resolved'), when(a.resolved)], [i18n.t('alerts.measured'), figure(a.measured)], [i18n.t('alerts.expected'), figure(a.expected)],
  ];
  if (a.acknowledgedBy) rows.push([i18n.t('alerts.acknowledgedBy'), `${a.acknowledgedBy}, ${when(a.acknowledged)} — ${a.ackComment ?? ''}`]);
  return h('dl', { class: 'kv', id: 'alert-facts' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

/**
 * @param {ViewContext} ctx
 * @param {HistoryEntry[]} history
 * @param {string} tz
 */
function historyTable(ctx, history, tz) {
  const { i18n } = ctx;
  return table({
    caption: i18n.t('alerts.history'),
    columns: [
      { label: i18n.t('alerts.when', { tz }), cell: (/** @type {HistoryEntry} */ e) => (e.at === null ? '–' : i18n.formatDateTime(Date.parse(e.at), tz)) },
      { label: i18n.t('alerts.event'), cell: (/** @type {HistoryEntry} */ e) => { const text = i18n.t(`alerts.events.${e.kind}`); return text.startsWith('alerts.') ? e.kind : text; } },
      { label: i18n.t('alerts.by'), cell: (/** @type {HistoryEntry} */ e) => e.by ?? i18n.t('alerts.byService') },
    ],
    rows: history,
  });
}

/**
 * One alert: its facts, what can be done (acknowledge, silence), its history, the data around it.
 * @param {HTMLElement} main
 * @param {ViewContext} ctx
 * @param {string} id
 * @returns {import('../lib/view-types.js').StopView}
 */
export function renderAlertDetail(main, ctx, id) {
  const { i18n } = ctx;
  const controller = new AbortController();
  /** @type {{ destroy: () => void } | null} */
  let chart = null;
  const back = h('p', { class: 'breadcrumb' }, h('a', { href: '#/alerts', text: i18n.t('alerts.back') }));
  clear(main).append(back, h('p', { class: 'loading', text: i18n.t('app.loading') }));
  delete document.body.dataset.alertReady;
  const reload = () => { chart?.destroy(); chart = null; load(); };
  const load = async () => {
    let detail;
    try {
      detail = await ctx.api.alert(id, controller.signal);
    } catch (err) {
      if (!controller.signal.aborted) clear(main).append(back, h('p', { class: 'error', role: 'alert', id: 'alert-error', text: errorText(i18n, err) }));
      document.body.dataset.alertReady = 'true';
      return;
    }
    /** @type {Alert} */
    const a = detail.alert;
    const site = ctx.sites.find((s) => s.id === a.site);
    const tz = site?.timezone ?? 'Europe/Paris';
    const dataSection = h('section', { class: 'panel wide', 'aria-labelledby': 'alert-data-title' }, h('h2', { id: 'alert-data-title', text: i18n.t('alerts.dataTitle') }));
    const actions = h('section', { class: 'panel', 'aria-labelledby': 'alert-actions-title' }, h('h2', { id: 'alert-actions-title', text: i18n.t('alerts.actions') }));
    if (a.state === 'open' && can(ctx.session, 'acknowledge')) actions.append(h('h3', { text: i18n.t('alerts.acknowledge') }), ackForm(ctx, a, reload));
    else if (a.state !== 'open') actions.append(h('p', { class: 'notice', text: i18n.t(`alerts.noAck.${a.state}`) }));
    if (site && can(ctx.session, 'silence')) actions.append(h('h3', { text: i18n.t('alerts.silenceTitle') }), h('p', { class: 'notice', text: i18n.t('alerts.silenceHint') }), silenceForm(ctx, site, a.device, reload));
    clear(main).append(back,
      h('h1', { id: 'alert-title', dataset: { state: a.state }, text: i18n.t('alerts.detailTitle', { id: a.id, summary: describeAlert(i18n, a) }) }),
      h('div', { class: 'panels' }, h('section', { class: 'panel' }, facts(ctx, a, tz)), actions),
      dataSection,
      h('section', { class: 'panel wide' }, historyTable(ctx, detail.history, tz)));
    chart = renderAlertChart(dataSection, ctx, a, detail.data, tz);
    document.body.dataset.alertReady = 'true';
  };
  load();
  return () => { controller.abort(); chart?.destroy(); };
}
