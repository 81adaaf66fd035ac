// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { ROLES, PASSWORD_MIN_LENGTH, checkedSites, showFieldError, sitesFieldset } from './admin-user-form.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */
/** @typedef {{ id: number, email: string, role: string, sites: string[], disabled: boolean }} User */

/**
 * Role and sites of one user, saved together: the sites only mean something for a site manager.
 * @param {ViewContext} ctx
 * @param {User} u
 * @param {() => void} reload
 */
function accessForm(ctx, u, reload) {
  const { i18n } = ctx;
  const prefix = `u${u.id}`;
  const role = /** @type {HTMLSelectElement} */ (h('select', { id: `${prefix}-role`, name: 'role', 'aria-label': i18n.t('admin.fields.role') }, ROLES.map((r) => h('option', { value: r, text: i18n.t(`admin.roles.${r}`), selected: r === u.role }))));
  const sites = sitesFieldset(ctx, prefix, u.sites);
  const sync = () => { /** @type {HTMLFieldSetElement} */ (sites).disabled = role.value !== 'site-manager'; };
  role.addEventListener('change', sync);
  sync();
  const form = h('form', { class: 'stacked', dataset: { form: 'access' } }, role, h('p', { class: 'error field-error', id: `${prefix}-role-error`, hidden: true }), sites,
    h('p', { class: 'error field-error', id: `${prefix}-sites-error`, hidden: true }),
    h('button', { type: 'submit', class: 'primary', text: i18n.t('admin.saveAccess') }), h('p', { class: 'error field-error', id: `${prefix}-error`, hidden: true }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await ctx.write.changeUser(u.id, { role: role.value, sites: role.value === 'site-manager' ? checkedSites(sites) : [] });
      reload();
    } catch (err) {
      showFieldError(ctx, form, prefix, err);
    }
  });
  return form;
}

/**
 * A new password for one user (told to them by another channel).
 * @param {ViewContext} ctx
 * @param {User} u
 * @param {() => void} reload
 */
function passwordForm(ctx, u, reload) {
  const { i18n } = ctx;
  const prefix = `p${u.id}`;
  const password = /** @type {HTMLInputElement} */ (h('input', { id: `${prefix}-password`, type: 'password', autocomplete: 'new-password', minlength: PASSWORD_MIN_LENGTH, 'aria-label': i18n.t('admin.newPassword', { email: u.email }) }));
  const form = h('form', { class: 'inline', dataset: { form: 'password' }, novalidate: true }, password,
    h('button', { type: 'submit', class: 'secondary', text: i18n.t('admin.resetPassword') }),
    h('p', { class: 'error field-error', id: `${prefix}-password-error`, hidden: true }), h('p', { class: 'error field-error', id: `${prefix}-error`, hidden: true }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await ctx.write.changeUser(u.id, { password: password.value });
      reload();
    } catch (err) {
      showFieldError(ctx, form, prefix, err);
    }
  });
  return form;
}

/**
 * @param {ViewContext} ctx
 * @param {User} u
 * @param {() => void} reload
 * @param {HTMLElement} error
 */
function actionsCell(ctx, u, reload, error) {
  const { i18n } = ctx;
  const toggle = h('button', {
    type: 'button',
    class: 'secondary',
    dataset: { action: u.disabled ? 'enable' : 'disable' },
    text: i18n.t(u.disabled ? 'admin.enable' : 'admin.disable'),
    onclick: async () => {
      try {
        await ctx.write.changeUser(u.id, { disabled: !u.disabled });
        reload();
      } catch (err) {
        error.textContent = errorText(i18n, err);
        error.hidden = false;
      }
    },
  });
  return h('div', { class: 'row-actions' }, toggle,
    h('details', {}, h('summary', { text: i18n.t('admin.edit') }), accessForm(ctx, u, reload), passwordForm(ctx, u, reload)));
}

/**
 * The users table (GET /api/users) with, per user, disable or enable, role and sites, a new password.
 * @param {HTMLElement} section
 * @param {ViewContext} ctx
 * @param {AbortSignal} signal
 */
export async function renderUsers(section, ctx, signal) {
  const { i18n } = ctx;
  const heading = h('h2', { id: 'users-title', text: i18n.t('admin.usersTitle') });
  const error = h('p', { class: 'error', role: 'alert', id: 'users-error', hidden: true });
  const reload = () => { renderUsers(section, ctx, signal); };
  let users;
  try {
    users = /** @type {User[]} */ (await ctx.api.users(signal));
  } catch (err) {
    if (!signal.aborted) clear(section).append(heading, h('p', { class: 'error', role: 'alert', text: errorText(i18n, err) }));
    return;
  }
  if (signal.aborted) return;
  const siteName = (/** @type {string} */ id) => ctx.sites.find((s) => s.id === id)?.name ?? id;
  clear(section).append(heading, error, table({
    caption: i18n.t('admin.usersCaption', { count: i18n.formatNumber(users.length, 0) }),
    columns: [
      { label: i18n.t('admin.fields.email'), rowHeader: true, cell: (/** @type {User} */ u) => u.email },
      { label: i18n.t('admin.fields.role'), cell: (/** @type {User} */ u) => i18n.t(`admin.roles.${u.role}`) },
      { label: i18n.t('admin.sites'), cell: (/** @type {User} */ u) => (u.role === 'site-manager' ? u.sites.map(siteName).join(', ') : i18n.t('admin.allSites')) },
      { label: i18n.t('admin.status'), cell: (/** @type {User} */ u) => h('span', { class: `badge ${u.disabled ? 'state-resolved' : 'state-acknowledged'}`, text: i18n.t(u.disabled ? 'admin.disabled' : 'admin.active') }) },
      { label: i18n.t('admin.actions'), cell: (/** @type {User} */ u) => actionsCell(ctx, u, reload, error) },
    ],
    rows: users,
    stack: true,
    rowAttrs: (/** @type {User} */ u) => ({ dataset: { user: u.email } }),
  }));
}
