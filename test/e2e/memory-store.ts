import { SiteBatchReads } from '../helpers/site-buckets.js';
import type { QuantityName } from '../../src/config/quantities.js';
import { readingKey, type Reading } from '../../src/model/reading.js';
import { BUCKET_WIDTH_MS, type Bucket, type BucketQuery, type LatestValue, type ReadingQuery, type SeriesSelector, type SiteSelector, type StoreHealth } from '../../src/storage/port.js';

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const midnights = new Map<string, number>();

/** Local day of `tsMs` in `timezone`, by Intl, independent of src/api/local-time.ts. */
function localDayKey(tsMs: number, timezone: string): string {
  let fmt = dayFormats.get(timezone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timezone, fmt);
  }
  return fmt.format(tsMs);
}

/** Local midnight found by stepping back whole hours (Europe/Paris offsets are whole hours). */
function localMidnightMs(tsMs: number, timezone: string): number {
  const key = localDayKey(tsMs, timezone);
  const cached = midnights.get(`${timezone} ${key}`);
  if (cached !== undefined) return cached;
  let t = Math.floor(tsMs / 3_600_000) * 3_600_000;
  while (localDayKey(t - 3_600_000, timezone) === key) t -= 3_600_000;
  midnights.set(`${timezone} ${key}`, t);
  return t;
}

/**
 * An in-memory fake of OUR narrow query port (AppDeps['store']), honouring the
 * port's contract: half-open ranges, empty buckets omitted, `1d` buckets on local days.
 */
export class MemoryStore extends SiteBatchReads implements ReadingQuery {
  readonly kind = 'duckdb' as const;
  private readonly rows = new Map<string, Reading>();

  add(readings: readonly Reading[]): void {
    for (const r of readings) this.rows.set(readingKey(r), r);
  }

  private sorted(filter: (r: Reading) => boolean): Reading[] {
    return [...this.rows.values()].filter(filter).sort((a, b) => a.tsMs - b.tsMs);
  }

  private select(s: SeriesSelector): Reading[] {
    return this.sorted((r) => r.site === s.site && r.device === s.device && r.quantity === s.quantity && r.tsMs >= s.fromMs && r.tsMs < s.toMs);
  }

  async health(): Promise<StoreHealth> {
    const last = this.sorted(() => true).at(-1);
    return { ok: true, kind: 'duckdb', lastReadingMs: last?.tsMs ?? null };
  }

  async latest(site: string): Promise<LatestValue[]> {
    const last = new Map<string, LatestValue>();
    for (const r of this.sorted((x) => x.site === site)) last.set(`${r.device}/${r.quantity}`, { device: r.device, quantity: r.quantity, tsMs: r.tsMs, value: r.value });
    return [...last.values()];
  }

  async readings(selector: SeriesSelector): Promise<Reading[]> {
    return this.select(selector);
  }

  async siteReadingsAtOrBefore(s: { site: string; atMs: number }): Promise<Reading[]> {
    const last = new Map<string, Reading>();
    for (const r of await this.siteReadings({ site: s.site, fromMs: -Infinity, toMs: s.atMs + 1 })) last.set(`${r.device}\u0000${r.quantity}`, r);
    return [...last.values()];
  }

  async siteReadings(s: SiteSelector): Promise<Reading[]> {
    return this.sorted((r) => r.site === s.site && r.tsMs >= s.fromMs && r.tsMs < s.toMs).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.quantity < b.quantity ? -1 : a.quantity > b.quantity ? 1 : a.tsMs - b.tsMs));
  }

  async buckets(query: BucketQuery): Promise<Bucket[]> {
    const groups = new Map<number, Reading[]>();
    const widthMs = BUCKET_WIDTH_MS[query.every];
    for (const r of this.select(query)) {
      const start = query.every === '1d' ? localMidnightMs(r.tsMs, query.timezone) : Math.floor(r.tsMs / widthMs) * widthMs;
      const group = groups.get(start);
      if (group) group.push(r);
      else groups.set(start, [r]);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([startMs, rs]) => {
        const values = rs.map((r) => r.value);
        return {
          startMs,
          count: rs.length,
          mean: values.reduce((s, v) => s + v, 0) / values.length,
          min: Math.min(...values),
          max: Math.max(...values),
          first: values[0] ?? Number.NaN,
          last: values.at(-1) ?? Number.NaN,
        };
      });
  }

  async readingAtOrBefore(selector: { site: string; device: string; quantity: QuantityName; atMs: number }): Promise<Reading | null> {
    const before = this.sorted((r) => r.site === selector.site && r.device === selector.device && r.quantity === selector.quantity && r.tsMs <= selector.atMs);
    return before.at(-1) ?? null;
  }

  async count(selector?: Partial<Pick<SeriesSelector, 'site' | 'device' | 'quantity'>>): Promise<number> {
    return this.sorted((r) => (selector?.site ?? r.site) === r.site && (selector?.device ?? r.device) === r.device && (selector?.quantity ?? r.quantity) === r.quantity).length;
  }
}
