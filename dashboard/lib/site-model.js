// @ts-check
/**
 * What the dashboard infers from a site's device list. The main meter of a carrier is
 * the FIRST device publishing that carrier's quantity, as in config/sites.example.yaml
 * where the general board (TGBT) comes before its sub-meters (compressor, lighting):
 * summing them would count the sub-meters twice.
 */
export const CARRIER_QUANTITIES = { electricity: 'energy_kwh', heat: 'heat_kwh', gas: 'gas_m3', water: 'water_m3' };

/** @typedef {{ id: string, name: string, main?: boolean, quantities: { name: string }[] }} ModelDevice */
/** @typedef {{ devices: ModelDevice[] }} ModelSite */

/** @param {ModelDevice} device @param {string} name */
export function hasQuantity(device, name) {
  return device.quantities.some((q) => q.name === name);
}

/** @template {ModelDevice} D @param {{ devices: D[] }} site @param {string} quantity @returns {D | null} */
export function mainDevice(site, quantity) {
  return site.devices.find((d) => d.main === true && hasQuantity(d, quantity)) ?? site.devices.find((d) => hasQuantity(d, quantity)) ?? null;
}

/** [{ carrier, quantity, device }] for each carrier the site meters. @template {ModelDevice} D @param {{ devices: D[] }} site */
export function carrierMeters(site) {
  return Object.entries(CARRIER_QUANTITIES)
    .map(([carrier, quantity]) => ({ carrier, quantity, device: mainDevice(site, quantity) }))
    .filter((m) => m.device !== null);
}

/** @param {string} quantity @returns {string} */
export function unitOf(quantity) {
  return /** @type {Record<string, string>} */ ({ energy_kwh: 'kWh', heat_kwh: 'kWh', gas_m3: 'm³', water_m3: 'm³', power_w: 'kW', temperature_c: '°C', humidity_pct: '%', co2_ppm: 'ppm', occupancy: '' })[quantity] ?? '';
}

/** Indoor-air guideline: above 1000 ppm of CO2 a room needs airing (EN 16798-1 category II/III boundary, ASHRAE 62.1 rule of thumb). */
export const CO2_HIGH_PPM = 1000;
