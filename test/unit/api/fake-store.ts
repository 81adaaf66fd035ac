import { SiteBatchReads } from '../../helpers/site-buckets.js';
import type { QuantityName } from '../../../src/config/quantities.js';
import type { Reading } from '../../../src/model/reading.js';
import { readingKey } from '../../../src/model/reading.js';
import type { Bucket, BucketQuery, LatestValue, ReadingQuery, SeriesSelector, SiteSelector, StoreHealth } from '../../../src/storage/port.js';
import { BUCKET_WIDTH_MS } from '../../../src/storage/port.js';

/** Local midnight by brute force (hour steps), independent of src/api/local-time.ts so the two check each other. */
function localDayKey(tsMs: number, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(tsMs));
}
function localMidnightMs(tsMs: number, timezone: string): number {
  const key = localDayKey(tsMs, timezone);
  let t = Math.floor(tsMs / 3_600_000) * 3_600_000;
  while (localDayKey(t - 3_600_000, timezone) === key) t -= 3_600_000;
  return t;
}

export interface RecordedCall {
  method: keyof ReadingQuery | 'health';
  args: unknown;
}

/** An in-memory ReadingQuery that honours the port's semantics and records every call. */
export class FakeStore extends SiteBatchReads implements ReadingQuery {
  readonly kind = 'duckdb' as const;
  readonly calls: RecordedCall[] = [];
  /** Replace to simulate an unhealthy or hanging store. */
  healthImpl: () => Promise<StoreHealth> = async () => ({ ok: true, kind: 'duckdb', lastReadingMs: this.lastReadingMs() });
  /** When set, every query throws it. */
  failWith: Error | null = null;
  private readonly rows = new Map<string, Reading>();

  async health(): Promise<StoreHealth> {
    this.calls.push({ method: 'health', args: [] });
    return this.healthImpl();
  }

  add(...readings: Reading[]): this {
    for (const r of readings) this.rows.set(readingKey(r), r);
    return this;
  }

  private record(method: RecordedCall['method'], args: unknown): void {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
  }

  private sorted(filter: (r: Reading) => boolean): Reading[] {
    return [...this.rows.values()].filter(filter).sort((a, b) => a.tsMs - b.tsMs);
  }

  private lastReadingMs(): number | null {
    const all = this.sorted(() => true);
    return all.at(-1)?.tsMs ?? null;
  }

  async latest(site: string): Promise<LatestValue[]> {
    this.record('latest', site);
    const last = new Map<string, LatestValue>();
    for (const r of this.sorted((r) => r.site === site)) last.set(`${r.device}/${r.quantity}`, { device: r.device, quantity: r.quantity, tsMs: r.tsMs, value: r.value });
    return [...last.values()];
  }

  async readings(selector: SeriesSelector): Promise<Reading[]> {
    this.record('readings', selector);
    return this.select(selector);
  }

  async siteReadingsAtOrBefore(s: { site: string; atMs: number }): Promise<Reading[]> {
    const last = new Map<string, Reading>();
    for (const r of await this.siteReadings({ site: s.site, fromMs: -Infinity, toMs: s.atMs + 1 })) last.set(`${r.device}\u0000${r.quantity}`, r);
    return [...last.values()];
  }

  async siteReadings(s: SiteSelector): Promise<Reading[]> {
    this.record('siteReadings', s);
    return this.sorted((r) => r.site === s.site && r.tsMs >= s.fromMs && r.tsMs < s.toMs).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.quantity < b.quantity ? -1 : a.quantity > b.quantity ? 1 : a.tsMs - b.tsMs));
  }

  private select(s: SeriesSelector): Reading[] {
    return this.sorted((r) => r.site === s.site && r.device === s.device && r.quantity === s.quantity && r.tsMs >= s.fromMs && r.tsMs < s.toMs);
  }

  async buckets(query: BucketQuery): Promise<Bucket[]> {
    this.record('buckets', query);
    const groups = new Map<number, Reading[]>();
    for (const r of this.select(query)) {
      const width = BUCKET_WIDTH_MS[query.every];
      const start = query.every === '1d' ? localMidnightMs(r.tsMs, query.timezone) : Math.floor(r.tsMs / width) * width;
      groups.set(start, [...(groups.get(start) ?? []), r]);
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
    this.record('readingAtOrBefore', selector);
    const before = this.sorted((r) => r.site === selector.site && r.device === selector.device && r.quantity === selector.quantity && r.tsMs <= selector.atMs);
    return before.at(-1) ?? null;
  }

  async count(selector?: Partial<Pick<SeriesSelector, 'site' | 'device' | 'quantity'>>): Promise<number> {
    this.record('count', selector);
    return this.sorted((r) => (selector?.site ?? r.site) === r.site && (selector?.device ?? r.device) === r.device && (selector?.quantity ?? r.quantity) === r.quantity).length;
  }
}
