import type { DeviceConfig, SiteConfig } from '../../config/schema.js';
import { profileNamed } from './registry.js';

/**
 * Sub-channels a device's profile stores besides the device itself (the Linky per-tariff
 * indexes, tic.ts): `{device}.{label}` ids, each with `energy_kwh` only. They are not configured
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
  const dot = id.indexOf('.');
  if (dot <= 0) return undefined;
  const parent = site.devices.find((d) => d.id === id.slice(0, dot));
  if (!parent || !subChannelsOf(parent).includes(id)) return undefined;
  return { ...parent, id, name: `${parent.name ?? parent.id} (${id.slice(dot + 1).toUpperCase()})`, quantities: ['energy_kwh'], submeterOf: parent.id };
}
