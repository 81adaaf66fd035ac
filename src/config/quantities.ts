/**
 * The quantities a device may publish. The unit is part of the name so that a
 * value can never be read in the wrong unit (house style: units live in names).
 *
 * - `cumulative`: a meter index that only grows (kWh, m³); consumption is the
 *   difference between two readings.
 * - `instantaneous`: a value at an instant (W, °C, %, ppm, people).
 */
export const QUANTITIES = {
  energy_kwh: { unit: 'kWh', kind: 'cumulative', carrier: 'electricity' },
  gas_m3: { unit: 'm3', kind: 'cumulative', carrier: 'gas' },
  water_m3: { unit: 'm3', kind: 'cumulative', carrier: 'water' },
  heat_kwh: { unit: 'kWh', kind: 'cumulative', carrier: 'heat' },
  power_w: { unit: 'W', kind: 'instantaneous', carrier: 'electricity' },
  temperature_c: { unit: 'Cel', kind: 'instantaneous', carrier: null },
  humidity_pct: { unit: '%RH', kind: 'instantaneous', carrier: null },
  co2_ppm: { unit: 'ppm', kind: 'instantaneous', carrier: null },
  occupancy: { unit: 'count', kind: 'instantaneous', carrier: null },
  /** A presence detector's boolean (zigbee2mqtt `occupancy`): 1 someone is there, 0 nobody. Not a head count. */
  presence: { unit: 'bool', kind: 'instantaneous', carrier: null },
} as const;

export type QuantityName = keyof typeof QUANTITIES;
export type QuantityKind = (typeof QUANTITIES)[QuantityName]['kind'];
export type EnergyCarrier = 'electricity' | 'gas' | 'water' | 'heat';

export const QUANTITY_NAMES = Object.keys(QUANTITIES) as QuantityName[];

export function isQuantityName(name: string): name is QuantityName {
  return Object.hasOwn(QUANTITIES, name);
}

export function isCumulative(quantity: QuantityName): boolean {
  return QUANTITIES[quantity].kind === 'cumulative';
}

export const DEVICE_KINDS = [
  'electricity-meter',
  'gas-meter',
  'heat-meter',
  'water-meter',
  'temperature-sensor',
  'co2-sensor',
  'humidity-sensor',
  'occupancy-sensor',
  'multi-sensor',
  'weather-station',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const SITE_USAGES = ['office', 'industrial', 'education', 'warehouse', 'retail', 'other'] as const;
export type SiteUsage = (typeof SITE_USAGES)[number];
