import type { AppConfig } from '../config/schema.js';
import type { ReadingQuery } from '../storage/port.js';

/**
 * Up to when an earlier demo run published: the oldest of every device's last stored reading
 * (devices run at different intervals; a reading published again is stored once). Null when
 * nothing is stored yet.
 */
export async function lastPublishedMs(query: Pick<ReadingQuery, 'readingAtOrBefore'>, config: AppConfig, nowMs = Date.now()): Promise<number | null> {
  let oldest: number | null = null;
  for (const site of config.sites) {
    for (const device of site.devices) {
      const quantity = device.quantities[0];
      if (!quantity) continue;
      const last = await query.readingAtOrBefore({ site: site.id, device: device.id, quantity, atMs: nowMs });
      if (!last) return null;
      oldest = oldest === null ? last.tsMs : Math.min(oldest, last.tsMs);
    }
  }
  return oldest;
}
