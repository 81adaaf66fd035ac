import type { Reading } from '../model/reading.js';
import { groupBySite, stagger } from './cache-entries.js';
import { BUCKET_WIDTH_MS, type Bucket, type BucketQuery, type ReadingQuery, type SubDayWidth } from '../storage/port.js';

/** What the bucket cache reads: a series' buckets, or every series of a site, or of several, at once. */
export type BucketSource = Pick<ReadingQuery, 'buckets' | 'siteBuckets' | 'sitesBuckets'>;

/** Values kept per bucket after its start, in this order (a packed array of doubles: 48 bytes a bucket). */
const FIELDS = 6;

interface BucketEntry {
  width: SubDayWidth;
  /** Every bucket of the series with lo <= startMs < hi, complete: lo and hi are multiples of the width. */
  lo: number;
  hi: number;
  starts: number[];
  /** count, mean, min, max, first, last of each bucket. */
  fields: number[];
  /** Oldest bucket start each cadence asked for in its last cycle: older ones are dropped. */
  wantFrom: Map<string, number>;
  /** Clock of the cycle that first filled it: refilled after the cache's `maxAgeMs` (see SeriesCacheOptions). */
  filledAtMs: number;
}

/** How far behind the cycle's clock an entry may end and still be brought up to date by its site's query. */
const SITE_QUERY_MAX_SPAN_MS = 3 * 3_600_000;
/**
 * Sites filled by one query on a first cycle: the store's scan of the week costs about the same
 * for 1 site or 20, but the answer is held whole before it is sorted into entries (a week of 80
 * series is about 13,000 buckets a site). In bench:rules-cycle 5 gave the cold hourly cycle of 20
 * (24.2 s and 24.8 s, against 35.8 s one site at a time, load 4-5), and the cycles' peak RSS was
 * 1,143 MB with 5 against 1,244 MB with 20 (one run each, load 1-2; 939 MB before the multi-site
 * reads, where the RSS also grows over the warm cycles: not only this answer).
 */
const FILL_SITES_PER_QUERY = 5;

const seriesKey = (s: { site: string; device: string; quantity: string }, width: string) => `${s.site}\u0000${s.device}\u0000${s.quantity}\u0000${width}`;

function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function append(e: BucketEntry, b: Bucket): void {
  e.starts.push(b.startMs);
  e.fields.push(b.count, b.mean, b.min, b.max, b.first, b.last);
}

/**
 * Sub-day buckets of the series the hourly rules read (the hourly means of room sensors), kept
 * between cycles. A cycle then asks the store only for the buckets completed since the last one,
 * in one query per site (`siteBuckets`), instead of one bucket query per rule binding over a week
 * of lookback: sensor-flatline alone is one binding per room sensor. Writes are noted: a reading
 * inside a held bucket cuts the entry back to that bucket's start, so it is read again, and a
 * fetch that a write overtook is not kept: the answers are the store's own.
 */
export class BucketCache {
  private readonly entries = new Map<string, BucketEntry>();
  private readonly versions = new Map<string, number>();
  /** Bumped by every noteStored: a site-wide fill begun before a bump is not kept. */
  private writes = 0;

  constructor(
    private readonly store: BucketSource,
    private readonly maxAgeMs: number,
  ) {}

  noteStored(readings: readonly Reading[]): void {
    this.writes += 1;
    for (const r of readings) {
      for (const width of ['1h'] as const) this.note(r, width);
    }
  }

  private note(r: Reading, width: SubDayWidth): void {
    const key = seriesKey(r, width);
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    const e = this.entries.get(key);
    if (!e || r.tsMs >= e.hi) return;
    const widthMs = BUCKET_WIDTH_MS[width];
    const cutAt = Math.floor(r.tsMs / widthMs) * widthMs;
    if (cutAt <= e.lo) {
      this.entries.delete(key);
      return;
    }
    const cut = lowerBound(e.starts, cutAt);
    e.starts.length = cut;
    e.fields.length = cut * FIELDS;
    e.hi = cutAt;
  }

  size(): { series: number; buckets: number } {
    let buckets = 0;
    for (const e of this.entries.values()) buckets += e.starts.length;
    return { series: this.entries.size, buckets };
  }

