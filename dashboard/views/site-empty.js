// @ts-check
import { h } from '../lib/dom.js';

/** @typedef {import('../lib/i18n.js').I18n} I18n */

/**
 * What to do when a period has no data (issue 13, point 3): connect a device over MQTT, or
 * import the history with the CLI (README, "A first real device" and "A year of history").
 * @param {I18n} i18n
 * @param {{ id: string, devices: { id: string }[] }} site
 */
export function noDataHelp(i18n, site) {
  const device = site.devices[0]?.id ?? 'DEVICE';
  return [
    h('p', { class: 'notice', text: i18n.t('empty.connect', { site: site.id }) }),
    h('pre', { class: 'command' }, h('code', { text: `mosquitto_pub -q 1 -u ${site.id}/${device} -P … -t sites/${site.id}/devices/${device} -m '{"energy_kwh": 18234.6}'` })),
    h('p', { class: 'notice', text: i18n.t('empty.import') }),
    h('pre', { class: 'command' }, h('code', { text: `npm run cli -- import --site ${site.id} --device ${device} --quantity energy_kwh --file courbe-de-charge.csv` })),
  ];
}
