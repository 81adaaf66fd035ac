// @ts-check
import { h } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */

export const ROLES = ['admin', 'working-group', 'site-manager'];
/** The server refuses shorter ones (src/accounts/passwords.ts, OWASP ASVS 2.1.1). */
export const PASSWORD_MIN_LENGTH = 12;

/**
 * Checkboxes of the sites, enabled only for a site manager (the other roles see every site; the
 * server refuses a list of sites for them).
 * @param {ViewContext} ctx
 * @param {string} prefix id prefix
 * @param {string[]} checked
 */
export function sitesFieldset(ctx, prefix, checked) {
  return h('fieldset', { id: `${prefix}-sites`, class: 'sites' },
    h('legend', { text: ctx.i18n.t('admin.sites') }),
    ctx.sites.map((s) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'sites', value: s.id, checked: checked.includes(s.id) }), ` ${s.name}`)));
}

/** @param {HTMLElement} fieldset @returns {string[]} */
export const checkedSites = (fieldset) => [...fieldset.querySelectorAll('input[name="sites"]:checked')].map((el) => /** @type {HTMLInputElement} */ (el).value);

/**
 * Shows a refusal beside the field the server named (`email`, `role`, `sites`, `password`), or
 * in the form's general error line when it names none the form has.
 * @param {ViewContext} ctx
 * @param {HTMLElement} form
 * @param {string} prefix
 * @param {any} err
 */
export function showFieldError(ctx, form, prefix, err) {
  for (const el of form.querySelectorAll('.field-error')) /** @type {HTMLElement} */ (el).hidden = true;
  const target = /** @type {HTMLElement | null} */ (form.querySelector(`#${prefix}-${err?.field}-error`)) ?? /** @type {HTMLElement} */ (form.querySelector(`#${prefix}-error`));
  target.textContent = err?.field ? ctx.i18n.t('admin.fieldError', { field: ctx.i18n.t(`admin.fields.${err.field}`), message: fieldMessage(ctx, err) }) : errorText(ctx.i18n, err);
  target.hidden = false;
}

/**
 * The user-field refusals of src/accounts/user-input.ts and accounts.ts come as `invalid-parameter`
 * with an English detail (`password: must be at least 12 characters`): the known ones are worded
 * in the user's language; any other is shown as the server wrote it rather than hidden.
 * @type {Array<[RegExp, string]>}
 */
const KNOWN_DETAILS = [
  [/^must be at least (?<min>\d+) characters$/, 'tooShort'],
  [/^must be at most (?<max>\d+) characters$/, 'tooLong'],
  [/^must be an e-mail address$/, 'email'],
  [/^must be one of /, 'role'],
  [/^a site-manager needs at least one site$/, 'needsSite'],
  [/^this is the last active admin$/, 'lastAdmin'],
  [/^unknown site "(?<site>[^"]+)"/, 'unknownSite'],
];

/**
 * @param {ViewContext} ctx
 * @param {any} err
 */
function fieldMessage(ctx, err) {
  if (err?.problem?.code !== 'invalid-parameter') return errorText(ctx.i18n, err);
  const detail = String(err.problem.params.detail ?? '').replace(/^[a-z]+: /, '');
  for (const [pattern, key] of KNOWN_DETAILS) {
    const m = pattern.exec(detail);
    if (m) return ctx.i18n.t(`admin.details.${key}`, m.groups ?? {});
  }
  return detail;
}

/** @param {string} id */
const fieldError = (id) => h('p', { class: 'error field-error', role: 'alert', id, hidden: true });

/**
 * Add a user: e-mail, role, sites (site manager), password of at least 12 characters.
 * @param {ViewContext} ctx
 * @param {() => void} onAdded
 */
export function addUserForm(ctx, onAdded) {
  const { i18n } = ctx;
  const email = /** @type {HTMLInputElement} */ (h('input', { id: 'user-email', type: 'email', name: 'email', required: true, autocomplete: 'off', maxlength: 254 }));
  const role = /** @type {HTMLSelectElement} */ (h('select', { id: 'user-role', name: 'role' }, ROLES.map((r) => h('option', { value: r, text: i18n.t(`admin.roles.${r}`), selected: r === 'site-manager' }))));
  const sites = sitesFieldset(ctx, 'user', []);
  const password = /** @type {HTMLInputElement} */ (h('input', { id: 'user-password', type: 'password', name: 'password', required: true, autocomplete: 'new-password', minlength: PASSWORD_MIN_LENGTH, maxlength: 256 }));
  const done = h('p', { class: 'notice', role: 'status', id: 'user-added', hidden: true });
  const syncSites = () => { /** @type {HTMLFieldSetElement} */ (sites).disabled = role.value !== 'site-manager'; };
  role.addEventListener('change', syncSites);
  syncSites();
  const form = h('form', { class: 'stacked', id: 'add-user-form', novalidate: true },
    h('label', { for: 'user-email', text: i18n.t('admin.fields.email') }), email, fieldError('user-email-error'),
    h('label', { for: 'user-role', text: i18n.t('admin.fields.role') }), role, fieldError('user-role-error'),
    sites, fieldError('user-sites-error'),
    h('label', { for: 'user-password', text: i18n.t('admin.fields.password') }), h('span', { class: 'hint', text: i18n.t('admin.passwordHint', { min: PASSWORD_MIN_LENGTH }) }), password, fieldError('user-password-error'),
    h('button', { type: 'submit', class: 'primary', text: i18n.t('admin.add') }), fieldError('user-error'), done);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    done.hidden = true;
    const body = { email: email.value, role: role.value, ...(role.value === 'site-manager' ? { sites: checkedSites(sites) } : {}), password: password.value };
    try {
      const { user } = await ctx.write.addUser(body);
      /** @type {HTMLFormElement} */ (form).reset();
      syncSites();
      for (const el of form.querySelectorAll('.field-error')) /** @type {HTMLElement} */ (el).hidden = true;
      done.textContent = i18n.t('admin.added', { email: user.email });
      done.hidden = false;
      onAdded();
    } catch (err) {
      showFieldError(ctx, form, 'user', err);
    }
  });
  return form;
}
