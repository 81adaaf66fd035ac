import { readingKey, type Reading } from '../../model/reading.js';

/**
 * The identities (site, device, quantity, tsMs) of one batch, nested by series so that lookups
 * compare numbers rather than build a string key per reading (the write path's hot loop).
 */
export class IdentityIndex {
  private readonly bySite = new Map<string, Map<string, Map<string, Set<number>>>>();
  /** True when the batch holds the same identity twice. */
  readonly hasDuplicates: boolean;

  constructor(readonly readings: readonly Reading[]) {
    let duplicates = false;
    for (const r of readings) {
      const times = this.timesOf(r, true)!;
      if (times.has(r.tsMs)) duplicates = true;
      else times.add(r.tsMs);
    }
    this.hasDuplicates = duplicates;
  }

  /** Whether any identity of `other` is also one of this batch. */
  overlaps(other: IdentityIndex): boolean {
    for (const r of other.readings) if (this.timesOf(r, false)?.has(r.tsMs)) return true;
    return false;
  }

  /** The readings with only the last of each identity kept (in the order of those last occurrences). */
  lastOfEach(): readonly Reading[] {
    if (!this.hasDuplicates) return this.readings;
    const byKey = new Map<string, Reading>();
    for (const r of this.readings) {
      const key = readingKey(r);
      byKey.delete(key);
      byKey.set(key, r);
    }
    return [...byKey.values()];
  }

  private timesOf(r: Reading, create: boolean): Set<number> | undefined {
    let byDevice = this.bySite.get(r.site);
    if (!byDevice) {
      if (!create) return undefined;
      this.bySite.set(r.site, (byDevice = new Map()));
    }
    let byQuantity = byDevice.get(r.device);
    if (!byQuantity) {
      if (!create) return undefined;
      byDevice.set(r.device, (byQuantity = new Map()));
    }
    let times = byQuantity.get(r.quantity);
    if (!times && create) byQuantity.set(r.quantity, (times = new Set()));
    return times;
  }
}
