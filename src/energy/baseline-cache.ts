import type { Reading } from '../model/reading.js';
import { DAY_MS } from './local-time.js';

/**
 * Baselines fitted once per site and reference period (issue 13, point 6: the comparison refitted
 * every site's baseline on every call). An entry is dropped when readings arrive for the site, or
 * for its weather station, inside the reference period (a day's margin either side), and re-fitted
 * after `maxAgeMs` anyway, so data written by another process is taken in too.
 */
interface Entry<T> {
  loadedMs: number;
  /** Sites whose readings change the fit: the site and its temperature source. */
  sites: ReadonlySet<string>;
  spanMs: [number, number];
  value: Promise<T>;
  fit: () => Promise<T>;
}

export class BaselineCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number,
    private readonly maxAgeMs = 600_000,
  ) {}

  get(key: string, sites: readonly string[], spanMs: [number, number], fit: () => Promise<T>): Promise<T> {
    const nowMs = this.now();
    const hit = this.entries.get(key);
    if (hit && nowMs - hit.loadedMs < this.maxAgeMs) return hit.value;
    const entry: Entry<T> = { loadedMs: nowMs, sites: new Set(sites), spanMs, value: fit(), fit };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  /** The entry of `key` when it is fresh (fitted, or being fitted), without fitting anything: undefined otherwise. */
  peek(key: string): Promise<T> | undefined {
    const hit = this.entries.get(key);
    return hit && this.now() - hit.loadedMs < this.maxAgeMs ? hit.value : undefined;
  }

  /**
   * Fits again, one at a time, the baselines past half their maximum age, each swapped in once
   * fitted (see SiteDataCache.refreshAhead): a baseline in use is never refitted on a request.
   */
  async refreshAhead(signal?: AbortSignal): Promise<number> {
    let refreshed = 0;
    for (const [key, e] of [...this.entries]) {
      if (signal?.aborted) break;
      const nowMs = this.now();
      if (nowMs - e.loadedMs < this.maxAgeMs / 2) continue;
      const value = e.fit();
      try {
        await value;
      } catch {
        continue;
      }
      if (this.entries.get(key) !== e) continue;
      this.entries.set(key, { ...e, loadedMs: nowMs, value });
      refreshed++;
    }
    return refreshed;
  }

  invalidate(readings: readonly Pick<Reading, 'site' | 'tsMs'>[]): void {
    for (const [key, e] of this.entries) {
      if (readings.some((r) => e.sites.has(r.site) && r.tsMs >= e.spanMs[0] - DAY_MS && r.tsMs < e.spanMs[1] + DAY_MS)) this.entries.delete(key);
    }
  }
}
