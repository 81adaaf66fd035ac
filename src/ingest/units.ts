import { QUANTITIES, type QuantityName } from '../config/quantities.js';

/**
 * SenML units (RFC 8428 §12.1 registry, plus the secondary units of RFC 8798 such as
 * kWh and kW) accepted for each quantity, with the factor that converts to the
 * quantity's own unit (see QUANTITIES): e.g. `Wh` for `energy_kwh` is divided by 1000.
 * Factors below 1 are stored as divisors so that 18234600 Wh gives exactly 18234.6 kWh
 * (multiplying by 0.001 gives 18234.600000000002).
 * `count` is not a SenML unit: occupancy is sent without one (or with `count`).
 */
const CONVERSIONS: Record<QuantityName, Readonly<Record<string, number>>> = {
  energy_kwh: { kWh: 1, Wh: -1000 },
  heat_kwh: { kWh: 1, Wh: -1000 },
  power_w: { W: 1, kW: 1000 },
  gas_m3: { m3: 1 },
  water_m3: { m3: 1 },
  temperature_c: { Cel: 1 },
  humidity_pct: { '%RH': 1 },
  co2_ppm: { ppm: 1 },
  occupancy: { count: 1 },
  presence: {},
};

/** Converts `value` from `unit` to the quantity's unit; undefined if the unit does not fit the quantity. */
export function convertToQuantityUnit(quantity: QuantityName, unit: string | undefined, value: number): number | undefined {
  if (unit === undefined || unit === '') return value;
  if (!Object.hasOwn(CONVERSIONS[quantity], unit)) return undefined;
  const factor = CONVERSIONS[quantity][unit] as number;
  // Negative entries are divisors (see above).
  return factor < 0 ? value / -factor : value * factor;
}

export function acceptedUnits(quantity: QuantityName): string[] {
  return Object.keys(CONVERSIONS[quantity]);
}

/**
 * SenML base names and the quantity each picks, by unit. An entry named `power` with
 * unit `kW` is `power_w` (converted), `energy` with `Wh` is `energy_kwh`. Without a unit,
 * the value is taken to be in the quantity's own unit.
 */
const BASE_NAMES: Record<string, QuantityName> = {
  energy: 'energy_kwh',
  power: 'power_w',
  temperature: 'temperature_c',
  humidity: 'humidity_pct',
  co2: 'co2_ppm',
  occupancy: 'occupancy',
  gas: 'gas_m3',
  water: 'water_m3',
  heat: 'heat_kwh',
};

export function quantityForBaseName(name: string): QuantityName | undefined {
  return Object.hasOwn(BASE_NAMES, name) ? BASE_NAMES[name] : undefined;
}

export function quantityUnit(quantity: QuantityName): string {
  return QUANTITIES[quantity].unit;
}

/** A short, safe description of a bad value for rejection details (never recursive: payloads can nest 30,000 deep). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}
