import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { isQuantityName, type QuantityName } from '../../config/quantities.js';
import type { Reading } from '../../model/reading.js';
import { BUCKET_WIDTH_MS, type Bucket, type BucketQuery, type LatestValue, type ReadingQuery, type SiteLatestValue, type SeriesBucket, type SeriesSelector, type SiteBucketQuery, type SiteSelector, type SitesBucketQuery, type SiteSeriesBucket, type SitesSelector } from '../port.js';
import { bucketSql, SITES_SUB_DAY_SQL } from './bucket-sql.js';
import { READINGS_TABLE } from './schema.js';
import { toNumber, tsParam } from './sql-values.js';

type Row = Record<string, unknown>;

/** Runs one read-only statement with bound parameters and returns its rows. */
export type RowReader = (sql: string, params: DuckDBValue[]) => Promise<Row[]>;

export function connectionReader(connection: () => DuckDBConnection): RowReader {
  return async (sql, params) => (await connection().runAndReadAll(sql, params)).getRowObjects() as Row[];
}

/** Runs one read-only statement and returns its columns by name: no object per row. */
export type ColumnReader = (sql: string, params: DuckDBValue[]) => Promise<Record<string, unknown[]>>;

export function connectionColumnReader(connection: () => DuckDBConnection): ColumnReader {
  return async (sql, params) => (await connection().runAndReadAll(sql, params)).getColumnsObject() as Record<string, unknown[]>;
}

function quantityOf(value: unknown): QuantityName {
  const name = String(value);
  // Only this store writes the table, from typed Readings; anything else is corruption.
  if (!isQuantityName(name)) throw new Error(`unknown quantity in store: ${name}`);
  return name;
}

function toReading(site: string, device: string, quantity: QuantityName, row: Row): Reading {
  return { site, device, quantity, tsMs: toNumber(row.ts_ms), value: toNumber(row.value), tsFromServer: row.ts_from_server === true };
}

function toBucket(row: Row): Bucket {
  return {
    startMs: toNumber(row.start_ms),
    count: toNumber(row.n),
    mean: toNumber(row.mean),
    min: toNumber(row.min),
    max: toNumber(row.max),
    first: toNumber(row.first),
    last: toNumber(row.last),
  };
}

/** ReadingQuery over the `readings` table: every value bound as a parameter. */
export class DuckDbQueries implements ReadingQuery {
  constructor(
    private readonly read: RowReader,
    private readonly readColumns: ColumnReader,
  ) {}

  async latest(site: string): Promise<LatestValue[]> {
    return (await this.sitesLatest([site])).map(({ site: _site, ...l }) => l);
  }

  async sitesLatest(sites: readonly string[]): Promise<SiteLatestValue[]> {
    if (sites.length === 0) return [];
    const rows = await this.read(
      `SELECT site, device, quantity, epoch_ms(max(ts)) AS ts_ms, arg_max(value, ts) AS value
       FROM ${READINGS_TABLE} WHERE site IN (SELECT unnest($1::VARCHAR[])) GROUP BY site, device, quantity ORDER BY site, device, quantity`,
      [listValue([...sites])],
    );
    return rows.map((row) => ({ site: String(row.site), device: String(row.device), quantity: quantityOf(row.quantity), tsMs: toNumber(row.ts_ms), value: toNumber(row.value) }));
  }

  /**
   * Read by columns, the time as a DOUBLE of epoch ms (exact: integers below 2^53): a year of hourly
   * readings per series took 15-20 ms as row objects of BIGINTs, about half as columns (bench:api,
   * 2026-12-01), and the analytics read two such series per site for a comparison.
   */
  async readings(s: SeriesSelector): Promise<Reading[]> {
    const cols = await this.readColumns(
      `SELECT epoch_ms(ts)::DOUBLE AS ts_ms, value, ts_from_server FROM ${READINGS_TABLE}
       WHERE site = $1 AND device = $2 AND quantity = $3 AND ts >= $4 AND ts < $5 ORDER BY ts`,
      [s.site, s.device, s.quantity, tsParam(s.fromMs), tsParam(s.toMs)],
    );
    const ts = cols.ts_ms ?? [];
    const values = cols.value ?? [];
    const fromServer = cols.ts_from_server ?? [];
    const out: Reading[] = new Array(ts.length);
    for (let i = 0; i < ts.length; i++) {
      out[i] = { site: s.site, device: s.device, quantity: s.quantity, tsMs: toNumber(ts[i]), value: toNumber(values[i]), tsFromServer: fromServer[i] === true };
    }
    return out;
  }

  siteReadings(s: SiteSelector): Promise<Reading[]> {
    return this.sitesReadings({ sites: [s.site], fromMs: s.fromMs, toMs: s.toMs });
  }

