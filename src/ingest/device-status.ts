/**
 * Online status of devices and bridges, from their availability or LWT topics (Tasmota
 * `tele/<topic>/LWT`, Shelly `<prefix>/online`, zigbee2mqtt `…/availability` and
 * `bridge/state`). Keyed by the configured `{site}/{device}`: bounded by the configuration.
 */
export interface DeviceStatus {
  site: string;
  device: string;
  online: boolean;
  /** When the status last changed (receive time, epoch ms). */
  sinceMs: number;
}

export class DeviceStatusBoard {
  private readonly statuses = new Map<string, DeviceStatus>();

  constructor(private readonly onChange?: (status: DeviceStatus) => void) {}

  update(site: string, device: string, online: boolean, nowMs: number): void {
    const key = `${site}/${device}`;
    const current = this.statuses.get(key);
    if (current && current.online === online) return;
    const status = { site, device, online, sinceMs: nowMs };
    this.statuses.set(key, status);
    this.onChange?.(status);
  }

  get(site: string, device: string): DeviceStatus | undefined {
    return this.statuses.get(`${site}/${device}`);
  }

  all(): DeviceStatus[] {
    return [...this.statuses.values()];
  }
}
