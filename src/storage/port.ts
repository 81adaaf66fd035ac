import type { QuantityName } from '../config/quantities.js';
import type { Reading } from '../model/reading.js';

/**
 * The storage port. Ingest only writes; analytics and the API only query.
 * Neither knows which database is behind it (DuckDB embedded, or InfluxDB v1 API).
 */
export interface ReadingWriter {
  /**
   * Stores the readings. Resolves only once they are durable (committed by the
   * database); rejects if they are not. Idempotent: a reading whose identity
   * (site, device, quantity, tsMs) is already stored is stored once, the later value winning.
   */
  write(readings: readonly Reading[]): Promise<void>;
}

/** Bucket widths both stores can align the same way. `1d` buckets are local days of `timezone`. */
export const BUCKET_WIDTHS = ['1m', '5m', '10m', '15m', '30m', '1h', '1d'] as const;
export type BucketWidth = (typeof BUCKET_WIDTHS)[number];

export const BUCKET_WIDTH_MS: Record<BucketWidth, number> = {
  '1m': 60_000,
  '5m': 300_000,
  '10m': 600_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

export interface SeriesSelector {
  site: string;
  device: string;
  quantity: QuantityName;
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
}

export interface SiteSelector {
  site: string;
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
}

export type SubDayWidth = Exclude<BucketWidth, '1d'>;

export interface SiteBucketQuery extends SiteSelector {
  every: SubDayWidth;
}

/** Several sites at once: `SiteSelector` with a list of sites. */
export interface SitesSelector {
  sites: readonly string[];
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
}

export interface SitesBucketQuery extends SitesSelector {
  every: SubDayWidth;
}

export interface BucketQuery extends SeriesSelector {
  every: BucketWidth;
  /** IANA zone in which `1d` buckets start at local midnight (23 and 25 hour days included). */
  timezone: string;
}

/** Aggregates of the readings whose timestamps fall in [startMs, next bucket start). Empty buckets are omitted. */
export interface Bucket {
  startMs: number;
  count: number;
  mean: number;
  min: number;
  max: number;
  /** Value of the earliest reading in the bucket. */
  first: number;
  /** Value of the latest reading in the bucket. */
  last: number;
}

export interface SeriesBucket extends Bucket {
  device: string;
  quantity: QuantityName;
}

export interface SiteSeriesBucket extends SeriesBucket {
  site: string;
}

export interface LatestValue {
  device: string;
  quantity: QuantityName;
  tsMs: number;
  value: number;
}

export interface SiteLatestValue extends LatestValue {
  site: string;
}

export interface ReadingQuery {
  /** Last value and timestamp of every (device, quantity) of a site. */
  latest(site: string): Promise<LatestValue[]>;
  /** `latest` of several sites in one query, each value with its site, grouped by site (see `sitesReadings`). */
  sitesLatest(sites: readonly string[]): Promise<SiteLatestValue[]>;
  /** Readings in time order. */
  readings(selector: SeriesSelector): Promise<Reading[]>;
  /**
   * Every reading of every series of a site in [fromMs, toMs), ordered by device, quantity, then
   * time: one query where `readings` would take one per series (the rules' cycle reads what is
   * new this way, src/rules/series-cache.ts).
   */
  siteReadings(selector: SiteSelector): Promise<Reading[]>;
  /**
   * `siteReadings` of several sites in one query, grouped by site, each site's readings ordered as
   * `siteReadings` orders them: a rules cycle brings all its sites' cached series up to date with
   * it (100 sites read one by one were 100 scans of the same newest row group, about 5 ms each on
   * DuckDB, against about 60 ms for all of them at once; bench:rules-cycle).
   */
  sitesReadings(selector: SitesSelector): Promise<Reading[]>;
  /** The last reading at or before `atMs` of every series of a site (readingAtOrBefore for all of them, in one query). */
  siteReadingsAtOrBefore(selector: { site: string; atMs: number }): Promise<Reading[]>;
  /**
   * `siteReadingsAtOrBefore` of several sites in one query, grouped by site: each one-site call is a
   * scan of the site's whole history (50-90 ms on DuckDB with four weeks of 100 sites), the same
   * scan whatever the number of sites (bench:rules-cycle, first minute cycle).
   */
  sitesReadingsAtOrBefore(selector: { sites: readonly string[]; atMs: number }): Promise<Reading[]>;
  /** Time-ordered buckets. */
  buckets(query: BucketQuery): Promise<Bucket[]>;
  /**
   * Sub-day buckets (epoch-aligned, as `buckets` aligns them) of every series of a site, ordered
   * by device, quantity, then time: one query where `buckets` would take one per series.
   */
  siteBuckets(query: SiteBucketQuery): Promise<SeriesBucket[]>;
  /** `siteBuckets` of several sites in one query, each bucket with its site, grouped by site (see `sitesReadings`). */
  sitesBuckets(query: SitesBucketQuery): Promise<SiteSeriesBucket[]>;
  /** The last reading at or before `atMs`, if any: the index a consumption is counted from. */
  readingAtOrBefore(selector: Omit<SeriesSelector, 'fromMs' | 'toMs'> & { atMs: number }): Promise<Reading | null>;
  /** Number of stored readings (for tests, health and benchmarks). */
  count(selector?: Partial<Pick<SeriesSelector, 'site' | 'device' | 'quantity'>>): Promise<number>;
}

export interface StoreHealth {
  ok: boolean;
  kind: 'duckdb' | 'influxdb';
  detail?: string;
  lastReadingMs: number | null;
}

/**
 * One part of a rollup kept in the store: what the analytics derived from the readings (a local
 * day's hourly consumption of one meter, a day's temperatures, a fitted baseline), so that a
 * restarted service reads it instead of a year of raw readings (issue 13, point 6). The store
 * only keeps it: `mark` says what it was computed from (the readings' marks, see
 * src/energy/rollups.ts), and the analytics use a part only when its mark still matches.
 */
export interface RollupPart {
  /** Which part of the rollup: a local date, or a fixed name such as `header`. */
  part: string;
  /** Epoch ms of the instant the part summarises (its day's start): it lives and expires with the readings of then. */
  atMs: number;
  /** What the part was computed from; opaque to the store. */
  mark: string;
  /** The derived figures, serialized by the analytics; opaque to the store. */
  payload: string;
}

export interface DayMark {
  /** The local midnight the day starts at, epoch ms. */
  startMs: number;
  count: number;
  mark: string;
}

/** The rollups of one site asked for by `sitesRollups`. */
export interface SiteRollupNames {
  site: string;
  names: readonly string[];
}

/**
 * Rollups, kept apart from the readings (a table of its own in the DuckDB file, a measurement
 * of its own in InfluxDB): never returned by a reading query, never counted as a reading.
 */
export interface RollupStore {
  /**
   * For each local day of `timezone` with readings of the series in [fromMs, toMs), a mark that
   * changes when a reading of that day is added or its value replaced: what a rollup records it
   * was computed from. The same readings give the same mark on every call (deterministic: no
   * floating-point sum whose order the database may vary).
   */
  dayMarks(query: Omit<BucketQuery, 'every'>): Promise<DayMark[]>;
  /**
   * One mark of all the readings of the series in [fromMs, toMs), cheaper than its day marks: a
   * rollup still valid is recognised by it alone, and the day marks are read only when it changed
   * (to find the days to compute again). Deterministic like dayMarks, and it changes whenever a
   * reading is added or its value replaced (up to what each store's doc comment says it cannot see).
   */
  seriesMark(selector: SeriesSelector): Promise<string>;
  /**
   * `seriesMark` of several series at once, in the order asked (each the very mark `seriesMark`
   * gives): a cold comparison checks two series per site, and one store call per series was most
   * of its time on InfluxDB (80 HTTP round trips for 20 sites, api-cold-profile, 2026-12-01).
   */
  seriesMarks(selectors: readonly SeriesSelector[]): Promise<string[]>;
  /** Every stored part of the named rollups of a site (one query whatever the number of names). */
  rollups(site: string, names: readonly string[]): Promise<Array<RollupPart & { name: string }>>;
  /** `rollups` of several sites at once, each part with its site (one or a few store calls whatever the number of sites). */
  sitesRollups(requests: readonly SiteRollupNames[]): Promise<Array<RollupPart & { site: string; name: string }>>;
  /** Stores the parts (a part already stored under the same site, name and part is replaced); resolves once durable. */
  putRollups(site: string, name: string, parts: readonly RollupPart[]): Promise<void>;
}

/** A database adapter: both ports plus a lifecycle. */
export interface ReadingStore extends ReadingWriter, ReadingQuery, RollupStore {
  readonly kind: 'duckdb' | 'influxdb';
  start(): Promise<void>;
  /** Safe to call twice. */
  stop(): Promise<void>;
  health(): Promise<StoreHealth>;
}
