import type { QuantityName } from '../config/quantities.js';

/**
 * One value of one quantity, from one device, at one instant. This is what
 * ingest produces and what every store keeps. A reading is identified by
 * (site, device, quantity, tsMs): the same identity delivered twice is stored once.
 */
export interface Reading {
  site: string;
  device: string;
  quantity: QuantityName;
  /** Epoch milliseconds, taken from the device's own timestamp. */
  tsMs: number;
  /** In the quantity's unit (see QUANTITIES). */
  value: number;
  /** True when the device sent no timestamp and the receive time was used. */
  tsFromServer?: boolean;
}

export function readingKey(r: Pick<Reading, 'site' | 'device' | 'quantity' | 'tsMs'>): string {
  return `${r.site}\u0000${r.device}\u0000${r.quantity}\u0000${r.tsMs}`;
}
