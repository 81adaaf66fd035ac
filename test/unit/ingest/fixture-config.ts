import { configSchema, type AppConfig } from '../../../src/config/schema.js';
import { hashSecret } from '../../../src/ingest/device-auth.js';

/** Secrets of the test configuration (the `env` device is configured with a secretHash only). */
export const SECRETS = {
  'site-a/meter': 'meter-secret-1',
  'site-a/env': 'env-secret-22',
  'site-a/gas': 'gas-secret-333',
  'site-b/meter': 'meter-b-secret',
} as const;

/** Two sites; `site-a/env` authenticates with `secretHash` (scrypt), the others with `secret`. */
export async function buildTestConfig(): Promise<AppConfig> {
  return configSchema.parse({
    sites: [
      {
        id: 'site-a',
        name: 'Site A',
        usage: 'office',
        floorAreaM2: 1000,
        devices: [
          { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: SECRETS['site-a/meter'] },
          {
            id: 'env',
            kind: 'multi-sensor',
            quantities: ['temperature_c', 'humidity_pct', 'co2_ppm', 'occupancy'],
            secretHash: await hashSecret(SECRETS['site-a/env']),
          },
          { id: 'gas', kind: 'gas-meter', quantities: ['gas_m3'], secret: SECRETS['site-a/gas'] },
        ],
      },
      {
        id: 'site-b',
        name: 'Site B',
        usage: 'warehouse',
        floorAreaM2: 5000,
        devices: [{ id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w', 'heat_kwh', 'water_m3'], secret: SECRETS['site-b/meter'] }],
      },
    ],
  });
}
