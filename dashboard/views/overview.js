// @ts-check
import { h, clear } from '../lib/dom.js';
import { subscribeSites } from '../lib/live.js';
import { errorText } from '../lib/problems.js';
import { STALE_AFTER_MS } from '../lib/time.js';
import { overviewCard } from './overview-card.js';

/** The figures are asked again this often (today's hours and the month move by the hour). */
const REFRESH_MS = 60_000;
/** A site the server was still reading for the first time (status `computing`) is asked again this soon. */
const COMPUTING_RETRY_MS = 3_000;

/**
 * One card per visible site (overview-card.js), all filled from ONE answer of GET /api/overview
 * (issue 13, point 3) and the one live stream for power: the page no longer asks a series per
 * meter and card, so 20 sites are two requests.
 * @param {HTMLElement} main @param {import('../lib/view-types.js').PageContext} ctx
 * @returns {import('../lib/view-types.js').StopView}
 */
export function renderOverview(main, ctx) {
  const { i18n, sites } = ctx;
  /** @type {(() => void)[]} */
  const stops = [];
  const grid = h('div', { class: 'cards' });
  const status = h('p', { class: 'notice', role: 'status', 'data-testid': 'overview-status' });
  clear(main).append(h('h1', { text: i18n.t('overview.title') }), status, grid);
  if (sites.length === 0) {
    status.textContent = i18n.t('overview.noSites');
    return () => {};
  }
  let staleAfterMs = STALE_AFTER_MS;
  const cards = new Map(sites.map((site) => [site.id, overviewCard(site, i18n, ctx.now, () => staleAfterMs)]));
  grid.append(...[...cards.values()].map((c) => c.el));

  let stopped = false;
  /** @type {number | undefined} */
  let timer;
  const controller = new AbortController();
  const refresh = async () => {
    let next = REFRESH_MS;
    try {
      const answer = await ctx.api.overview(controller.signal);
      staleAfterMs = answer.staleAfterMs;
      status.textContent = '';
      for (const s of answer.sites) cards.get(s.site)?.fill(s, answer);
      if (answer.sites.some((s) => s.status === 'computing' || s.today?.baseline.status === 'computing')) next = COMPUTING_RETRY_MS;
    } catch (err) {
      if (stopped) return;
      status.textContent = i18n.t('overview.loadFailed', { message: errorText(i18n, err) });
    }
    if (!stopped) timer = window.setTimeout(refresh, next);
  };
  refresh();
  stops.push(() => {
    stopped = true;
    window.clearTimeout(timer);
    controller.abort();
  });

  // One stream for every card: its first event per site is that site's latest values, then what is stored.
  const withPower = [...cards.entries()].filter(([, c]) => c.showPower);
  if (withPower.length > 0) {
    stops.push(subscribeSites(ctx.api, (siteId, values) => cards.get(siteId)?.showPower?.(values), {
      onError: () => withPower.forEach(([, c]) => c.powerFailed()),
    }));
  }
  return () => stops.forEach((stop) => stop());
}
