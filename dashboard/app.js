// @ts-check
import { createApi } from './lib/api.js';
import { errorText } from './lib/problems.js';
import { createI18n } from './lib/i18n.js';
import { h, clear } from './lib/dom.js';
import { startHealthBanner } from './views/health-banner.js';
import { renderOverview } from './views/overview.js';
import { renderLogin } from './views/login.js';
import { currentSession, logout } from './lib/session.js';
import { createWriteApi } from './lib/write-api.js';
import { can } from './lib/permissions.js';

/** @typedef {import('./lib/view-types.js').ViewContext} ViewContext */
/**
 * What app.js builds: the page context, then once logged in the session and the write API.
 * @typedef {import('./lib/view-types.js').PageContext & { session?: ViewContext['session'], write?: ViewContext['write'] }} AppContext
 */
/** @typedef {{ name: string, pattern: RegExp, render: (main: HTMLElement, ctx: AppContext, m: string[]) => (() => void) | void }} Route */

/** The pages that act for the user: routed only after login set the session (start() below). */
const acting = (/** @type {AppContext} */ ctx) => /** @type {ViewContext} */ (ctx);

/**
 * Resolves once the deferred Chart.js scripts have run: index.html lists them after app.js, so the
 * overview (which draws no chart) does not wait for them; `load` fires once every deferred script has run.
 */
const chartsLoaded = new Promise((resolve) => {
  if (document.readyState === 'complete') resolve(undefined);
  else window.addEventListener('load', () => resolve(undefined), { once: true });
});

/**
 * A route whose view module is fetched on first use, with Chart.js loaded, so that the overview
 * loads its own modules only: with every view imported up front, the first API request left the
 * page at 680 ms, after 50 files (bench:api, 2026-12-01). Until the view is there the page says it
 * is loading; a view that cannot be fetched says so.
 * @template M
 * @param {() => Promise<M>} load
 * @param {(view: M, main: HTMLElement, ctx: AppContext, m: string[]) => (() => void) | void} show
 * @returns {Route['render']}
 */
function lazyView(load, show) {
  return (main, ctx, m) => {
    let stop = () => {};
    let left = false;
    clear(main).append(h('p', { class: 'loading', text: ctx.i18n.t('app.loading') }));
    Promise.all([load(), chartsLoaded]).then(
      ([view]) => {
        if (left) return;
        if (typeof Chart !== 'undefined') Chart.defaults.locale = ctx.i18n.locale;
        stop = show(view, main, ctx, m) ?? (() => {});
      },
      () => {
        if (!left) clear(main).append(h('p', { class: 'error', role: 'alert', text: ctx.i18n.t('app.viewUnavailable') }));
      },
    );
    return () => {
      left = true;
      stop();
    };
  };
}

/** Hash routes (#/site/cleon-bureaux): no server-side routing needed to serve the dashboard. @type {Route[]} */
const ROUTES = [
  { name: 'overview', pattern: /^#?\/?$/, render: (main, ctx) => renderOverview(main, ctx) },
  { name: 'site', pattern: /^#\/site\/([^/]+)$/, render: lazyView(() => import('./views/site.js'), (v, main, ctx, m) => v.renderSite(main, ctx, decodeURIComponent(m[1] ?? ''))) },
  { name: 'compare', pattern: /^#\/compare$/, render: lazyView(() => import('./views/compare.js'), (v, main, ctx) => v.renderCompare(main, ctx)) },
  { name: 'rejections', pattern: /^#\/rejections$/, render: lazyView(() => import('./views/rejections.js'), (v, main, ctx) => v.renderRejections(main, ctx)) },
  { name: 'alerts', pattern: /^#\/alerts(?:\?(.*))?$/, render: lazyView(() => import('./views/alerts.js'), (v, main, ctx, m) => v.renderAlerts(main, acting(ctx), m[1] ?? '')) },
  { name: 'alerts', pattern: /^#\/alerts\/(\d{1,12})$/, render: lazyView(() => import('./views/alert-detail.js'), (v, main, ctx, m) => v.renderAlertDetail(main, acting(ctx), m[1] ?? '')) },
  { name: 'admin', pattern: /^#\/admin$/, render: lazyView(() => import('./views/admin.js'), (v, main, ctx) => v.renderAdmin(main, acting(ctx))) },
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
