import { QUANTITIES, type QuantityName } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import type { LatestValue } from '../storage/port.js';

export interface LatestView {
  device: string;
  quantity: QuantityName;
  unit: string;
  kind: 'cumulative' | 'instantaneous';
  value: number;
  /** ISO 8601 time of the reading (device clock). */
  ts: string;
  tsMs: number;
}

/** The store's latest values that the configuration still declares (a removed device's old data is not shown), with units. */
export function latestView(site: SiteConfig, latest: readonly LatestValue[]): LatestView[] {
  return latest
    .filter((l) => site.devices.some((d) => d.id === l.device && d.quantities.includes(l.quantity)))
    .map((l) => ({
      device: l.device,
      quantity: l.quantity,
      unit: QUANTITIES[l.quantity].unit,
      kind: QUANTITIES[l.quantity].kind,
      value: l.value,
      ts: new Date(l.tsMs).toISOString(),
      tsMs: l.tsMs,
    }));
}
