import type { Reading } from '../model/reading.js';
import type { BucketQuery, ReadingQuery } from '../storage/port.js';
import { BucketCache } from './bucket-cache.js';
import { groupBySite, stagger } from './cache-entries.js';

/**
 * What the rule inputs read from storage (src/rules/input-source.ts); the cache's cycle source also
 * writes hourly means straight into an array (no bucket object per hour: sensor-flatline reads a
 * week of them per room sensor every cycle).
 */
export type RuleReadingSource = Pick<ReadingQuery, 'readings' | 'readingAtOrBefore' | 'buckets'> & {
  hourlyMeans?(q: BucketQuery & { every: '1h' }, values: Float64Array): Promise<void>;
};
/**
 * What the cache reads: the same, each site's newest readings (to skip series with nothing new),
 * and a whole site's new readings and buckets in one query each.
 */
export type CacheReadingSource = RuleReadingSource & Pick<ReadingQuery, 'sitesLatest' | 'sitesReadings' | 'sitesReadingsAtOrBefore' | 'siteBuckets' | 'sitesBuckets'>;

/** How far behind the cycle's clock an entry may end and still be brought up to date by its site's query. */
const SITE_QUERY_MAX_SPAN_MS = 3 * 3_600_000;
/** Longest range a site's first cycle reads for all its series at once: the live rules' 24 h catch-up, and some. */
const SITE_FILL_MAX_SPAN_MS = 26 * 3_600_000;
/** Sites filled by one pair of queries on a first cycle: a day of readings of 20 sites of 80 series is about 40,000 readings. */
const FILL_SITES_PER_QUERY = 20;

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
  /** Count of noteStored calls, and the count at the last one per series. */
  private seq = 0;
  private readonly notedSeq = new Map<string, number>();
  private readonly maxPoints: number;
  private readonly maxAgeMs: number;
  private readonly bucketCache: BucketCache;

  constructor(
    private readonly query: CacheReadingSource,
    options: SeriesCacheOptions = {},
  ) {
    this.maxPoints = options.maxPointsPerSeries ?? 50_000;
    this.maxAgeMs = options.maxAgeMs ?? 6 * 3_600_000;
    this.bucketCache = new BucketCache(query, this.maxAgeMs);
  }

  /** Readings stored (live ingest): later reads of their time ranges go to the store again. */
  noteStored(readings: readonly Reading[]): void {
    this.bucketCache.noteStored(readings);
    this.seq += 1;
    for (const r of readings) {
      const key = keyOf(r);
      this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
      this.notedSeq.set(key, this.seq);
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
  size(): { series: number; points: number; bucketSeries: number; buckets: number } {
    let points = 0;
    for (const e of this.entries.values()) points += e.ts.length;
    const b = this.bucketCache.size();
    return { series: this.entries.size, points, bucketSeries: b.series, buckets: b.buckets };
  }

  /**
   * Brings every entry of these sites that this cadence read in its last cycle up to `nowMs`, with
   * one `sitesReadings` query from the earliest of their ends: a warm cycle then reads one query
   * for all its sites instead of one per series (or one per site: 100 scans of the same newest
   * rows). An entry overtaken by a write noted meanwhile is left to `cover`, which reads it on its own.
   */
  private async bringSites(sites: readonly string[], bySite: ReadonlyMap<string, ReadonlyArray<[string, Entry]>>, tag: string, nowMs: number): Promise<void> {
    const upTo = nowMs + 1;
    const due: Array<[string, Entry, number]> = [];
    const dueSites: string[] = [];
    for (const site of sites) {
      const before = due.length;
      for (const [key, e] of bySite.get(site) ?? []) {
        if (!e.wantFrom.has(tag)) continue;
        if (e.hi < upTo && e.hi >= nowMs - SITE_QUERY_MAX_SPAN_MS && nowMs - e.filledAtMs <= this.maxAgeMs * stagger(key)) due.push([key, e, this.versions.get(key) ?? 0]);
      }
      if (due.length > before) dueSites.push(site);
    }
    if (due.length === 0) return;
    let fromMs = Infinity;
    for (const [, e] of due) fromMs = Math.min(fromMs, e.hi);
    const rows = await this.query.sitesReadings({ sites: dueSites, fromMs, toMs: upTo });
    const bySeries = new Map<string, Reading[]>();
    for (const r of rows) {
      const key = keyOf(r);
      const list = bySeries.get(key);
      if (list) list.push(r);
      else bySeries.set(key, [r]);
    }
    for (const [key, e, version] of due) {
      if (this.entries.get(key) !== e || (this.versions.get(key) ?? 0) !== version) continue;
      for (const r of bySeries.get(key) ?? []) {
        if (r.tsMs < e.hi) continue;
        e.ts.push(r.tsMs);
        e.values.push(r.value);
      }
      e.hi = upTo;
      if (e.ts.length > this.maxPoints) this.entries.delete(key);
    }
  }

  /** A source for one evaluation cycle of one cadence: at its end, readings no cadence needs are dropped. */
  cycle(tag: string, nowMs: number): { source: RuleReadingSource; prefetch(sites: Iterable<string>): void; end(): void } {
    const wanted = new Map<string, number>();
    const buckets = this.bucketCache.cycle(tag, nowMs);
    const sitesBrought = new Map<string, Promise<void>>();
    let bySite: Map<string, Array<[string, Entry]>> | null = null;
    /** One query for these sites' held entries, awaited by each site's first read (a site not brought yet is brought on its own). */
    const bringAll = (sites: readonly string[]): void => {
      const fresh = sites.filter((site) => !sitesBrought.has(site));
      if (fresh.length === 0) return;
      // The entries grouped by site once per cycle: a scan per site would be sites × series.
      bySite ??= groupBySite(this.entries);
      const p = this.bringSites(fresh, bySite, tag, nowMs);
      for (const site of fresh) sitesBrought.set(site, p);
    };
    const bring = (site: string): Promise<void> => {
      bringAll([site]);
      return sitesBrought.get(site)!;
    };
    /** The sites of the cycle (its prefetch): a site's first query for newest readings or a fill takes the others along. */
    let cycleSites: readonly string[] = [];
    // Each site's newest reading per series, read once per cycle (one query for the cycle's sites:
    // each site's own was a scan of its whole history): a series whose newest reading is older
    // than what is asked has nothing to fetch. Trusted for a series only if no write of it was
    // noted since the query was sent (a write is noted once durable, so one noted before was
    // visible to the query).
    type Newest = { seq: number; newest: Map<string, { tsMs: number; value: number }> };
    const latestBySite = new Map<string, Promise<Newest>>();
    const newest = async (s: SeriesRef): Promise<{ tsMs: number; value: number } | null | undefined> => {
      if (!latestBySite.has(s.site)) {
        const sites = [s.site, ...cycleSites.filter((site) => site !== s.site && !latestBySite.has(site))];
        const seq = this.seq;
        const all = this.query.sitesLatest(sites).then((list): Newest => ({ seq, newest: new Map(list.map((l) => [keyOf(l), { tsMs: l.tsMs, value: l.value }])) }));
        for (const site of sites) latestBySite.set(site, all);
      }
      const snapshot = await latestBySite.get(s.site)!;
      // undefined: unknown (written since); null: the series has no reading at all.
      return (this.notedSeq.get(keyOf(s)) ?? -1) > snapshot.seq ? undefined : (snapshot.newest.get(keyOf(s)) ?? null);
    };
    /** Entries a site-wide fill made for series no rule asked for yet: dropped at the cycle's end unless asked. */
    const filledUnasked = new Set<string>();
    const sitesFilled = new Map<string, Promise<void>>();
    /** A site this cadence read nothing of in its last cycle (as after a start): a fill may take it. */
    const firstCycleOf = (site: string) => {
      bySite ??= groupBySite(this.entries);
      return !(bySite.get(site) ?? []).some(([, e]) => e.wantFrom.has(tag));
    };
    /**
     * A cadence's first cycle of a site (as after a start): the range the first binding asks, and
     * the reading before it, for every series of the site in two queries, since the site's other
     * live bindings ask the same range (their first judgement starts at the same catch-up floor);
     * the cycle's other sites in their first cycle too, up to FILL_SITES_PER_QUERY in the same two
     * queries, since theirs start at the same floor. Only for short ranges: every series of a site
     * over weeks would be a lot to hold.
     */
    const fillSite = (s: SeriesRef, fromMs: number, toMs: number): Promise<void> => {
      const known = sitesFilled.get(s.site);
      if (known) return known;
      // Only on this cadence's first cycle for the site (a start): later, a series missing here
      // and there is read on its own, not the whole site again.
      if (!firstCycleOf(s.site) || toMs - fromMs > SITE_FILL_MAX_SPAN_MS) {
        sitesFilled.set(s.site, Promise.resolve());
        return Promise.resolve();
      }
      const sites = [s.site];
      for (const site of cycleSites) {
        if (sites.length >= FILL_SITES_PER_QUERY) break;
        if (site !== s.site && !sitesFilled.has(site) && firstCycleOf(site)) sites.push(site);
      }
      const p = (async () => {
        const seq = this.seq;
        // From one ms earlier: the inputs ask the reading before their range next (readingAtOrBefore(from - 1)).
        const lo = fromMs - 1;
        const [rows, befores] = await Promise.all([this.query.sitesReadings({ sites, fromMs: lo, toMs }), this.query.sitesReadingsAtOrBefore({ sites, atMs: lo - 1 })]);
        if (this.seq !== seq) return;
        const make = (r: Reading): Entry => {
          const key = keyOf(r);
          let e = this.entries.get(key);
          if (!e) {
            e = { lo, hi: toMs, ts: [], values: [], before: null, filledAtMs: nowMs, wantFrom: new Map() };
            this.entries.set(key, e);
            filledUnasked.add(key);
          }
          return e;
        };
        for (const b of befores) make(b).before = { tsMs: b.tsMs, value: b.value };
        for (const r of rows) {
          const e = make(r);
          if (!filledUnasked.has(keyOf(r))) continue;
          e.ts.push(r.tsMs);
          e.values.push(r.value);
        }
      })();
      for (const site of sites) sitesFilled.set(site, p);
      return p;
    };

    const cover = async (s: SeriesRef, fromMs: number, toMs: number): Promise<Entry | null> => {
      await bring(s.site);
      const key = keyOf(s);
      if (!this.entries.has(key)) await fillSite(s, fromMs, toMs);
      filledUnasked.delete(key);
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
      const last = await newest(s);
      if (!e && last !== undefined && (last === null || last.tsMs < fromMs)) {
        // Nothing at or after fromMs: the newest reading is the one before the range.
        next.before = last;
        next.hi = Math.max(next.hi, toMs);
      } else if (!e || fromMs < e.lo) {
        // Earlier than held (or nothing held): the reading before fromMs and [fromMs, lo) in front.
        const before = await this.query.readingAtOrBefore({ ...selector, atMs: fromMs - 1 });
        const rows = e ? await this.query.readings({ ...selector, fromMs, toMs: e.lo }) : [];
        next.before = before ? { tsMs: before.tsMs, value: before.value } : null;
        next.ts = [...rows.map((r) => r.tsMs), ...next.ts];
        next.values = [...rows.map((r) => r.value), ...next.values];
        next.lo = fromMs;
      }
      if (toMs > next.hi && last !== undefined && (last === null || last.tsMs < next.hi)) next.hi = toMs;
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
      buckets: (q) => buckets.buckets(q),
      hourlyMeans: (q, values) => buckets.hourlyMeans(q, values),
    };
    return {
      source,
      /**
       * Sends the queries that bring the cycle's held entries up to date for these sites now, one
       * for all of them (readings, and the bucket cache's for buckets), rather than each when its
       * site's first binding asks: the store then answers while the cycle judges (waiting for each
       * in turn was about a third of a warm cycle's wall time in the profile, and a query per site
       * scanned the same newest rows once per site). A query that fails is met again, and reported,
       * by the bindings that await it.
       */
      prefetch: (sites) => {
        const list = [...sites];
        cycleSites = list;
        bringAll(list);
        for (const site of list) sitesBrought.get(site)!.catch(() => {});
        buckets.prefetch(list);
      },
      end: () => {
        buckets.end();
        for (const key of filledUnasked) this.entries.delete(key);
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
