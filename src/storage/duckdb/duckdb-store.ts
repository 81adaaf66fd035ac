import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOLEAN, DOUBLE, DuckDBInstance, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Reading } from '../../model/reading.js';
import type { Logger } from '../../observability/logger.js';
import { StoreUnavailableError } from '../errors.js';
import type { Bucket, BucketQuery, DayMark, LatestValue, ReadingStore, RollupPart, SeriesBucket, SeriesSelector, SiteBucketQuery, SiteLatestValue, SiteRollupNames, SiteSelector, SitesBucketQuery, SiteSeriesBucket, SitesSelector, StoreHealth } from '../port.js';
import { connectionColumnReader, connectionReader, DuckDbQueries } from './duckdb-queries.js';
import { CREATE_ROLLUPS, CREATE_ROLLUPS_INDEX, CREATE_ROLLUPS_STAGING, readDayMarks, readRollups, readSeriesMark, readSeriesMarks, readSitesRollups, writeRollups } from './rollup-table.js';
import { CREATE_READINGS, CREATE_STAGING, DELETE_REPLACED, INSERT_STAGED, READINGS_TABLE, STAGING_TABLE } from './schema.js';
import { lastWins, stagingChunks, timeSpan } from './staging.js';
import { SerialQueue } from './serial-queue.js';
import { SeriesHighWater } from './series-high-water.js';
import { tsParam } from './sql-values.js';
// Apart from the schema import above: the list insert of small batches (see LIST_INSERT_MAX_READINGS).
import { INSERT_LISTS } from './schema.js';

/** Newest stored timestamp of every series: one grouped scan at start (~0.1-0.3 s per million rows). */
async function loadHighWater(connection: DuckDBConnection): Promise<SeriesHighWater> {
  const highWater = new SeriesHighWater();
  const result = await connection.runAndReadAll(`SELECT site, device, quantity, epoch_ms(max(ts)) AS ts_ms FROM ${READINGS_TABLE} GROUP BY site, device, quantity`);
  for (const row of result.getRowObjects()) {
    highWater.seed({ site: String(row.site), device: String(row.device), quantity: String(row.quantity) as Reading['quantity'] }, Number(row.ts_ms));
  }
  return highWater;
}

export interface DuckDbStoreOptions {
  /** DATA_DIR: created if missing; the database file lives inside it. */
  dataDir: string;
  /** Defaults to `readings.duckdb`. */
  fileName?: string;
  logger?: Logger;
}

interface Open {
  instance: DuckDBInstance;
  writer: DuckDBConnection;
  /** INSERT_LISTS, prepared once on the writer. */
  insertLists: DuckDBPreparedStatement;
  /** One per READ_CONNECTIONS, each with its own queue in `reads`. */
  readers: DuckDBConnection[];
}

/**
 * Queries run on two connections, taken in turn: a connection runs one statement at a time, and
 * the overview's 40-odd small queries for 20 sites (latest values, today's series) queued on one
 * were most of its load time (bench:api, 2026-12-01). Two, for the machine's two cores.
 */
const READ_CONNECTIONS = 2;

/**
 * Largest batch written by INSERT_LISTS (schema.ts) rather than through the staging table: live
 * ingest's batches are a few to a few hundred readings. Binding lists costs the calling thread
 * ~20 µs per reading under load (5,000 readings: ~100 ms, write-sync-probe), where the appender
 * fills 5,000 in ~10 ms: imports and spool replays keep the appender.
 */
const LIST_INSERT_MAX_READINGS = 256;
const LIST_TYPES = [LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR), LIST(DOUBLE), LIST(DOUBLE), LIST(BOOLEAN)];

/**
 * The embedded store: one DuckDB file in DATA_DIR. Writes go through one connection,
 * one batch at a time (see SerialQueue); queries use a second connection so a long
 * aggregate never holds up ingest. DuckDB writes the WAL and syncs it at COMMIT, so a
 * resolved write() survives a crash.
 */
export class DuckDbStore implements ReadingStore {
  readonly kind = 'duckdb' as const;
  private open: Open | null = null;
  private stopping: Promise<void> | null = null;
  private readonly writes = new SerialQueue();
  private readonly reads = Array.from({ length: READ_CONNECTIONS }, () => new SerialQueue());
  private nextRead = 0;
  private highWater = new SeriesHighWater();
  private readonly queries: DuckDbQueries;
  private readonly log: Logger | undefined;

