// @ts-check
import { createApi } from './lib/api.js';
import { errorText } from './lib/problems.js';
import { createI18n } from './lib/i18n.js';
import { h, clear } from './lib/dom.js';
import { startHealthBanner } from './views/health-banner.js';
import { renderOverview } from './views/overview.js';
import { renderSite } from './views/site.js';
import { renderCompare } from './views/compare.js';
import { renderRejections } from './views/rejections.js';
import { renderLogin } from './views/login.js';
import { currentSession, logout } from './lib/session.js';
import { createWriteApi } from './lib/write-api.js';
import { can } from './lib/permissions.js';
import { renderAlerts } from './views/alerts.js';
import { renderAlertDetail } from './views/alert-detail.js';
import { renderAdmin } from './views/admin.js';

/** @typedef {import('./lib/view-types.js').ViewContext} ViewContext */
/**
 * What app.js builds: the page context, then once logged in the session and the write API.
 * @typedef {import('./lib/view-types.js').PageContext & { session?: ViewContext['session'], write?: ViewContext['write'] }} AppContext
 */
/** @typedef {{ name: string, pattern: RegExp, render: (main: HTMLElement, ctx: AppContext, m: string[]) => (() => void) | void }} Route */

/** The pages that act for the user: routed only after login set the session (start() below). */
const acting = (/** @type {AppContext} */ ctx) => /** @type {ViewContext} */ (ctx);

/** Hash routes (#/site/cleon-bureaux): no server-side routing needed to serve the dashboard. @type {Route[]} */
const ROUTES = [
  { name: 'overview', pattern: /^#?\/?$/, render: (main, ctx) => renderOverview(main, ctx) },
  { name: 'site', pattern: /^#\/site\/([^/]+)$/, render: (main, ctx, m) => renderSite(main, ctx, decodeURIComponent(m[1] ?? '')) },
  { name: 'compare', pattern: /^#\/compare$/, render: (main, ctx) => renderCompare(main, ctx) },
  { name: 'rejections', pattern: /^#\/rejections$/, render: (main, ctx) => renderRejections(main, ctx) },
  { name: 'alerts', pattern: /^#\/alerts(?:\?(.*))?$/, render: (main, ctx, m) => renderAlerts(main, acting(ctx), m[1] ?? '') },
  { name: 'alerts', pattern: /^#\/alerts\/(\d{1,12})$/, render: (main, ctx, m) => renderAlertDetail(main, acting(ctx), m[1] ?? '') },
  { name: 'admin', pattern: /^#\/admin$/, render: (main, ctx) => renderAdmin(main, acting(ctx)) },
];

/** An element of index.html the shell cannot work without. @param {string} id */
function shellElement(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
}

/** @param {import('./lib/i18n.js').I18n} i18n */
function translateShell(i18n) {
  document.documentElement.lang = i18n.lang;
  // Chart.js formats its axis numbers with this locale (1 000 in French, 1,000 in English).
  if (typeof Chart !== 'undefined') Chart.defaults.locale = i18n.locale;
  document.title = i18n.t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = i18n.t(el.getAttribute('data-i18n') ?? '');
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', i18n.t(el.getAttribute('data-i18n-aria') ?? ''));
  for (const button of document.querySelectorAll('[data-lang]')) button.setAttribute('aria-pressed', String(button.getAttribute('data-lang') === i18n.lang));
}

async function start() {
  const i18n = createI18n(window.localStorage);
  const api = createApi();
  /** @type {AppContext} */
  const ctx = { api, i18n, sites: [], now: () => Date.now() };
  const main = shellElement('main');
  /** @type {() => void} */
  let stopView = () => {};
  let firstRoute = true;

  const route = () => {
    stopView();
    const hash = window.location.hash || '#/';
    const found = ROUTES.map((r) => ({ r, m: /** @type {string[] | null} */ (hash.match(r.pattern)) })).find((x) => x.m) ?? { r: /** @type {Route} */ (ROUTES[0]), m: [] };
    for (const link of document.querySelectorAll('[data-route]')) {
      if (link.getAttribute('data-route') === found.r.name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    stopView = found.r.render(main, ctx, found.m ?? []) ?? (() => {});
    // Move focus to the new content for keyboard and screen-reader users (not on first load).
    if (!firstRoute) main.focus({ preventScroll: false });
    firstRoute = false;
  };

  translateShell(i18n);
  for (const button of document.querySelectorAll('[data-lang]')) button.addEventListener('click', () => i18n.setLang(button.getAttribute('data-lang') ?? ''));
  i18n.onChange(() => {
    translateShell(i18n);
    firstRoute = true;
    route();
  });
  // Accounts (issue 11): without a session, the login page; with one, who is logged in and a logout.
  const session = await currentSession();
  if (!session) {
    renderLogin(main, i18n, () => window.location.reload());
    return;
  }
  ctx.session = session;
  ctx.write = createWriteApi(session);
  // The admin page is absent from the menu of the other roles (the server refuses them anyway).
  for (const item of document.querySelectorAll('[data-needs="manage-users"]')) /** @type {HTMLElement} */ (item).hidden = !can(session, 'manage-users');
  const who = shellElement('session-user');
  who.textContent = `${session.user.email} (${session.user.role})`;
  if (who.parentElement) who.parentElement.hidden = false;
  shellElement('logout').addEventListener('click', async () => {
    await logout(session);
    window.location.hash = '#/';
    window.location.reload();
  });
  startHealthBanner(shellElement('health-banner'), ctx);

  const loadSites = async () => {
    try {
      ctx.sites = await api.sites();
    } catch (err) {
      clear(main).append(
        h('p', { class: 'error', role: 'alert', text: errorText(i18n, err) }),
        h('button', { type: 'button', class: 'primary', onclick: loadSites, text: i18n.t('app.retry') }),
      );
      return;
    }
    window.addEventListener('hashchange', route);
    route();
    document.body.dataset.ready = 'true';
  };
  await loadSites();
}

start();
