import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { siteMeters } from '../../../src/energy/site-data.js';

const site = configSchema.parse({
  sites: [
    {
      id: 'depot',
      name: 'Depot',
      usage: 'warehouse',
      floorAreaM2: 1000,
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: '12345678' },
        { id: 'lights', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: '12345678', submeterOf: 'tgbt' },
        { id: 'boiler', kind: 'gas-meter', quantities: ['gas_m3'], secret: '12345678' },
        { id: 'line-2', kind: 'electricity-meter', quantities: ['power_w'], secret: '12345678' },
      ],
    },
  ],
}).sites[0]!;

describe('siteMeters', () => {
  it('counts main meters and power-only meters, and leaves sub-meters out of the totals', () => {
    const meters = siteMeters(site).map((m) => `${m.carrier}:${m.device}:${m.quantity}${m.integrated ? ':integrated' : ''}`);
    expect(meters).toEqual(['electricity:tgbt:energy_kwh', 'gas:boiler:gas_m3', 'electricity:line-2:power_w:integrated']);
  });

  it('narrows to the listed devices per carrier when asked', () => {
    expect(siteMeters(site, { electricity: ['tgbt'] }).map((m) => m.device)).toEqual(['tgbt', 'boiler']);
  });
});
