// @ts-check
import { h, clear } from '../lib/dom.js';
import { can } from '../lib/permissions.js';
import { addUserForm } from './admin-user-form.js';
import { renderUsers } from './admin-users.js';
import { renderTokens } from './admin-tokens.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */

/**
 * The admin page (issue 11 point 1): users (list, add, disable, new password, role and sites) and
 * the admin's own API tokens. Other roles reach it only by typing its address: they are told it
 * is for admins, and nothing is asked of the server (which would answer 403 admin-only).
 * @param {HTMLElement} main
 * @param {ViewContext} ctx
 * @returns {import('../lib/view-types.js').StopView}
 */
export function renderAdmin(main, ctx) {
  const { i18n } = ctx;
  if (!can(ctx.session, 'manage-users')) {
    clear(main).append(h('h1', { text: i18n.t('admin.title') }), h('p', { class: 'error', role: 'alert', id: 'admin-refused', text: i18n.t('problem.admin-only') }));
    return () => {};
  }
  const controller = new AbortController();
  const users = h('section', { class: 'panel wide', id: 'users', 'aria-labelledby': 'users-title' });
  const tokens = h('section', { class: 'panel wide', id: 'tokens', 'aria-labelledby': 'tokens-title' });
  const reloadUsers = () => { renderUsers(users, ctx, controller.signal); };
  clear(main).append(
    h('h1', { text: i18n.t('admin.title') }),
    users,
    h('section', { class: 'panel wide', 'aria-labelledby': 'add-user-title' }, h('h2', { id: 'add-user-title', text: i18n.t('admin.addTitle') }), addUserForm(ctx, reloadUsers)),
    tokens,
  );
  reloadUsers();
  renderTokens(tokens, ctx, controller.signal);
  return () => controller.abort();
}
