import { describe, expect, it } from 'vitest';
import { findDevice } from '../../../src/api/site-catalog.js';
import { siteMeters } from '../../../src/energy/site-data.js';
import { subChannelsOf } from '../../../src/ingest/profiles/sub-channels.js';
import { configSchema } from '../../../src/config/schema.js';
import { buildProfileConfig, profileConfigInput } from './profile-config.js';

const site = buildProfileConfig().sites[0]!;

describe('Linky per-tariff sub-channels', () => {
  it('are named {device}-{label} after the configured tariffs', () => {
    expect(subChannelsOf(site.devices.find((d) => d.id === 'linky')!)).toEqual(['linky-easf01', 'linky-easf02']);
    expect(subChannelsOf(site.devices.find((d) => d.id === 'teleinfo')!)).toEqual(['teleinfo-hchc', 'teleinfo-hchp']);
    expect(subChannelsOf(site.devices.find((d) => d.id === 'prise')!)).toEqual([]);
  });

  it('are not added to the site totals: only the device (their sum) is a meter', () => {
    const electricity = siteMeters(site).filter((m) => m.carrier === 'electricity').map((m) => m.device);
    expect(electricity).toContain('linky');
    expect(electricity).toContain('teleinfo');
    for (const sub of ['linky-easf01', 'linky-easf02', 'teleinfo-hchc', 'teleinfo-hchp']) expect(electricity).not.toContain(sub);
  });

  it('are resolved by the API as sub-meters of their device, energy_kwh only; unknown ones are a 400', () => {
    expect(findDevice(site, 'linky-easf02')).toMatchObject({ id: 'linky-easf02', quantities: ['energy_kwh'], submeterOf: 'linky' });
    expect(() => findDevice(site, 'linky-easf07')).toThrow(/unknown device "linky-easf07"/);
    expect(() => findDevice(site, 'prise-base')).toThrow(/unknown device/);
  });
});

describe('sub-channel ids', () => {
  it('may not be a configured device id', () => {
    const input = profileConfigInput() as { sites: { devices: Record<string, unknown>[] }[] };
    input.sites[0]!.devices.push({ id: 'linky-easf01', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'another-secret-1' });
    const parsed = configSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toContain('"linky-easf01" is both a device and a tariff sub-channel of "linky": rename one');
  });
});
