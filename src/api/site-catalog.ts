import { QUANTITIES, isQuantityName, type QuantityName } from '../config/quantities.js';
import type { AppConfig, DeviceConfig, SiteConfig } from '../config/schema.js';
import { findSubChannel } from '../ingest/profiles/sub-channels.js';
import { badRequest, notFound } from './errors.js';
import { problemOf } from './problems.js';

/**
 * Resolves request parameters against the configuration. Only identifiers found
 * here ever reach the store: the request's own strings never do (we pass the
 * configuration's copy), so nothing from a request reaches a query unchecked.
 */
export function findSite(config: AppConfig, siteId: string): SiteConfig {
  const site = config.sites.find((s) => s.id === siteId);
  if (!site) throw notFound('site', `unknown site ${JSON.stringify(siteId)}`, problemOf('unknown-site', { site: siteId }));
  return site;
}

export function findDevice(site: SiteConfig, deviceId: string): DeviceConfig {
  // A Linky per-tariff index (`linky-hchc`) is a sub-channel of its device (ingest/profiles/tic.ts).
  const device = site.devices.find((d) => d.id === deviceId) ?? findSubChannel(site, deviceId);
  if (!device) {
    const known = site.devices.map((d) => d.id);
    const detail = `unknown device ${JSON.stringify(deviceId)} for site ${site.id} (known: ${known.join(', ')})`;
    throw badRequest('querystring', 'device', detail, problemOf('unknown-device', { site: site.id, device: deviceId, known }));
  }
  return device;
}

export function findQuantity(site: SiteConfig, device: DeviceConfig, quantity: string): QuantityName {
  const declared = device.quantities.find((q) => q === quantity);
  if (!declared || !isQuantityName(declared)) {
    throw badRequest(
      'querystring',
      'quantity',
      `unknown quantity ${JSON.stringify(quantity)} for device ${device.id} of site ${site.id} (declared: ${device.quantities.join(', ')})`,
      problemOf('unknown-quantity', { site: site.id, device: device.id, quantity: quantity.slice(0, 64), declared: [...device.quantities] }),
    );
  }
  return declared;
}

export interface PublicQuantity {
  name: QuantityName;
  unit: string;
  kind: 'cumulative' | 'instantaneous';
}

export interface PublicDevice {
  id: string;
  name: string;
  kind: DeviceConfig['kind'];
  quantities: PublicQuantity[];
}

export interface PublicSite {
  id: string;
  name: string;
  usage: SiteConfig['usage'];
  city: string | null;
  floorAreaM2: number;
  timezone: string;
  devices: PublicDevice[];
}

export function describeQuantity(name: QuantityName): PublicQuantity {
  return { name, unit: QUANTITIES[name].unit, kind: QUANTITIES[name].kind };
}

/** What a client may know of a site: built field by field so that `secret` and `secretHash` can never slip through. */
export function toPublicSite(site: SiteConfig): PublicSite {
  return {
    id: site.id,
    name: site.name,
    usage: site.usage,
    city: site.city ?? null,
    floorAreaM2: site.floorAreaM2,
    timezone: site.timezone,
    devices: site.devices.map((d) => ({
      id: d.id,
      name: d.name ?? d.id,
      kind: d.kind,
      quantities: d.quantities.map(describeQuantity),
    })),
  };
}
