import { SiteBatchReads } from '../../../helpers/site-buckets.js';
import type { QuantityName } from '../../../../src/config/quantities.js';
import type { Reading } from '../../../../src/model/reading.js';
import { BUCKET_WIDTH_MS, type Bucket, type BucketQuery, type LatestValue, type ReadingQuery, type SeriesSelector, type SiteSelector } from '../../../../src/storage/port.js';

/** In-memory fake of our narrow ReadingQuery port (unit tests only; the stores have their own contract tests). */
export class MemoryQuery extends SiteBatchReads implements ReadingQuery {
  private readonly series = new Map<string, Reading[]>();

  add(readings: readonly Reading[]): this {
    for (const r of readings) {
      const key = keyOf(r.site, r.device, r.quantity);
      const list = this.series.get(key) ?? [];
      list.push(r);
      this.series.set(key, list);
    }
    for (const list of this.series.values()) list.sort((a, b) => a.tsMs - b.tsMs);
    return this;
  }

  async latest(site: string): Promise<LatestValue[]> {
    const out: LatestValue[] = [];
    for (const list of this.series.values()) {
      const last = list[list.length - 1];
      if (last && last.site === site) out.push({ device: last.device, quantity: last.quantity, tsMs: last.tsMs, value: last.value });
    }
    return out;
  }

  async readings(s: SeriesSelector): Promise<Reading[]> {
    return (this.series.get(keyOf(s.site, s.device, s.quantity)) ?? []).filter((r) => r.tsMs >= s.fromMs && r.tsMs < s.toMs);
  }

  async siteReadingsAtOrBefore(s: { site: string; atMs: number }): Promise<Reading[]> {
    const last = new Map<string, Reading>();
    for (const r of await this.siteReadings({ site: s.site, fromMs: -Infinity, toMs: s.atMs + 1 })) last.set(`${r.device}\u0000${r.quantity}`, r);
    return [...last.values()];
  }

  async siteReadings(s: SiteSelector): Promise<Reading[]> {
    return [...this.series.values()]
      .flat()
      .filter((r) => r.site === s.site && r.tsMs >= s.fromMs && r.tsMs < s.toMs)
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.quantity < b.quantity ? -1 : a.quantity > b.quantity ? 1 : a.tsMs - b.tsMs));
  }

  /** Fixed-width buckets only ('1h' and shorter: what the rules read); `1d` local days are the stores' job. */
  async buckets(q: BucketQuery): Promise<Bucket[]> {
    if (q.every === '1d') throw new Error('MemoryQuery: local-day buckets not faked');
    const widthMs = BUCKET_WIDTH_MS[q.every];
    const out = new Map<number, Bucket>();
    for (const r of await this.readings(q)) {
      const startMs = Math.floor(r.tsMs / widthMs) * widthMs;
      const b = out.get(startMs);
      if (!b) out.set(startMs, { startMs, count: 1, mean: r.value, min: r.value, max: r.value, first: r.value, last: r.value });
      else {
        b.mean = (b.mean * b.count + r.value) / (b.count + 1);
        b.count += 1;
        b.min = Math.min(b.min, r.value);
        b.max = Math.max(b.max, r.value);
        b.last = r.value;
      }
    }
    return [...out.values()];
  }

  async readingAtOrBefore(s: Omit<SeriesSelector, 'fromMs' | 'toMs'> & { atMs: number }): Promise<Reading | null> {
    const list = this.series.get(keyOf(s.site, s.device, s.quantity)) ?? [];
    let found: Reading | null = null;
    for (const r of list) {
      if (r.tsMs > s.atMs) break;
      found = r;
    }
    return found;
  }

  async count(): Promise<number> {
    let n = 0;
    for (const list of this.series.values()) n += list.length;
    return n;
  }
}

function keyOf(site: string, device: string, quantity: QuantityName): string {
  return `${site}\u0000${device}\u0000${quantity}`;
}