  /**
   * Read by columns, as `readings`: a cold rules cycle reads a day of every series of 100 sites
   * this way, and row objects (a generic visit per value) were most of its main-thread time.
   */
  async sitesReadings(s: SitesSelector): Promise<Reading[]> {
    if (s.sites.length === 0) return [];
    const cols = await this.readColumns(
      `SELECT site, device, quantity, epoch_ms(ts)::DOUBLE AS ts_ms, value, ts_from_server FROM ${READINGS_TABLE}
       WHERE site IN (SELECT unnest($1::VARCHAR[])) AND ts >= $2 AND ts < $3 ORDER BY site, device, quantity, ts`,
      [listValue([...s.sites]), tsParam(s.fromMs), tsParam(s.toMs)],
    );
    const { site = [], device = [], quantity = [], ts_ms: ts = [], value = [], ts_from_server: fromServer = [] } = cols;
    const out: Reading[] = new Array(ts.length);
    let lastQuantity: unknown = undefined;
    let q: QuantityName = 'energy_kwh';
    for (let i = 0; i < ts.length; i++) {
      // Checked once per run of one quantity (the rows are grouped by series).
      if (quantity[i] !== lastQuantity) q = quantityOf((lastQuantity = quantity[i]));
      out[i] = { site: String(site[i]), device: String(device[i]), quantity: q, tsMs: toNumber(ts[i]), value: toNumber(value[i]), tsFromServer: fromServer[i] === true };
    }
    return out;
  }

  async buckets(q: BucketQuery): Promise<Bucket[]> {
    const { sql, sixth } = bucketSql(q.every, q.fromMs);
    const rows = await this.read(sql, [q.site, q.device, q.quantity, tsParam(q.fromMs), tsParam(q.toMs), sixth(q.timezone)]);
    return rows.map(toBucket);
  }

  siteReadingsAtOrBefore(s: { site: string; atMs: number }): Promise<Reading[]> {
    return this.sitesReadingsAtOrBefore({ sites: [s.site], atMs: s.atMs });
  }

  async sitesReadingsAtOrBefore(s: { sites: readonly string[]; atMs: number }): Promise<Reading[]> {
    if (s.sites.length === 0) return [];
    const rows = await this.read(
      `SELECT site, device, quantity, epoch_ms(max(ts)) AS ts_ms, arg_max(value, ts) AS value, arg_max(ts_from_server, ts) AS ts_from_server
       FROM ${READINGS_TABLE} WHERE site IN (SELECT unnest($1::VARCHAR[])) AND ts <= $2 GROUP BY site, device, quantity ORDER BY site, device, quantity`,
      [listValue([...s.sites]), tsParam(s.atMs)],
    );
    return rows.map((row) => toReading(String(row.site), String(row.device), quantityOf(row.quantity), row));
  }

  async siteBuckets(q: SiteBucketQuery): Promise<SeriesBucket[]> {
    return (await this.sitesBuckets({ sites: [q.site], fromMs: q.fromMs, toMs: q.toMs, every: q.every })).map(({ site: _site, ...b }) => b);
  }

  /** Read by columns (see sitesReadings): a cold cycle's fill is a week of hourly buckets of every series. */
  async sitesBuckets(q: SitesBucketQuery): Promise<SiteSeriesBucket[]> {
    if (q.sites.length === 0) return [];
    const cols = await this.readColumns(SITES_SUB_DAY_SQL, [listValue([...q.sites]), tsParam(q.fromMs), tsParam(q.toMs), BigInt(BUCKET_WIDTH_MS[q.every])]);
    const { site = [], device = [], quantity = [], start_ms: start = [], n = [], mean = [], min = [], max = [], first = [], last = [] } = cols;
    const out: SiteSeriesBucket[] = new Array(start.length);
    let lastQuantity: unknown = undefined;
    let quantityName: QuantityName = 'energy_kwh';
    for (let i = 0; i < start.length; i++) {
      if (quantity[i] !== lastQuantity) quantityName = quantityOf((lastQuantity = quantity[i]));
      out[i] = {
        site: String(site[i]), device: String(device[i]), quantity: quantityName,
        startMs: toNumber(start[i]), count: toNumber(n[i]), mean: toNumber(mean[i]), min: toNumber(min[i]), max: toNumber(max[i]), first: toNumber(first[i]), last: toNumber(last[i]),
      };
    }
    return out;
  }

  async readingAtOrBefore(s: Omit<SeriesSelector, 'fromMs' | 'toMs'> & { atMs: number }): Promise<Reading | null> {
    const rows = await this.read(
      `SELECT epoch_ms(ts) AS ts_ms, value, ts_from_server FROM ${READINGS_TABLE}
       WHERE site = $1 AND device = $2 AND quantity = $3 AND ts <= $4 ORDER BY ts DESC LIMIT 1`,
      [s.site, s.device, s.quantity, tsParam(s.atMs)],
    );
    const row = rows[0];
    return row ? toReading(s.site, s.device, s.quantity, row) : null;
  }

  async count(s: Partial<Pick<SeriesSelector, 'site' | 'device' | 'quantity'>> = {}): Promise<number> {
    // A NULL parameter means "any": one fixed statement text whatever the filter.
    const rows = await this.read(
      `SELECT count(*) AS n FROM ${READINGS_TABLE}
       WHERE ($1::VARCHAR IS NULL OR site = $1) AND ($2::VARCHAR IS NULL OR device = $2) AND ($3::VARCHAR IS NULL OR quantity = $3)`,
      [s.site ?? null, s.device ?? null, s.quantity ?? null],
    );
    return toNumber(rows[0]?.n);
  }

  /** Timestamp of the most recent reading of any series, or null when the store is empty. */
  async lastReadingMs(): Promise<number | null> {
    const rows = await this.read(`SELECT epoch_ms(max(ts)) AS ts_ms FROM ${READINGS_TABLE}`, []);
    const value = rows[0]?.ts_ms;
    return value === null || value === undefined ? null : toNumber(value);
  }
}
