// @ts-check
/**
 * One site's card on the overview: identity and floor area from /api/sites, live power from the
 * one live stream, and the figures of GET /api/overview (overview-figures.js), each in a <dd>
 * refilled when a new answer comes. Until the first answer every figure says it is loading.
 */
import { clear, h } from '../lib/dom.js';
import { mainDevice } from '../lib/site-model.js';
import { alertNodes, baselineNodes, deviceNodes, monthNodes, todayNodes } from './overview-figures.js';

/** @typedef {import('../types/api').Site} Site */
/** @typedef {import('../lib/i18n.js').I18n} I18n */
/** @typedef {{ device: string, quantity: string, value: number, tsMs: number }} LiveValue */
/** @typedef {{ el: HTMLElement, fill: (site: import('./overview-figures.js').OverviewSite, answer: import('../types/api').OverviewAnswer) => void, showPower: ((values: LiveValue[]) => void) | null, powerFailed: () => void }} OverviewCard */

const FIGURES = /** @type {const} */ (['today', 'baseline', 'month', 'alerts', 'devices']);
const LABELS = { today: 'overview.today', baseline: 'overview.vsBaseline', month: 'overview.month', alerts: 'overview.alerts', devices: 'overview.devices' };

/** @param {Site} site @param {I18n} i18n @param {() => number} now @param {() => number} staleAfterMs @returns {OverviewCard} */
export function overviewCard(site, i18n, now, staleAfterMs) {
  const powerEl = h('span', { class: 'live-power', 'data-testid': 'live-power', text: '…' });
  const powerTs = h('span', { class: 'ts', 'data-testid': 'live-power-time' });
  /** @type {Record<(typeof FIGURES)[number], HTMLElement>} */
  const dd = /** @type {any} */ (Object.fromEntries(FIGURES.map((k) => [k, h('dd', { 'data-figure': k }, h('span', { class: 'notice', text: '…' }))])));
  const el = h('article', { class: 'card', 'data-site': site.id, 'aria-labelledby': `card-${site.id}` },
    h('h2', { id: `card-${site.id}` }, h('a', { href: `#/site/${encodeURIComponent(site.id)}`, 'aria-label': i18n.t('overview.open', { name: site.name }) }, site.name)),
    h('p', { class: 'meta', text: [site.city, i18n.t(`usage.${site.usage}`)].filter(Boolean).join(' · ') }),
    h('dl', {},
      h('dt', { text: i18n.t('overview.floorArea') }), h('dd', { text: `${i18n.formatNumber(site.floorAreaM2, 0)} m²` }),
      h('dt', { text: i18n.t('overview.livePower') }), h('dd', {}, powerEl, powerTs),
      FIGURES.flatMap((k) => [h('dt', { text: i18n.t(LABELS[k]) }), dd[k]]),
    ),
  );
  const power = mainDevice(site, 'power_w');
  if (!power) {
    powerEl.textContent = i18n.t('overview.noPowerMeter');
    powerEl.className = 'notice';
  }
  let shown = false;
  let shownTsMs = -Infinity;
  /** @param {LiveValue[]} values */
  const showPower = (values) => {
    const v = power ? values.find((x) => x.device === power.id && x.quantity === 'power_w') : undefined;
    if (!v) {
      if (!shown) powerEl.textContent = i18n.t('overview.noData');
      return;
    }
    // From the overview's answer or the stream, whichever is first; never an older value over a newer one.
    if (v.tsMs < shownTsMs) return;
    shown = true;
    shownTsMs = v.tsMs;
    // The server's silence rule (answer.staleAfterMs), the same limit the devices figure states.
    const stale = now() - v.tsMs > staleAfterMs();
    clear(powerEl).append(`${i18n.formatNumber(v.value / 1000, 1)} kW`);
    if (stale) powerEl.append(h('span', { class: 'badge stale', title: i18n.t('overview.staleTitle'), text: i18n.t('overview.stale') }));
    powerEl.dataset.stale = String(stale);
    powerTs.textContent = i18n.t('overview.at', { time: i18n.formatDateTime(v.tsMs, site.timezone) });
  };
  return {
    el,
    showPower: power ? showPower : null,
    powerFailed: () => {
      if (!shown) powerEl.textContent = i18n.t('overview.noData');
    },
    fill: (s, answer) => {
      if (power && s.power) showPower(s.power.map((p) => ({ device: p.device, quantity: 'power_w', value: p.valueW, tsMs: Date.parse(p.at) })));
      el.dataset.status = s.status;
      // Every figure final (none still being read or fitted): what bench:api waits for beside "interactive".
      el.dataset.complete = String(s.status === 'ok' && s.today?.baseline.status !== 'computing');
      clear(dd.today).append(...todayNodes(i18n, s));
      clear(dd.baseline).append(...baselineNodes(i18n, s));
      clear(dd.month).append(...monthNodes(i18n, s));
      clear(dd.alerts).append(...alertNodes(i18n, s, answer.alertsAvailable));
      clear(dd.devices).append(...deviceNodes(i18n, s, answer.staleAfterMs));
    },
  };
}
