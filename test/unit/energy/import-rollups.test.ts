import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { importTargets } from '../../../src/energy/import-rollups.js';

/** Two sites: `a` with a meter, a sub-meter and a weather station that `b` also takes its outdoor temperature from. */
const config = configSchema.parse({
  sites: [
    {
      id: 'a', name: 'A', usage: 'office', floorAreaM2: 1000, outdoorTemperature: { device: 'meteo' },
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: 'secret-a-tgbt' },
        { id: 'eclairage', kind: 'electricity-meter', quantities: ['energy_kwh'], submeterOf: 'tgbt', secret: 'secret-a-ecl' },
        { id: 'meteo', kind: 'weather-station', quantities: ['temperature_c'], secret: 'secret-a-meteo' },
      ],
    },
    {
      id: 'b', name: 'B', usage: 'office', floorAreaM2: 500, outdoorTemperature: { site: 'a', device: 'meteo' },
      devices: [{ id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'], secret: 'secret-b-gaz' }],
    },
  ],
});

describe('importTargets (import-rollups.ts)', () => {
  it('names the sites and figures an imported series changes, and nothing for a series no figure counts', () => {
    expect(importTargets(config, 'a', 'tgbt', 'energy_kwh')).toEqual([{ site: 'a', consumption: true, temperatures: false }]);
    // A station another site shares: both sites' temperatures (and baselines).
    expect(importTargets(config, 'a', 'meteo', 'temperature_c')).toEqual([
      { site: 'a', consumption: false, temperatures: true },
      { site: 'b', consumption: false, temperatures: true },
    ]);
    expect(importTargets(config, 'b', 'gaz', 'gas_m3')).toEqual([{ site: 'b', consumption: true, temperatures: false }]);
    // A sub-meter is not added to the totals, power beside an index is not counted: no rollup depends on them.
    expect(importTargets(config, 'a', 'eclairage', 'energy_kwh')).toEqual([]);
    expect(importTargets(config, 'a', 'tgbt', 'power_w')).toEqual([]);
  });
});
