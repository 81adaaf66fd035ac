import type { Reading } from '../../model/reading.js';

type SeriesId = Pick<Reading, 'site' | 'device' | 'quantity'>;

function seriesKey(r: SeriesId): string {
  return `${r.site}\u0000${r.device}\u0000${r.quantity}`;
}

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
 */
export class SeriesHighWater {
  private readonly newestMs = new Map<string, number>();

  /** Seeds one series from the database (at start). */
  seed(series: SeriesId, newestMs: number): void {
    this.raise(seriesKey(series), newestMs);
  }

  /** True when some reading is not newer than its series' newest stored reading. */
  mayReplace(readings: readonly Reading[]): boolean {
    return readings.some((r) => {
      const newest = this.newestMs.get(seriesKey(r));
      return newest !== undefined && r.tsMs <= newest;
    });
  }

  /** Raises the marks to cover `readings` (call before writing them). */
  record(readings: readonly Reading[]): void {
    for (const r of readings) this.raise(seriesKey(r), r.tsMs);
  }

  get size(): number {
    return this.newestMs.size;
  }

  private raise(key: string, tsMs: number): void {
    const current = this.newestMs.get(key);
    if (current === undefined || tsMs > current) this.newestMs.set(key, tsMs);
  }
}
