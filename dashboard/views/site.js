// @ts-check
import { h, clear } from '../lib/dom.js';
import { subscribeLive } from '../lib/live.js';
import { panel } from '../lib/chart-panel.js';
import { LatestValues } from '../lib/latest-values.js';
import { renderDevices } from './site-devices.js';
import { livePowerPanel } from './site-live.js';
import { renderPeriodPanels } from './site-period.js';

/** A device turns "silent" by time passing, with no event: its status is drawn again this often from the values held. */
const STATUS_REFRESH_MS = 30_000;

/**
 * The site page (issue 13, point 3): live power, then over a period the user picks consumption
 * against the baseline, KPIs, carpet plot, CUSUM, degree days and indoor conditions, then the
 * devices with their last reading and status.
 * @param {HTMLElement} main @param {import('../lib/view-types.js').PageContext} ctx @param {string} siteId
 * @returns {import('../lib/view-types.js').StopView}
 */
export function renderSite(main, ctx, siteId) {
  const { i18n } = ctx;
  const site = ctx.sites.find((s) => s.id === siteId);
  clear(main);
  if (!site) {
    main.append(h('p', { class: 'error', text: i18n.t('site.notFound', { id: siteId }) }), h('a', { href: '#/' }, i18n.t('site.back')));
    return () => {};
  }
  /** @type {(() => void)[]} */
  const stops = [];
  /** @type {{ destroy(): void }[]} */
  const charts = [];
  const live = panel('live', i18n.t('site.livePower'), true);
  const devices = panel('devices', i18n.t('devices.title'), true);
  const periodPanels = h('div', {});

  main.append(
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/' }, i18n.t('site.back'))),
    h('h1', { text: site.name }),
    h('p', { class: 'meta', text: [site.city, i18n.t(`usage.${site.usage}`), `${i18n.formatNumber(site.floorAreaM2, 0)} m²`].filter(Boolean).join(' · ') }),
    h('p', { class: 'notice', text: i18n.t('site.timezone', { tz: site.timezone }) }),
    h('div', { class: 'panels' }, live.section),
    periodPanels,
    h('div', { class: 'panels' }, devices.section),
  );

  const power = livePowerPanel(live.body, ctx, site, charts);
  stops.push(renderPeriodPanels(periodPanels, ctx, site, charts));
  // One live stream for the page: its first event is every latest value, later ones what was
  // stored; it feeds the power chart and the devices' last readings (no polling).
  const latest = new LatestValues();
  const drawDevices = () => renderDevices(devices.body, ctx, site, latest.all());
  stops.push(subscribeLive(ctx.api, site.id, (values) => {
    latest.merge(values);
    power.onValues(values);
    drawDevices();
  }, { onState: power.onState, onError: (error) => renderDevices(devices.body, ctx, site, { error }) }));
  const timer = setInterval(() => latest.received && drawDevices(), STATUS_REFRESH_MS);
  stops.push(() => clearInterval(timer));

  return () => {
    stops.forEach((stop) => stop());
    charts.forEach((c) => c.destroy());
  };
}
