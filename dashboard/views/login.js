// @ts-check
import { h, clear } from '../lib/dom.js';
import { login } from '../lib/session.js';

/** The login page: e-mail and password, the server's message on failure (429 says when to retry). */
/** @param {HTMLElement} main @param {import('../lib/i18n.js').I18n} i18n @param {() => void} onDone */
export function renderLogin(main, i18n, onDone) {
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error', hidden: true });
  const email = /** @type {HTMLInputElement} */ (h('input', { id: 'login-email', type: 'email', name: 'email', autocomplete: 'username', required: true }));
  const password = /** @type {HTMLInputElement} */ (h('input', { id: 'login-password', type: 'password', name: 'password', autocomplete: 'current-password', required: true }));
  const form = h('form', { class: 'login', id: 'login-form' },
    h('h1', { text: i18n.t('login.title') }),
    h('label', { for: 'login-email', text: i18n.t('login.email') }), email,
    h('label', { for: 'login-password', text: i18n.t('login.password') }), password,
    h('button', { type: 'submit', class: 'primary', text: i18n.t('login.submit') }),
    error,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await login(email.value, password.value);
    if (result.ok) return onDone();
    error.textContent = result.message;
    error.hidden = false;
  });
  clear(main).append(form);
  document.body.dataset.ready = 'login';
}