  cycle(tag: string, nowMs: number): { buckets(q: BucketQuery): Promise<Bucket[]>; hourlyMeans(q: BucketQuery & { every: '1h' }, values: Float64Array): Promise<void>; prefetch(sites: readonly string[]): void; end(): void } {
    const wanted = new Map<string, number>();
    const sitesBrought = new Map<string, Promise<void>>();
    // The entries grouped by site once per cycle: a scan per site would be sites × series.
    let bySite: Map<string, Array<[string, BucketEntry]>> | null = null;

    /**
     * Brings every entry of these sites that this cadence read last cycle up to the last complete
     * bucket, in one query for all of them (a query per site scanned the same newest rows each time).
     */
    const bringSites = (sites: readonly string[], width: SubDayWidth): void => {
      const fresh = sites.filter((site) => !sitesBrought.has(`${site}\u0000${width}`));
      if (fresh.length === 0) return;
      const widthMs = BUCKET_WIDTH_MS[width];
      const upTo = Math.floor(nowMs / widthMs) * widthMs;
      const due: Array<[string, BucketEntry, number]> = [];
      const dueSites: string[] = [];
      bySite ??= groupBySite(this.entries);
      for (const site of fresh) {
        const before = due.length;
        for (const [key, e] of bySite.get(site) ?? []) {
          if (e.width !== width || !e.wantFrom.has(tag)) continue;
          if (e.hi < upTo && e.hi >= nowMs - SITE_QUERY_MAX_SPAN_MS) due.push([key, e, this.versions.get(key) ?? 0]);
        }
        if (due.length > before) dueSites.push(site);
      }
      const p = (async () => {
        if (due.length === 0) return;
        let fromMs = Infinity;
        for (const [, e] of due) fromMs = Math.min(fromMs, e.hi);
        const rows = await this.store.sitesBuckets({ sites: dueSites, fromMs, toMs: upTo, every: width });
        const bySeries = new Map<string, Bucket[]>();
        for (const b of rows) {
          const key = seriesKey(b, width);
          const list = bySeries.get(key);
          if (list) list.push(b);
          else bySeries.set(key, [b]);
        }
        for (const [key, e, version] of due) {
          // A write noted during the query may be missing from it: that entry is read on its own.
          if (this.entries.get(key) !== e || (this.versions.get(key) ?? 0) !== version) continue;
          for (const b of bySeries.get(key) ?? []) if (b.startMs >= e.hi) append(e, b);
          e.hi = upTo;
        }
      })();
      for (const site of fresh) sitesBrought.set(`${site}\u0000${width}`, p);
    };
    const bringSite = (site: string, width: SubDayWidth): Promise<void> => {
      bringSites([site], width);
      return sitesBrought.get(`${site}\u0000${width}`)!;
    };

    /** Entries a site-wide fill made for series no rule asked for yet: dropped at the cycle's end unless asked. */
    const filledUnasked = new Set<string>();
    const sitesFilled = new Map<string, Promise<void>>();
    /** The sites of the cycle (its prefetch): a first fill takes the others that hold nothing yet along. */
    let cycleSites: readonly string[] = [];
    /** Sites (and width) a fill of this cycle took, whatever its range: never filled twice. */
    const filledSites = new Set<string>();
    const holdsNothing = (site: string, width: SubDayWidth) => {
      if (filledSites.has(`${site}\u0000${width}`)) return false;
      // Held when the cycle began (grouped once per cycle), or read on its own since.
      bySite ??= groupBySite(this.entries);
      return !(bySite.get(site) ?? []).some(([, e]) => e.width === width);
    };
    /**
     * The first cycle of a site (nothing held for it, as after a start): one query for the range
     * the first binding asks fills every series of the site, since the site's other bindings of
     * the same rule ask the same range (their first judgement starts at the same catch-up floor).
     * So do the cycle's other sites that hold nothing yet, up to FILL_SITES_PER_QUERY in the same
     * query: a query per site scanned the same week of every site's rows each time (100 of them,
     * ~140 ms each, were a third of a cold hourly cycle's store time in bench:rules-cycle). A series
     * asking another range reads it on its own.
     */
    const fillSite = (q: BucketQuery & { every: SubDayWidth }): Promise<void> => {
      const fillKey = (site: string) => `${site}\u0000${q.every}\u0000${q.fromMs}\u0000${q.toMs}`;
      const known = sitesFilled.get(fillKey(q.site));
      if (known) return known;
      if (!holdsNothing(q.site, q.every)) return Promise.resolve();
      const sites = [q.site];
      for (const site of cycleSites) {
        if (sites.length >= FILL_SITES_PER_QUERY) break;
        if (site !== q.site && !sitesFilled.has(fillKey(site)) && holdsNothing(site, q.every)) sites.push(site);
      }
      const p = (async () => {
        const writes = this.writes;
        const rows = await this.store.sitesBuckets({ sites, fromMs: q.fromMs, toMs: q.toMs, every: q.every });
        if (this.writes !== writes) return;
        for (const b of rows) {
          const key = seriesKey(b, q.every);
          let e = this.entries.get(key);
          if (!e) {
            e = { width: q.every, lo: q.fromMs, hi: q.toMs, starts: [], fields: [], wantFrom: new Map(), filledAtMs: nowMs };
            this.entries.set(key, e);
            filledUnasked.add(key);
          }
          if (filledUnasked.has(key)) append(e, b);
        }
      })();
      for (const site of sites) {
        sitesFilled.set(fillKey(site), p);
        filledSites.add(`${site}\u0000${q.every}`);
      }
      return p;
    };

    /** The held entry answering q (brought up to date), or the store's own answer where none can. */
    const resolve = async (q: BucketQuery): Promise<BucketEntry | Bucket[]> => {
      if (q.every === '1d') return this.store.buckets(q);
      const width = q.every;
      const widthMs = BUCKET_WIDTH_MS[width];
      // A range that cuts a bucket aggregates part of it: only whole buckets are kept.
      if (q.fromMs % widthMs !== 0 || q.toMs % widthMs !== 0 || q.toMs > nowMs) return this.store.buckets(q);
      const key = seriesKey(q, width);
      wanted.set(key, Math.min(wanted.get(key) ?? Infinity, q.fromMs));
      await bringSite(q.site, width);
      if (!this.entries.has(key)) await fillSite({ ...q, every: width });
      filledUnasked.delete(key);
      let e = this.entries.get(key);
      if (e && nowMs - e.filledAtMs > this.maxAgeMs * stagger(key)) {
        this.entries.delete(key);
        e = undefined;
      }
      if (!e || q.fromMs < e.lo) {
        const version = this.versions.get(key) ?? 0;
        const rows = await this.store.buckets(q);
        const fresh: BucketEntry = { width, lo: q.fromMs, hi: q.toMs, starts: [], fields: [], wantFrom: e?.wantFrom ?? new Map(), filledAtMs: nowMs };
        for (const b of rows) append(fresh, b);
        if ((this.versions.get(key) ?? 0) === version) this.entries.set(key, fresh);
        else this.entries.delete(key);
        return rows;
      }
      if (q.toMs > e.hi) {
        const version = this.versions.get(key) ?? 0;
        const rows = await this.store.buckets({ ...q, fromMs: e.hi });
        if (this.entries.get(key) !== e || (this.versions.get(key) ?? 0) !== version) {
          this.entries.delete(key);
          return this.store.buckets(q);
        }
        for (const b of rows) append(e, b);
        e.hi = q.toMs;
      }
      return e;
    };

    const buckets = async (q: BucketQuery): Promise<Bucket[]> => {
      const e = await resolve(q);
      if (Array.isArray(e)) return e;
      const out: Bucket[] = [];
      for (let i = lowerBound(e.starts, q.fromMs); i < e.starts.length && e.starts[i]! < q.toMs; i++) {
        const f = i * FIELDS;
        out.push({ startMs: e.starts[i]!, count: e.fields[f]!, mean: e.fields[f + 1]!, min: e.fields[f + 2]!, max: e.fields[f + 3]!, first: e.fields[f + 4]!, last: e.fields[f + 5]! });
      }
      return out;
    };

    /** The mean of each hour of [q.fromMs, q.toMs) into `values` (index 0: fromMs), NaN left where no bucket: `buckets` without an object per hour. */
    const hourlyMeans = async (q: BucketQuery & { every: '1h' }, values: Float64Array): Promise<void> => {
      const e = await resolve(q);
      if (Array.isArray(e)) {
        for (const b of e) {
          const i = Math.round((b.startMs - q.fromMs) / BUCKET_WIDTH_MS['1h']);
          if (i >= 0 && i < values.length) values[i] = b.mean;
        }
        return;
      }
      for (let i = lowerBound(e.starts, q.fromMs); i < e.starts.length && e.starts[i]! < q.toMs; i++) {
        const k = Math.round((e.starts[i]! - q.fromMs) / BUCKET_WIDTH_MS['1h']);
        if (k >= 0 && k < values.length) values[k] = e.fields[i * FIELDS + 1]!;
      }
    };


    return {
      buckets,
      hourlyMeans,
      /** Sends the one query for what these sites' held hourly entries miss now (SeriesCache.cycle's prefetch). */
      prefetch: (sites) => {
        cycleSites = sites;
        bringSites(sites, '1h');
        for (const site of sites) sitesBrought.get(`${site}\u0000${'1h'}`)!.catch(() => {});
      },
      end: () => {
        for (const key of filledUnasked) if (!wanted.has(key)) this.entries.delete(key);
        for (const [key, fromMs] of wanted) {
          const e = this.entries.get(key);
          if (!e) continue;
          e.wantFrom.set(tag, fromMs);
          const keepFrom = Math.min(...e.wantFrom.values());
          if (keepFrom <= e.lo || keepFrom >= e.hi) continue;
          const cut = lowerBound(e.starts, keepFrom);
          e.starts.splice(0, cut);
          e.fields.splice(0, cut * FIELDS);
          e.lo = keepFrom;
        }
      },
    };
  }
}
