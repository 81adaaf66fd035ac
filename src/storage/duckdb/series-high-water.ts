import type { Reading } from '../../model/reading.js';

type SeriesId = Pick<Reading, 'site' | 'device' | 'quantity'>;

/**
 * The newest stored timestamp of every series (site, device, quantity), kept in memory.
 *
 * Why: the idempotent merge must delete the stored readings a batch replaces, and that
 * delete join costs ~12 ms per batch whatever the batch size (it reads at least one
 * 122,880-row group), which held 2,000-reading batches to ~35-50k readings/s. Devices
 * report in time order, so almost every batch holds only readings newer than anything
 * stored for their series: such a batch cannot replace anything, and the delete is
 * skipped. Redeliveries and backfills (a timestamp at or before the high-water mark)
 * still go through the delete. The map may only ever over-estimate (a wasted delete),
 * never under-estimate, so it is raised before the write is attempted.
 *
 * Keyed site → device → quantity rather than by one joined string: building and hashing a new
 * key string twice per reading was 4.5 % of the service's busy CPU time (1.1 s) in a profile of the demo's year of
 * backfill (`npm run bench:simulator -- --scenario backfill --profile DIR`, 2026-12-01), 0.5 % (0.17 s) after. A batch
 * comes in runs of one device, so the device's map of the previous reading is tried first.
 */
export class SeriesHighWater {
  private readonly bySite = new Map<string, Map<string, Map<string, number>>>();
  private lastSite: string | null = null;
  private lastDevice: string | null = null;
  private lastQuantities: Map<string, number> | null = null;
  private count = 0;

  /** Seeds one series from the database (at start). */
  seed(series: SeriesId, newestMs: number): void {
    this.raise(series, newestMs);
  }

  /** True when some reading is not newer than its series' newest stored reading. */
  mayReplace(readings: readonly Reading[]): boolean {
    for (const r of readings) {
      const newest = this.quantities(r, false)?.get(r.quantity);
      if (newest !== undefined && r.tsMs <= newest) return true;
    }
    return false;
  }

  /** Raises the marks to cover `readings` (call before writing them). */
  record(readings: readonly Reading[]): void {
    for (const r of readings) this.raise(r, r.tsMs);
  }

  get size(): number {
    return this.count;
  }

  private raise(series: SeriesId, tsMs: number): void {
    const quantities = this.quantities(series, true)!;
    const current = quantities.get(series.quantity);
    if (current === undefined) this.count++;
    if (current === undefined || tsMs > current) quantities.set(series.quantity, tsMs);
  }

  /** The device's map of quantities; created when `create`, else null when the device has none. */
  private quantities(series: SeriesId, create: boolean): Map<string, number> | null {
    if (this.lastQuantities && series.device === this.lastDevice && series.site === this.lastSite) return this.lastQuantities;
    let devices = this.bySite.get(series.site);
    if (!devices) {
      if (!create) return null;
      this.bySite.set(series.site, (devices = new Map()));
    }
    let quantities = devices.get(series.device);
    if (!quantities) {
      if (!create) return null;
      devices.set(series.device, (quantities = new Map()));
    }
    this.lastSite = series.site;
    this.lastDevice = series.device;
    this.lastQuantities = quantities;
    return quantities;
  }
}
