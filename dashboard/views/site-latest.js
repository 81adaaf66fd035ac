import { h, table } from '../lib/dom.js';
import { errorText } from '../lib/problems.js';
import { CO2_HIGH_PPM, unitOf } from '../lib/site-model.js';

/** Indoor conditions first (what a site manager checks), then meters. */
const ORDER = ['temperature_c', 'co2_ppm', 'humidity_pct', 'occupancy', 'power_w', 'energy_kwh', 'heat_kwh', 'gas_m3', 'water_m3'];

export async function renderLatestTable(section, ctx, site) {
  const { i18n } = ctx;
  let values;
  try {
    values = await ctx.api.latest(site.id);
  } catch (err) {
    section.querySelector('[data-latest]')?.remove();
    section.append(h('p', { class: 'error', 'data-latest': '', text: errorText(i18n, err) }));
    return;
  }
  const names = new Map(site.devices.map((d) => [d.id, d.name]));
  const rows = values
    .slice()
    .sort((a, b) => ORDER.indexOf(a.quantity) - ORDER.indexOf(b.quantity) || (names.get(a.device) ?? a.device).localeCompare(names.get(b.device) ?? b.device));
  const formatValue = (v) => {
    if (v.quantity === 'power_w') return `${i18n.formatNumber(v.value / 1000, 1)} kW`;
    if (v.quantity === 'occupancy') return `${i18n.formatNumber(v.value, 0)} ${i18n.t('unit.people')}`;
    // A cumulative quantity's latest value is the meter index, not a consumption.
    const index = ['energy_kwh', 'heat_kwh', 'gas_m3', 'water_m3'].includes(v.quantity) ? ` (${i18n.t('site.index')})` : '';
    return `${i18n.formatNumber(v.value, v.quantity === 'co2_ppm' ? 0 : 1)} ${unitOf(v.quantity)}${index}`;
  };
  const isHigh = (v) => v.quantity === 'co2_ppm' && v.value > CO2_HIGH_PPM;
  const content = rows.length === 0
    ? h('p', { class: 'notice', text: i18n.t('site.noValues') })
    : table({
      columns: [
        { label: i18n.t('site.device'), rowHeader: true, cell: (v) => names.get(v.device) ?? v.device },
        { label: i18n.t('site.quantity'), cell: (v) => i18n.t(`quantity.${v.quantity}`) },
        // The colour is doubled by a word, so the alert does not rely on colour alone (WCAG 1.4.1).
        { label: i18n.t('site.value'), num: true, cell: (v) => [formatValue(v), isHigh(v) ? h('span', { class: 'badge high', text: i18n.t('site.co2High') }) : null] },
        { label: i18n.t('site.time', { tz: site.timezone }), cell: (v) => i18n.formatDateTime(v.tsMs, site.timezone) },
      ],
      rows,
      rowAttrs: (v) => ({ class: isHigh(v) ? 'co2-high' : null, 'data-quantity': v.quantity }),
    });
  if (!section.isConnected) return;
  section.querySelector('[data-latest]')?.remove();
  const wrapper = h('div', { 'data-latest': '' }, content);
  section.append(wrapper);
}
