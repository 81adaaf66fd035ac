import type { SiteConfig } from '../config/schema.js';
import type { LatestValue } from '../storage/port.js';

/**
 * THE rule for a device gone silent: its last reading, of any quantity, is older than this. A
 * meter or sensor publishing every 1-5 min (README "Connecting real devices") has then missed
 * three to fifteen messages in a row: long enough not to flag a late message or a broker restart,
 * short enough that a quarter of an hour of missing data is seen the same day. The overview states
 * the value it used (`staleAfterMs`) so that the dashboard words the same limit it shows.
 */
export const STALE_AFTER_MS = 15 * 60_000;

export interface DeviceSilence {
  /** Configured devices of the site. */
  total: number;
  /** Devices whose last reading is older than STALE_AFTER_MS, longest silent first. */
  silent: Array<{ device: string; name: string | null; lastReadingMs: number }>;
  /** Devices configured that never sent a stored reading. */
  neverReported: Array<{ device: string; name: string | null }>;
}

/** Each configured device of the site against its newest stored reading (`latest` of the site). */
export function deviceSilence(site: SiteConfig, latest: readonly LatestValue[], nowMs: number): DeviceSilence {
  const newest = new Map<string, number>();
  for (const l of latest) newest.set(l.device, Math.max(newest.get(l.device) ?? -Infinity, l.tsMs));
  const silent: DeviceSilence['silent'] = [];
  const neverReported: DeviceSilence['neverReported'] = [];
  for (const d of site.devices) {
    const last = newest.get(d.id);
    if (last === undefined) neverReported.push({ device: d.id, name: d.name ?? null });
    else if (nowMs - last > STALE_AFTER_MS) silent.push({ device: d.id, name: d.name ?? null, lastReadingMs: last });
  }
  silent.sort((a, b) => a.lastReadingMs - b.lastReadingMs);
  return { total: site.devices.length, silent, neverReported };
}
