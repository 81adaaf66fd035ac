import type { QuantityName } from '../../src/config/quantities.js';
import type { Reading } from '../../src/model/reading.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Latest power of each site's main meter (W), and how old it is: Sotteville's is stale (> 15 min). */
export const LIVE_POWER = {
  'cleon-bureaux': { powerW: 84_300, ageMs: 2 * MINUTE_MS },
  'elbeuf-atelier': { powerW: 212_600, ageMs: 3 * MINUTE_MS },
  'rouen-formation': { powerW: 47_900, ageMs: 1 * MINUTE_MS },
  'sotteville-logistique': { powerW: 131_200, ageMs: 40 * MINUTE_MS },
} as const;

/** Power readings every 10 min over the last 23 h: each falls in its own 5-minute bucket. */
export const POWER_STEP_MS = 10 * MINUTE_MS;
export const POWER_SPAN_MS = 23 * HOUR_MS;

/**
 * Hourly use of every meter of config/sites.example.yaml (kWh/h for energy_kwh and heat_kwh, m³/h
 * for gas_m3): every site is fully metered over the comparison's 30 days, as the API's coverage
 * rule requires. Final energy (gas at 11.2 kWh/m³) per floor area, lowest first: Sotteville
 * (100/12 500), Rouen ((30 + 10)/2 400), Cléon ((40 + 1.5 × 11.2)/1 850), Elbeuf ((120 + 2 × 11.2)/3 200).
 * Sotteville's lighting sub-meter (200 kWh/h) would put it last if sub-meters were wrongly added.
 */
export const HOURLY_KWH: Record<string, Record<string, number>> = {
  'cleon-bureaux': { tgbt: 40 },
  'elbeuf-atelier': { tgbt: 120, compresseur: 35 },
  'rouen-formation': { tgbt: 30 },
  'sotteville-logistique': { tgbt: 100, eclairage: 200 },
};
/** The other carriers' meters: [site, device, quantity, use per hour]. */
export const HOURLY_OTHER: ReadonlyArray<readonly [string, string, QuantityName, number]> = [
  ['rouen-formation', 'chaufferie', 'heat_kwh', 10],
  ['elbeuf-atelier', 'gaz', 'gas_m3', 2],
];
export const EXPECTED_RANKING = ['sotteville-logistique', 'rouen-formation', 'cleon-bureaux', 'elbeuf-atelier'];
export const INDEX_DAYS = 35;

/** Indoor conditions of Cléon's open space: CO2 above 1000 ppm, to be flagged. */
export const CLEON_AMBIENCE: Partial<Record<QuantityName, number>> = { temperature_c: 21.5, humidity_pct: 45, co2_ppm: 1250, occupancy: 37 };

function powerAt(site: keyof typeof LIVE_POWER, k: number): number {
  // A daily-looking wave around the latest value; k = 0 is the latest reading.
  return k === 0 ? LIVE_POWER[site].powerW : Math.round(LIVE_POWER[site].powerW * (0.6 + 0.4 * Math.abs(Math.sin(k / 20))));
}

export function demoReadings(nowMs: number): Reading[] {
  const out: Reading[] = [];
  for (const site of Object.keys(LIVE_POWER) as (keyof typeof LIVE_POWER)[]) {
    const latestMs = nowMs - LIVE_POWER[site].ageMs;
    for (let k = 0; k * POWER_STEP_MS < POWER_SPAN_MS; k++) {
      out.push({ site, device: 'tgbt', quantity: 'power_w', tsMs: latestMs - k * POWER_STEP_MS, value: powerAt(site, k) });
    }
  }
  const firstHourMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS - INDEX_DAYS * 24 * HOUR_MS;
  for (const [site, devices] of Object.entries(HOURLY_KWH)) {
    for (const [device, kWhPerHour] of Object.entries(devices)) {
      for (let t = firstHourMs, index = 10_000; t <= nowMs; t += HOUR_MS, index += kWhPerHour) {
        out.push({ site, device, quantity: 'energy_kwh', tsMs: t, value: index });
      }
    }
  }
  for (const [site, device, quantity, perHour] of HOURLY_OTHER) {
    for (let t = firstHourMs, index = 2_000; t <= nowMs; t += HOUR_MS, index += perHour) out.push({ site, device, quantity, tsMs: t, value: index });
  }
  for (let t = Math.floor(nowMs / HOUR_MS) * HOUR_MS - 31 * 24 * HOUR_MS, index = 500; t <= nowMs; t += HOUR_MS, index += 1.5) {
    out.push({ site: 'cleon-bureaux', device: 'gaz', quantity: 'gas_m3', tsMs: t, value: index });
  }
  for (const [quantity, value] of Object.entries(CLEON_AMBIENCE)) {
    out.push({ site: 'cleon-bureaux', device: 'open-space', quantity: quantity as QuantityName, tsMs: nowMs - 4 * MINUTE_MS, value });
  }
  out.push({ site: 'cleon-bureaux', device: 'meteo', quantity: 'temperature_c', tsMs: nowMs - 6 * MINUTE_MS, value: 8.4 });
  return out;
}

/** How many points the 24 h live chart shows: one per power reading, all within the last 24 h. */
export const EXPECTED_LIVE_POINTS = Math.ceil(POWER_SPAN_MS / POWER_STEP_MS);
