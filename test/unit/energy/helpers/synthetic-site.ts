import { configSchema, type AppConfig } from '../../../../src/config/schema.js';
import { HOUR_MS, localHourOf, localMidnightMs, isoWeekday, localDateOf } from '../../../../src/energy/local-time.js';
import type { Reading } from '../../../../src/model/reading.js';

/** Outdoor temperature of a temperate year: seasonal plus diurnal swing, deterministic. */
export function outdoorC(tsMs: number, timezone: string): number {
  const dayOfYear = (tsMs - Date.UTC(2025, 0, 1)) / 86_400_000;
  const h = localHourOf(tsMs, timezone);
  return 12 - 9 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365) - 4 * Math.cos((2 * Math.PI * (h - 3)) / 24) + 2 * Math.sin(dayOfYear * 1.7);
}

/** Hourly kWh: 20 kWh base, +60 kWh in opening hours on working days, +4 kWh per °C below 15 °C. */
export function hourlyKWh(tsMs: number, timezone: string): number {
  const date = localDateOf(tsMs, timezone);
  const h = localHourOf(tsMs, timezone);
  const working = isoWeekday(date) <= 5;
  return 20 + (working && h >= 8 && h < 18 ? 60 : 0) + 4 * Math.max(0, 15 - outdoorC(tsMs, timezone));
}

/** One year (2025) of a site with an hourly index meter, a 10-minute gas index and a weather station. */
export function syntheticYear(site = 'cleon-bureaux', timezone = 'Europe/Paris'): Reading[] {
  const out: Reading[] = [];
  const start = localMidnightMs('2025-01-01', timezone);
  const end = localMidnightMs('2026-01-01', timezone);
  let index = 150_000;
  let gas = 8_000;
  for (let t = start; t <= end; t += HOUR_MS) {
    out.push({ site, device: 'tgbt', quantity: 'energy_kwh', tsMs: t, value: index });
    out.push({ site, device: 'meteo', quantity: 'temperature_c', tsMs: t, value: outdoorC(t, timezone) });
    out.push({ site, device: 'gaz', quantity: 'gas_m3', tsMs: t, value: gas });
    index += hourlyKWh(t, timezone);
    gas += 0.5;
  }
  return out;
}

export function syntheticConfig(extra: Record<string, unknown> = {}): AppConfig {
  return configSchema.parse({
    sites: [
      {
        id: 'cleon-bureaux',
        name: 'Bureaux',
        usage: 'office',
        floorAreaM2: 1850,
        outdoorTemperature: { device: 'meteo' },
        calendar: { workingDays: [1, 2, 3, 4, 5], openingHours: { from: '08:00', to: '18:00' } },
        baseline: { from: '2025-01-01', to: '2025-12-31' },
        decretTertiaire: { referenceYear: 2019, referenceConsumptionKWh: 900_000 },
        devices: [
          { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], maxPowerW: 250_000, secret: 'demo-secret' },
          { id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'], secret: 'demo-secret' },
          { id: 'meteo', kind: 'weather-station', quantities: ['temperature_c'], secret: 'demo-secret' },
        ],
        ...extra,
      },
      {
        id: 'rouen-formation',
        name: 'Formation',
        usage: 'education',
        floorAreaM2: 500,
        devices: [{ id: 'armoire', kind: 'electricity-meter', quantities: ['power_w'], secret: 'demo-secret' }],
      },
    ],
  });
}
