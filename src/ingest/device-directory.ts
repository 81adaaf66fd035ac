import type { QuantityName } from '../config/quantities.js';
import type { AppConfig, DeviceConfig } from '../config/schema.js';

/** O(1) lookups of the configured sites, devices and their declared quantities (built once, read per message). */
export class DeviceDirectory {
  private readonly sites = new Map<string, Map<string, { device: DeviceConfig; quantities: ReadonlySet<QuantityName> }>>();

  constructor(config: AppConfig) {
    for (const site of config.sites) {
      const devices = new Map<string, { device: DeviceConfig; quantities: ReadonlySet<QuantityName> }>();
      for (const device of site.devices) devices.set(device.id, { device, quantities: new Set(device.quantities) });
      this.sites.set(site.id, devices);
    }
  }

  hasSite(site: string): boolean {
    return this.sites.has(site);
  }

  device(site: string, device: string): DeviceConfig | undefined {
    return this.sites.get(site)?.get(device)?.device;
  }

  declares(site: string, device: string, quantity: QuantityName): boolean {
    return this.sites.get(site)?.get(device)?.quantities.has(quantity) ?? false;
  }
}
