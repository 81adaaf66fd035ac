import type { Reading } from '../../src/model/reading.js';
import { BUCKET_WIDTH_MS, type LatestValue, type ReadingQuery, type SeriesBucket, type SiteBucketQuery, type SiteLatestValue, type SitesBucketQuery, type SiteSeriesBucket, type SiteSelector, type SitesSelector } from '../../src/storage/port.js';

/** siteBuckets of the in-memory fakes: epoch-aligned buckets of readings ordered by series then time. */
export function siteBucketsOf(readings: readonly Reading[], q: SiteBucketQuery): SeriesBucket[] {
  const widthMs = BUCKET_WIDTH_MS[q.every];
  const out: SeriesBucket[] = [];
  let cur: SeriesBucket | null = null;
  let sum = 0;
  for (const r of readings) {
    const startMs = Math.floor(r.tsMs / widthMs) * widthMs;
    if (!cur || cur.startMs !== startMs || cur.device !== r.device || cur.quantity !== r.quantity) {
      if (cur) out.push({ ...cur, mean: sum / cur.count });
      cur = { device: r.device, quantity: r.quantity, startMs, count: 0, mean: 0, min: r.value, max: r.value, first: r.value, last: r.value };
      sum = 0;
    }
    cur.count += 1;
    sum += r.value;
    cur.min = Math.min(cur.min, r.value);
    cur.max = Math.max(cur.max, r.value);
    cur.last = r.value;
  }
  if (cur) out.push({ ...cur, mean: sum / cur.count });
  return out;
}

type SiteQueries = Pick<ReadingQuery, 'siteReadings' | 'siteBuckets'>;

/** sitesReadings of the in-memory fakes: their siteReadings, site after site. */
export async function sitesReadingsOf(q: SiteQueries, s: SitesSelector): Promise<Reading[]> {
  const out: Reading[] = [];
  for (const site of new Set(s.sites)) out.push(...(await q.siteReadings({ site, fromMs: s.fromMs, toMs: s.toMs })));
  return out;
}

/** sitesBuckets of the in-memory fakes: their siteBuckets, site after site, each bucket with its site. */
export async function sitesBucketsOf(q: SiteQueries, s: SitesBucketQuery): Promise<SiteSeriesBucket[]> {
  const out: SiteSeriesBucket[] = [];
  for (const site of new Set(s.sites)) for (const b of await q.siteBuckets({ site, fromMs: s.fromMs, toMs: s.toMs, every: s.every })) out.push({ site, ...b });
  return out;
}

type SiteLookups = Pick<ReadingQuery, 'latest' | 'siteReadingsAtOrBefore'>;

/** sitesLatest of the in-memory fakes: their latest, site after site, each value with its site. */
export async function sitesLatestOf(q: SiteLookups, sites: readonly string[]): Promise<SiteLatestValue[]> {
  const out: SiteLatestValue[] = [];
  for (const site of new Set(sites)) for (const l of await q.latest(site)) out.push({ site, ...l });
  return out;
}

/** sitesReadingsAtOrBefore of the in-memory fakes: their siteReadingsAtOrBefore, site after site. */
export async function sitesReadingsAtOrBeforeOf(q: SiteLookups, s: { sites: readonly string[]; atMs: number }): Promise<Reading[]> {
  const out: Reading[] = [];
  for (const site of new Set(s.sites)) out.push(...(await q.siteReadingsAtOrBefore({ site, atMs: s.atMs })));
  return out;
}

/**
 * The reads every in-memory fake derives from its own siteReadings, latest and
 * siteReadingsAtOrBefore (several sites at once, site buckets): written once here, not in each fake.
 */
export abstract class SiteBatchReads {
  abstract siteReadings(s: SiteSelector): Promise<Reading[]>;
  abstract latest(site: string): Promise<LatestValue[]>;
  abstract siteReadingsAtOrBefore(s: { site: string; atMs: number }): Promise<Reading[]>;

  async siteBuckets(q: SiteBucketQuery): Promise<SeriesBucket[]> {
    return siteBucketsOf(await this.siteReadings(q), q);
  }

  sitesReadings(s: SitesSelector): Promise<Reading[]> {
    return sitesReadingsOf(this, s);
  }

  sitesBuckets(q: SitesBucketQuery): Promise<SiteSeriesBucket[]> {
    return sitesBucketsOf(this, q);
  }

  sitesLatest(sites: readonly string[]): Promise<SiteLatestValue[]> {
    return sitesLatestOf(this, sites);
  }

  sitesReadingsAtOrBefore(s: { sites: readonly string[]; atMs: number }): Promise<Reading[]> {
    return sitesReadingsAtOrBeforeOf(this, s);
  }
}
