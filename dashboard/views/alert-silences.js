// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { can } from '../lib/permissions.js';
import { SILENCE_HOURS, silenceEnd } from '../lib/alerts-model.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */
/** @typedef {import('../lib/view-types.js').SiteInfo} SiteInfo */
/** @typedef {{ id: number, site: string, device: string | null, from: string, to: string, reason: string, createdBy: string }} Silence */

/**
 * The active silences (maintenance windows) of the sites the user sees, each with an "end" button
 * for the roles that may end one. A silence holds back e-mails only: alerts are still recorded.
 * @param {HTMLElement} section
 * @param {ViewContext} ctx
 * @param {string | undefined} site
 * @param {AbortSignal} signal
 */
export async function renderSilences(section, ctx, site, signal) {
  const { i18n } = ctx;
  const heading = h('h2', { id: 'silences-title', text: i18n.t('alerts.silencesTitle') });
  let list;
  try {
    list = /** @type {Silence[]} */ (await ctx.api.silences({ active: 'true', site }, signal));
  } catch (err) {
    if (!signal.aborted) clear(section).append(heading, h('p', { class: 'error', text: errorText(i18n, err) }));
    return;
  }
  if (signal.aborted) return;
  const tzOf = (/** @type {string} */ id) => ctx.sites.find((s) => s.id === id)?.timezone ?? 'Europe/Paris';
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  /** @param {Silence} s */
  const endButton = (s) => h('button', {
    type: 'button',
    class: 'secondary',
    onclick: async () => {
      try {
        await ctx.write.endSilence(s.id);
        await renderSilences(section, ctx, site, signal);
      } catch (err) {
        error.textContent = errorText(i18n, err);
        error.hidden = false;
      }
    },
    text: i18n.t('alerts.endSilence'),
  });
  clear(section).append(heading, list.length === 0
    ? h('p', { class: 'notice', id: 'silences-empty', text: i18n.t('alerts.silencesNone') })
    : table({
      columns: [
        { label: i18n.t('alerts.site'), cell: (/** @type {Silence} */ s) => ctx.sites.find((x) => x.id === s.site)?.name ?? s.site },
        { label: i18n.t('alerts.device'), cell: (/** @type {Silence} */ s) => s.device ?? i18n.t('alerts.wholeSite') },
        { label: i18n.t('alerts.silenceUntil'), cell: (/** @type {Silence} */ s) => i18n.formatDateTime(Date.parse(s.to), tzOf(s.site)) },
        { label: i18n.t('alerts.silenceReason'), cell: (/** @type {Silence} */ s) => s.reason },
        { label: i18n.t('alerts.silenceBy'), cell: (/** @type {Silence} */ s) => s.createdBy },
        ...(can(ctx.session, 'silence') ? [{ label: i18n.t('alerts.actions'), cell: endButton }] : []),
      ],
      rows: list,
      stack: true,
      rowAttrs: (/** @type {Silence} */ s) => ({ dataset: { silence: String(s.id), site: s.site } }),
    }), error);
}

/**
 * A form that silences a device of `site` (or the whole site) from now for a chosen length.
 * @param {ViewContext} ctx
 * @param {SiteInfo} site
 * @param {string} device the device preselected (the alert's)
 * @param {() => void} onDone
 */
export function silenceForm(ctx, site, device, onDone) {
  const { i18n } = ctx;
  const error = h('p', { class: 'error', role: 'alert', id: 'silence-error', hidden: true });
  const deviceSelect = h('select', { id: 'silence-device', name: 'device' },
    site.devices.map((d) => h('option', { value: d.id, text: d.name || d.id, selected: d.id === device })),
    h('option', { value: '', text: i18n.t('alerts.wholeSite') }));
  const hours = h('select', { id: 'silence-hours', name: 'hours' },
    SILENCE_HOURS.map((n) => h('option', { value: String(n), text: i18n.t('alerts.forHours', { hours: i18n.formatNumber(n, 0) }), selected: n === 4 })));
  const reason = h('input', { id: 'silence-reason', name: 'reason', required: true, maxlength: 500 });
  const form = h('form', { class: 'stacked', id: 'silence-form' },
    h('label', { for: 'silence-device', text: i18n.t('alerts.device') }), deviceSelect,
    h('label', { for: 'silence-hours', text: i18n.t('alerts.silenceFor') }), hours,
    h('label', { for: 'silence-reason', text: i18n.t('alerts.silenceReason') }), reason,
    h('button', { type: 'submit', class: 'primary', text: i18n.t('alerts.silence') }),
    error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = /** @type {HTMLSelectElement} */ (deviceSelect).value;
    const body = { site: site.id, ...(chosen ? { device: chosen } : {}), to: silenceEnd(ctx.now(), Number(/** @type {HTMLSelectElement} */ (hours).value)), reason: /** @type {HTMLInputElement} */ (reason).value };
    try {
      await ctx.write.silence(body);
      onDone();
    } catch (err) {
      error.textContent = errorText(i18n, err);
      error.hidden = false;
    }
  });
  return form;
}
