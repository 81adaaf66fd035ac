import type { DeviceConfig, SiteConfig } from '../../config/schema.js';
import { profileNamed } from './registry.js';

/**
 * Sub-channels a device's profile stores besides the device itself (the Linky per-tariff
 * indexes, tic.ts): `{device}-{label}` ids, each with `energy_kwh` only. They are not configured
 * devices, so the site totals never add them (energy/site-data.ts walks the configured devices).
 */
export function subChannelsOf(device: DeviceConfig): string[] {
  const profile = profileNamed(device.profile);
  if (!profile.subChannels) return [];
  const options = profile.options.safeParse(device.options ?? {});
  return options.success ? profile.subChannels(device, options.data) : [];
}

/**
 * The sub-channel `id` of a site as a device of its own, for the API's series and latest views:
 * a sub-meter of its parent (`submeterOf`), publishing `energy_kwh`. Undefined when no configured
 * device has that sub-channel.
 */
export function findSubChannel(site: SiteConfig, id: string): DeviceConfig | undefined {
  for (const parent of site.devices) {
    if (!id.startsWith(`${parent.id}-`) || !subChannelsOf(parent).includes(id)) continue;
    const label = id.slice(parent.id.length + 1).toUpperCase();
    return { ...parent, id, name: `${parent.name ?? parent.id} (${label})`, quantities: ['energy_kwh'], submeterOf: parent.id };
  }
  return undefined;
}
