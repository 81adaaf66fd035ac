import type { Reading } from '../model/reading.js';
import type { ReadingQuery } from '../storage/port.js';

/** What the rule inputs read from storage (src/rules/input-source.ts). */
export type RuleReadingSource = Pick<ReadingQuery, 'readings' | 'readingAtOrBefore' | 'buckets'>;

type SeriesRef = Pick<Reading, 'site' | 'device' | 'quantity'>;

interface Entry {
  /** Every stored reading with lo <= tsMs < hi, in time order (two packed arrays: 16 bytes a reading). */
  lo: number;
  hi: number;
  ts: number[];
  values: number[];
  /** The last stored reading before lo; null: none. */
  before: { tsMs: number; value: number } | null;
  /** Clock of the cycle that first filled it: refilled from scratch after `maxAgeMs`. */
  filledAtMs: number;
  /** Oldest instant each cadence read in its last cycle: older readings are dropped. */
  wantFrom: Map<string, number>;
}

export interface SeriesCacheOptions {
  /** A series with more readings than this in its window is not kept (read from the store each time). */
  maxPointsPerSeries?: number;
  /**
   * Safety net for writes the evaluator is not told of (the spool's replay after an outage emits no
   * `readingsStored`; an InfluxDB import while the service runs): an entry is refilled from the
   * store after this long (evaluation clock), staggered per series between 0.75 and 1.25 times it
   * so the refills do not all fall in one cycle. Infinity in a backtest (nothing writes).
   */
  maxAgeMs?: number;
}

const keyOf = (s: SeriesRef) => `${s.site}\u0000${s.device}\u0000${s.quantity}`;

/** First index whose timestamp is >= tsMs. */
function lowerBound(ts: readonly number[], tsMs: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < tsMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function stagger(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return 0.75 + ((h >>> 0) % 1000) / 2000;
}

/**
 * The raw readings of the series the rules read, kept between evaluation cycles, so that a cycle
 * reads from the store only what is new since the last one (one query per series instead of two per
 * binding over weeks of lookback). It answers `readings` and `readingAtOrBefore` exactly as the
 * store would: it holds every stored reading of a time range and the one before it, and is told of
 * every write through `noteStored`, which cuts the range at the first late reading; a fetch that a
 * write overtook is not kept. The counter arithmetic then runs on the same points as without it,
 * so the judgements are the same (test/unit/rules/series-cache.test.ts). Buckets are not cached.
 */
export class SeriesCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped per series by every write noted: a fetch begun before a bump is not merged. */
  private readonly versions = new Map<string, number>();
  private readonly maxPoints: number;
  private readonly maxAgeMs: number;

  constructor(
    private readonly query: RuleReadingSource,
    options: SeriesCacheOptions = {},
  ) {
    this.maxPoints = options.maxPointsPerSeries ?? 50_000;
    this.maxAgeMs = options.maxAgeMs ?? 6 * 3_600_000;
  }

  /** Readings stored (live ingest): later reads of their time ranges go to the store again. */
  noteStored(readings: readonly Reading[]): void {
    for (const r of readings) {
      const key = keyOf(r);
      this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
      const e = this.entries.get(key);
      if (!e || r.tsMs >= e.hi) continue;
      if (r.tsMs < e.lo) {
        this.entries.delete(key);
        continue;
      }
      const cut = lowerBound(e.ts, r.tsMs);
      e.ts.length = cut;
      e.values.length = cut;
      e.hi = r.tsMs;
    }
  }

  /** Readings held (for tests and the benchmark). */
  size(): { series: number; points: number } {
    let points = 0;
    for (const e of this.entries.values()) points += e.ts.length;
    return { series: this.entries.size, points };
  }

  /** A source for one evaluation cycle of one cadence: at its end, readings no cadence needs are dropped. */
  cycle(tag: string, nowMs: number): { source: RuleReadingSource; end(): void } {
    const wanted = new Map<string, number>();
    const cover = async (s: SeriesRef, fromMs: number, toMs: number): Promise<Entry | null> => {
      const key = keyOf(s);
      wanted.set(key, Math.min(wanted.get(key) ?? Infinity, fromMs));
      let e = this.entries.get(key);
      if (e && nowMs - e.filledAtMs > this.maxAgeMs * stagger(key)) {
        this.entries.delete(key);
        e = undefined;
      }
      if (e && e.lo <= fromMs && e.hi >= toMs) return e;
      const version = this.versions.get(key) ?? 0;
      const selector = { site: s.site, device: s.device, quantity: s.quantity };
      const next: Entry = e
        ? { ...e, ts: e.ts, values: e.values }
        : { lo: fromMs, hi: fromMs, ts: [], values: [], before: null, filledAtMs: nowMs, wantFrom: new Map() };
      if (!e || fromMs < e.lo) {
        // Earlier than held (or nothing held): the reading before fromMs and [fromMs, lo) in front.
        const before = await this.query.readingAtOrBefore({ ...selector, atMs: fromMs - 1 });
        const rows = e ? await this.query.readings({ ...selector, fromMs, toMs: e.lo }) : [];
        next.before = before ? { tsMs: before.tsMs, value: before.value } : null;
        next.ts = [...rows.map((r) => r.tsMs), ...next.ts];
        next.values = [...rows.map((r) => r.value), ...next.values];
        next.lo = fromMs;
      }
      if (toMs > next.hi) {
        const rows = await this.query.readings({ ...selector, fromMs: next.hi, toMs });
        for (const r of rows) {
          next.ts.push(r.tsMs);
          next.values.push(r.value);
        }
        next.hi = toMs;
      }
      // A write noted while we read may be missing from what we read: keep nothing, read directly.
      if ((this.versions.get(key) ?? 0) !== version || next.ts.length > this.maxPoints) {
        this.entries.delete(key);
        return null;
      }
      this.entries.set(key, next);
      return next;
    };
    const source: RuleReadingSource = {
      readings: async (s) => {
        const e = await cover(s, s.fromMs, s.toMs);
        if (!e) return this.query.readings(s);
        const out: Reading[] = [];
        for (let i = lowerBound(e.ts, s.fromMs); i < e.ts.length && e.ts[i]! < s.toMs; i++) out.push({ site: s.site, device: s.device, quantity: s.quantity, tsMs: e.ts[i]!, value: e.values[i]! });
        return out;
      },
      readingAtOrBefore: async (s) => {
        const e = await cover(s, s.atMs, s.atMs + 1);
        if (!e) return this.query.readingAtOrBefore(s);
        const i = lowerBound(e.ts, s.atMs + 1) - 1;
        const found = i >= 0 ? { tsMs: e.ts[i]!, value: e.values[i]! } : e.before;
        return found ? { site: s.site, device: s.device, quantity: s.quantity, ...found } : null;
      },
      buckets: (q) => this.query.buckets(q),
    };
    return {
      source,
      end: () => {
        for (const [key, fromMs] of wanted) {
          const e = this.entries.get(key);
          if (!e) continue;
          e.wantFrom.set(tag, fromMs);
          const keepFrom = Math.min(...e.wantFrom.values());
          if (keepFrom <= e.lo || keepFrom > e.hi) continue;
          const cut = lowerBound(e.ts, keepFrom);
          if (cut > 0) e.before = { tsMs: e.ts[cut - 1]!, value: e.values[cut - 1]! };
          e.ts.splice(0, cut);
          e.values.splice(0, cut);
          e.lo = keepFrom;
        }
      },
    };
  }
}
