// @ts-check
import { h, clear, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';

/** @typedef {import('../lib/view-types.js').ViewContext} ViewContext */
/** @typedef {{ id: number, name: string, created: string, lastUsed: string | null, revoked: string | null }} Token */

/**
 * The admin's own API tokens (GET /api/tokens): never their values, which the server keeps hashed.
 * @param {HTMLElement} list
 * @param {ViewContext} ctx
 * @param {AbortSignal} signal
 * @param {(id: number) => void} onRevoked
 */
async function renderTokenList(list, ctx, signal, onRevoked) {
  const { i18n } = ctx;
  const tz = ctx.sites[0]?.timezone ?? 'Europe/Paris';
  const when = (/** @type {string | null} */ iso) => (iso === null ? '–' : i18n.formatDateTime(Date.parse(iso), tz));
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  let tokens;
  try {
    tokens = /** @type {Token[]} */ (await ctx.api.tokens(signal));
  } catch (err) {
    if (!signal.aborted) clear(list).append(h('p', { class: 'error', role: 'alert', text: errorText(i18n, err) }));
    return;
  }
  const revoke = (/** @type {Token} */ t) => (t.revoked !== null ? i18n.t('admin.revoked') : h('button', {
    type: 'button',
    class: 'secondary',
    dataset: { revoke: String(t.id) },
    text: i18n.t('admin.revoke'),
    onclick: async () => {
      try {
        await ctx.write.revokeToken(t.id);
        onRevoked(t.id);
        await renderTokenList(list, ctx, signal, onRevoked);
      } catch (err) {
        error.textContent = errorText(i18n, err);
        error.hidden = false;
      }
    },
  }));
  clear(list).append(error, tokens.length === 0
    ? h('p', { class: 'notice', id: 'tokens-empty', text: i18n.t('admin.tokensNone') })
    : table({
      caption: i18n.t('admin.tokensCaption', { tz }),
      columns: [
        { label: i18n.t('admin.tokenName'), rowHeader: true, cell: (/** @type {Token} */ t) => t.name },
        { label: i18n.t('admin.created'), cell: (/** @type {Token} */ t) => when(t.created) },
        { label: i18n.t('admin.lastUsed'), cell: (/** @type {Token} */ t) => when(t.lastUsed) },
        { label: i18n.t('admin.actions'), cell: revoke },
      ],
      rows: tokens,
      stack: true,
      rowAttrs: (/** @type {Token} */ t) => ({ dataset: { token: t.name, revoked: String(t.revoked !== null) } }),
    }));
}

/**
 * Tokens section: the list, and a form that creates one and shows its value once.
 * @param {HTMLElement} section
 * @param {ViewContext} ctx
 * @param {AbortSignal} signal
 */
export function renderTokens(section, ctx, signal) {
  const { i18n } = ctx;
  const list = h('div', { id: 'tokens-list' });
  const name = /** @type {HTMLInputElement} */ (h('input', { id: 'token-name', name: 'name', required: true, maxlength: 100 }));
  const shown = h('div', { class: 'notice unavailable', id: 'token-created', role: 'status', hidden: true });
  const error = h('p', { class: 'error', role: 'alert', id: 'token-error', hidden: true });
  /** The token whose value is on screen: revoking it takes the value off the page too. */
  let shownId = /** @type {number | null} */ (null);
  const onRevoked = (/** @type {number} */ id) => {
    if (id !== shownId) return;
    clear(shown).hidden = true;
    shownId = null;
  };
  const form = h('form', { class: 'inline', id: 'token-form' },
    h('label', { for: 'token-name', text: i18n.t('admin.tokenName') }), name,
    h('button', { type: 'submit', class: 'primary', text: i18n.t('admin.createToken') }), error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const created = await ctx.write.createToken(name.value);
      clear(shown).append(h('p', { text: i18n.t('admin.tokenOnce') }), h('code', { id: 'token-value', text: created.token }));
      shown.hidden = false;
      shownId = created.id;
      /** @type {HTMLFormElement} */ (form).reset();
      await renderTokenList(list, ctx, signal, onRevoked);
    } catch (err) {
      error.textContent = errorText(i18n, err);
      error.hidden = false;
    }
  });
  clear(section).append(h('h2', { id: 'tokens-title', text: i18n.t('admin.tokensTitle') }), h('p', { class: 'notice', text: i18n.t('admin.tokensIntro') }), form, shown, list);
  renderTokenList(list, ctx, signal, onRevoked);
}
