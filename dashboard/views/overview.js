// @ts-check
import { h, clear } from '../lib/dom.js';
import { subscribeSites } from '../lib/live.js';
import { carrierMeters, mainDevice, unitOf } from '../lib/site-model.js';
import { STALE_AFTER_MS, startOfLocalDayMs } from '../lib/time.js';

const TODAY_REFRESH_MS = 60_000;

/** One card per site: identity, live power with its time and a stale marker, today's consumption. */
/** @typedef {{ device: string, quantity: string, value: number, tsMs: number }} LiveValue */

/**
 * @param {HTMLElement} main @param {import('../lib/view-types.js').PageContext} ctx
 * @returns {import('../lib/view-types.js').StopView}
 */
export function renderOverview(main, ctx) {
  const { i18n, sites } = ctx;
  /** @type {(() => void)[]} */
  const stops = [];
  /** @type {Map<string, (values: LiveValue[]) => void>} the power shown on each card, told by the one live stream */
  const showPowerOf = new Map();
  const grid = h('div', { class: 'cards' });
  clear(main).append(h('h1', { text: i18n.t('overview.title') }), grid);

  for (const site of sites) {
    const powerEl = h('span', { class: 'live-power', 'data-testid': 'live-power', text: '…' });
    const powerTs = h('span', { class: 'ts', 'data-testid': 'live-power-time' });
    const todayEl = h('dd', { 'data-testid': 'today', text: '…' });
    grid.append(h('article', { class: 'card', 'data-site': site.id, 'aria-labelledby': `card-${site.id}` },
      h('h2', { id: `card-${site.id}` }, h('a', { href: `#/site/${encodeURIComponent(site.id)}`, 'aria-label': i18n.t('overview.open', { name: site.name }) }, site.name)),
      h('p', { class: 'meta', text: [site.city, i18n.t(`usage.${site.usage}`)].filter(Boolean).join(' · ') }),
      h('dl', {},
        h('dt', { text: i18n.t('overview.floorArea') }), h('dd', { text: `${i18n.formatNumber(site.floorAreaM2, 0)} m²` }),
        h('dt', { text: i18n.t('overview.livePower') }), h('dd', {}, powerEl, powerTs),
        h('dt', { text: i18n.t('overview.today') }), todayEl,
      ),
    ));

    const power = mainDevice(site, 'power_w');
    if (!power) {
      powerEl.textContent = i18n.t('overview.noPowerMeter');
      powerEl.className = 'notice';
    } else {
      let shown = false;
      const showPower = (/** @type {LiveValue[]} */ values) => {
        const v = values.find((x) => x.device === power.id && x.quantity === 'power_w');
        if (!v) {
          if (!shown) powerEl.textContent = i18n.t('overview.noData');
          return;
        }
        shown = true;
        const stale = ctx.now() - v.tsMs > STALE_AFTER_MS;
        clear(powerEl).append(`${i18n.formatNumber(v.value / 1000, 1)} kW`);
        if (stale) powerEl.append(h('span', { class: 'badge stale', title: i18n.t('overview.staleTitle'), text: i18n.t('overview.stale') }));
        powerEl.dataset.stale = String(stale);
        powerTs.textContent = i18n.t('overview.at', { time: i18n.formatDateTime(v.tsMs, site.timezone) });
      };
      showPowerOf.set(site.id, showPower);
    }

    const meters = carrierMeters(site).flatMap((m) => (m.device ? [{ ...m, device: m.device }] : []));
    const refreshToday = async () => {
      const nowMs = ctx.now();
      const fromMs = startOfLocalDayMs(nowMs, site.timezone);
      const parts = await Promise.all(meters.map(async (m) => {
        try {
          const series = await ctx.api.series(site.id, { device: m.device.id, quantity: m.quantity, fromMs, toMs: nowMs, every: '1d' });
          const total = series.buckets.reduce((sum, b) => sum + b.value, 0);
          return series.buckets.length ? `${i18n.t(`carrier.${m.carrier}`)} ${i18n.formatNumber(total, 0)} ${unitOf(m.quantity)}` : null;
        } catch {
          return null;
        }
      }));
      const text = parts.filter(Boolean).join(' · ');
      todayEl.textContent = text || i18n.t('overview.noData');
    };
    refreshToday();
    const timer = setInterval(refreshToday, TODAY_REFRESH_MS);
    stops.push(() => clearInterval(timer));
  }
  // One stream for every card: its first event per site is that site's latest values, then what is stored.
  if (showPowerOf.size > 0) {
    stops.push(subscribeSites(ctx.api, (siteId, values) => showPowerOf.get(siteId)?.(values), {
      onError: () => showPowerOf.forEach((_show, id) => {
        const el = grid.querySelector(`[data-site="${id}"] [data-testid="live-power"]`);
        if (el) el.textContent = i18n.t('overview.noData');
      }),
    }));
  }
  return () => stops.forEach((stop) => stop());
}