  constructor(private readonly options: DuckDbStoreOptions) {
    this.log = options.logger?.child({ module: 'duckdb-store' });
    this.queries = new DuckDbQueries(
      (sql, params) => this.onReader((reader) => connectionReader(reader)(sql, params)),
      (sql, params) => this.onReader((reader) => connectionColumnReader(reader)(sql, params)),
    );
  }

  get path(): string {
    return join(this.options.dataDir, this.options.fileName ?? 'readings.duckdb');
  }

  async start(): Promise<void> {
    if (this.open) return;
    let instance: DuckDBInstance;
    try {
      await mkdir(this.options.dataDir, { recursive: true });
      // No TimeZone setting needed: every query converts explicitly (epoch_ms, timezone()).
      instance = await DuckDBInstance.create(this.path);
    } catch (error) {
      // E.g. DATA_DIR not writable, or the file locked by another process (DuckDB allows one writer process).
      throw new StoreUnavailableError(`cannot open DuckDB file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const writer = await instance.connect();
      await writer.run(CREATE_READINGS);
      await writer.run(CREATE_STAGING);
      await writer.run(CREATE_ROLLUPS);
      await writer.run(CREATE_ROLLUPS_INDEX);
      await writer.run(CREATE_ROLLUPS_STAGING);
      const readers: DuckDBConnection[] = [];
      for (let i = 0; i < READ_CONNECTIONS; i++) readers.push(await instance.connect());
      this.highWater = await loadHighWater(writer);
      const insertLists = await writer.prepare(INSERT_LISTS);
      this.open = { instance, writer, insertLists, readers };
    } catch (error) {
      instance.closeSync();
      throw new StoreUnavailableError(`cannot prepare DuckDB file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    this.log?.info({ path: this.path }, 'duckdb store started');
  }

  stop(): Promise<void> {
    if (!this.open) return Promise.resolve();
    this.stopping ??= this.close(this.open);
    return this.stopping;
  }

  private async close(open: Open): Promise<void> {
    // Let queued writes finish: they were accepted and their callers wait on a commit.
    // New ones are refused meanwhile (see write()).
    await this.writes.drain();
    await Promise.all(this.reads.map((q) => q.drain()));
    try {
      // Fold the WAL into the file so the next open (or another process) starts clean.
      await open.writer.run('CHECKPOINT');
    } catch (error) {
      this.log?.warn({ err: error }, 'checkpoint at stop failed; the WAL will be replayed on next open');
    }
    for (const reader of open.readers) reader.closeSync();
    open.insertLists.destroySync();
    open.writer.closeSync();
    open.instance.closeSync();
    this.open = null;
    this.stopping = null;
    this.log?.info({ path: this.path }, 'duckdb store stopped');
  }

  write(readings: readonly Reading[]): Promise<void> {
    if (!this.open || this.stopping) return Promise.reject(new StoreUnavailableError('DuckDB store is not started or is stopping'));
    if (readings.length === 0) return Promise.resolve();
    return this.writes.run(async () => {
      const { writer, insertLists } = this.connections();
      try {
        await this.writeBatch(writer, insertLists, readings);
      } catch (error) {
        await writer.run('ROLLBACK').catch(() => undefined);
        throw new StoreUnavailableError(`DuckDB write of ${readings.length} readings failed: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  private async writeBatch(writer: DuckDBConnection, insertLists: DuckDBPreparedStatement, batch: readonly Reading[]): Promise<void> {
    const readings = lastWins(batch);
    const mayReplace = this.highWater.mayReplace(readings);
    if (!mayReplace && readings.length <= LIST_INSERT_MAX_READINGS) {
      this.highWater.record(readings);
      insertLists.bind(
        [
          listValue(readings.map((r) => r.site)),
          listValue(readings.map((r) => r.device)),
          listValue(readings.map((r) => r.quantity)),
          listValue(readings.map((r) => r.tsMs)),
          listValue(readings.map((r) => r.value)),
          listValue(readings.map((r) => r.tsFromServer === true)),
        ],
        LIST_TYPES,
      );
      await insertLists.run();
      return;
    }
    await writer.run(`DELETE FROM ${STAGING_TABLE}`);
    const appender = await writer.createAppender(STAGING_TABLE);
    try {
      for (const chunk of stagingChunks(readings)) appender.appendDataChunk(chunk);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    this.highWater.record(readings);
    await writer.run('BEGIN TRANSACTION');
    if (mayReplace) {
      const { fromMs, toMs } = timeSpan(readings);
      await writer.run(DELETE_REPLACED, [tsParam(fromMs), tsParam(toMs)]);
    }
    await writer.run(INSERT_STAGED);
    await writer.run('COMMIT');
  }

  putRollups(site: string, name: string, parts: readonly RollupPart[]): Promise<void> {
    if (!this.open || this.stopping) return Promise.reject(new StoreUnavailableError('DuckDB store is not started or is stopping'));
    if (parts.length === 0) return Promise.resolve();
    return this.writes.run(async () => {
      const { writer } = this.connections();
      try {
        await writeRollups(writer, site, name, parts);
      } catch (error) {
        await writer.run('ROLLBACK').catch(() => undefined);
        throw new StoreUnavailableError(`DuckDB write of ${parts.length} rollup parts failed: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  dayMarks(query: Omit<BucketQuery, 'every'>): Promise<DayMark[]> {
    return this.onReader((reader) => readDayMarks(connectionReader(reader), query));
  }

  seriesMark(selector: SeriesSelector): Promise<string> {
    return this.onReader((reader) => readSeriesMark(connectionReader(reader), selector));
  }

  seriesMarks(selectors: readonly SeriesSelector[]): Promise<string[]> {
    if (selectors.length === 0) return Promise.resolve([]);
    return this.onReader((reader) => readSeriesMarks(connectionReader(reader), selectors));
  }

  rollups(site: string, names: readonly string[]): Promise<Array<RollupPart & { name: string }>> {
    return this.onReader((reader) => readRollups(connectionReader(reader), site, names));
  }

  sitesRollups(requests: readonly SiteRollupNames[]): Promise<Array<RollupPart & { site: string; name: string }>> {
    if (requests.every((r) => r.names.length === 0)) return Promise.resolve([]);
    return this.onReader((reader) => readSitesRollups(connectionReader(reader), requests));
  }

  latest(site: string): Promise<LatestValue[]> {
    return this.queries.latest(site);
  }

  sitesLatest(sites: readonly string[]): Promise<SiteLatestValue[]> {
    return this.queries.sitesLatest(sites);
  }

  sitesReadingsAtOrBefore(selector: { sites: readonly string[]; atMs: number }): Promise<Reading[]> {
    return this.queries.sitesReadingsAtOrBefore(selector);
  }

  readings(selector: SeriesSelector): Promise<Reading[]> {
    return this.queries.readings(selector);
  }

  siteReadings(selector: SiteSelector): Promise<Reading[]> {
    return this.queries.siteReadings(selector);
  }

  sitesReadings(selector: SitesSelector): Promise<Reading[]> {
    return this.queries.sitesReadings(selector);
  }

  siteReadingsAtOrBefore(selector: { site: string; atMs: number }): Promise<Reading[]> {
    return this.queries.siteReadingsAtOrBefore(selector);
  }

  siteBuckets(query: SiteBucketQuery): Promise<SeriesBucket[]> {
    return this.queries.siteBuckets(query);
  }

  sitesBuckets(query: SitesBucketQuery): Promise<SiteSeriesBucket[]> {
    return this.queries.sitesBuckets(query);
  }

  buckets(query: BucketQuery): Promise<Bucket[]> {
    return this.queries.buckets(query);
  }

  readingAtOrBefore(selector: Omit<SeriesSelector, 'fromMs' | 'toMs'> & { atMs: number }): Promise<Reading | null> {
    return this.queries.readingAtOrBefore(selector);
  }

  count(selector?: Partial<Pick<SeriesSelector, 'site' | 'device' | 'quantity'>>): Promise<number> {
    return this.queries.count(selector);
  }

  async health(): Promise<StoreHealth> {
    if (!this.open) return { ok: false, kind: this.kind, detail: 'not started', lastReadingMs: null };
    try {
      return { ok: true, kind: this.kind, lastReadingMs: await this.queries.lastReadingMs() };
    } catch (error) {
      return { ok: false, kind: this.kind, detail: (error as Error).message, lastReadingMs: null };
    }
  }

  /** Runs a query on the next read connection in turn, after what is queued on it. */
  private onReader<T>(job: (reader: () => DuckDBConnection) => Promise<T>): Promise<T> {
    // Refused once stopping: a read queued after close() drained the readers would run while
    // their connections are closed under it (a native crash; seen when background analytics
    // rollups read while a test closed the store).
    if (!this.open || this.stopping) return Promise.reject(new StoreUnavailableError('DuckDB store is not started or is stopping'));
    const i = this.nextRead;
    this.nextRead = (i + 1) % READ_CONNECTIONS;
    return this.reads[i]!.run(() => job(() => this.connections().readers[i]!));
  }

  private connections(): Open {
    if (!this.open) throw new StoreUnavailableError('DuckDB store is not started');
    return this.open;
  }
}
