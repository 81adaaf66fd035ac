import type { Reading } from '../../model/reading.js';
import type { Logger } from '../../observability/logger.js';
import { StoreRejectedError, StoreUnavailableError } from '../errors.js';
import type { Bucket, BucketQuery, DayMark, LatestValue, ReadingStore, RollupPart, SeriesBucket, SeriesSelector, SiteBucketQuery, SiteLatestValue, SiteRollupNames, SiteSelector, SitesBucketQuery, SiteSeriesBucket, SitesSelector, StoreHealth } from '../port.js';
import { IdentityIndex } from './identity-index.js';
import { InfluxHttp, seriesRows, type InfluxStatementResult } from './influx-http.js';
import { InfluxQueries } from './influx-queries.js';
import { quoteIdent } from './influxql.js';
import { encodeReadings } from './line-protocol.js';
import { InfluxSchemaMissingError } from './write-errors.js';
import { goDurationMs, retentionMs, type InfluxStoreOptions } from './options.js';
import { MEASUREMENT, NAMED_RETENTION_POLICY } from './schema.js';
import { ROLLUP_MEASUREMENT, rollupLines, rollupQuery, rollupRows, seriesMarkOf, seriesMarkQuery } from './rollup-measurement.js';

/** Statements per POST /query at most (selectBatches): a long batch would run into the request timeout on one of InfluxDB's cores. */
const STATEMENTS_PER_CALL = 25;

/**
 * The InfluxDB store, over the v1 HTTP API only (/ping, /write, /query), so it works with
 * InfluxDB 1.x and with the v1-compatibility endpoints of 2.x/3.x. Schema: see schema.ts.
 * Holds no connection of its own: Node's global fetch pools keep-alive sockets.
 */
export class InfluxStore implements ReadingStore {
  readonly kind = 'influxdb' as const;
  private readonly http: InfluxHttp;
  private readonly queries: InfluxQueries;
  /**
   * The rollups live in a database of their own (`<database>_rollups`), never beside the readings:
   * SHOW MEASUREMENTS and SHOW SERIES of the readings' database stay what ingest made them, and a
   * retention policy of the same name and duration makes a day's rollup expire with its readings.
   */
  private readonly rollupDatabase: string;
  private readonly rollupsFrom: string;
  /** `"readings"` or `"rp"."readings"`. */
  private readonly readingsFrom: string;
  private readonly log: Logger | undefined;
  /** The named policy when retention is finite; undefined writes to the database's default policy. */
  private readonly retentionPolicy: string | undefined;
  private stopped = false;
  /** Creating (or having created) the database and retention policy; null when they must be checked again. */
  private provisioning: Promise<void> | null = null;
  /** Writes posted and not yet answered, in call order (see write()). */
  private readonly inFlight = new Set<{ identities: IdentityIndex; settled: Promise<void> }>();

  constructor(private readonly options: InfluxStoreOptions) {
    this.log = options.logger?.child({ module: 'influx-store' });
    this.http = new InfluxHttp({
      url: options.url,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    });
    this.retentionPolicy = options.retention === 'INF' ? undefined : NAMED_RETENTION_POLICY;
    const from = this.retentionPolicy ? `${quoteIdent(this.retentionPolicy)}.${quoteIdent(MEASUREMENT)}` : quoteIdent(MEASUREMENT);
    this.rollupDatabase = `${options.database}_rollups`;
    this.rollupsFrom = this.retentionPolicy ? `${quoteIdent(this.retentionPolicy)}.${quoteIdent(ROLLUP_MEASUREMENT)}` : quoteIdent(ROLLUP_MEASUREMENT);
    this.readingsFrom = from;
    this.queries = new InfluxQueries((q) => this.http.query(q, options.database), from, options.queryPageSize ?? 10_000);
  }

  /**
   * Pings, then creates the database and the retention policy when missing (needs admin rights
   * only then). When InfluxDB is down, this throws and the service starts all the same (readings
   * are spooled): the first write that reaches InfluxDB creates them then.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.provisioning = null; // check again on every start
    await this.provision();
    this.log?.info({ url: this.options.url, database: this.options.database, retention: this.options.retention }, 'influx store started');
  }

  /** Creates the schema once at a time; a failure leaves it to be tried again by the next write. */
  private provision(): Promise<void> {
    this.provisioning ??= this.createSchema().catch((err: unknown) => {
      this.provisioning = null;
      throw err;
    });
    return this.provisioning;
  }

  private async createSchema(): Promise<void> {
    const wantedMs = retentionMs(this.options.retention);
    await this.http.ping();
    const db = this.options.database;
    const databases = await this.http.query('SHOW DATABASES');
    const known = (databases.series?.[0]?.values ?? []).some((row) => row[0] === db);
    if (!known) {
      await this.http.query(`CREATE DATABASE ${quoteIdent(db)}`);
      this.log?.info({ database: db }, 'created InfluxDB database');
    }
    if (wantedMs !== null) await this.ensureRetentionPolicy(db, wantedMs);
    // The rollups' database: without the right to create it (a user with ALL on the readings'
    // database only), the analytics compute from the readings after each start, as without rollups.
    try {
      if (!(databases.series?.[0]?.values ?? []).some((row) => row[0] === this.rollupDatabase)) await this.http.query(`CREATE DATABASE ${quoteIdent(this.rollupDatabase)}`);
      if (wantedMs !== null) await this.ensureRetentionPolicy(this.rollupDatabase, wantedMs);
    } catch (err) {
      this.log?.warn({ err: err instanceof Error ? err.message : String(err), database: this.rollupDatabase }, 'cannot create the rollups database: analytics will read raw readings after each start');
    }
  }

  private async ensureRetentionPolicy(database: string, wantedMs: number): Promise<void> {
    const db = quoteIdent(database);
    const rp = quoteIdent(NAMED_RETENTION_POLICY);
    const duration = this.options.retention;
    const policies = await this.http.query(`SHOW RETENTION POLICIES ON ${db}`);
    const existing = (policies.series?.[0] ? seriesRows(policies.series[0]) : []).find((p) => p.name === NAMED_RETENTION_POLICY);
    if (!existing) {
      await this.http.query(`CREATE RETENTION POLICY ${rp} ON ${db} DURATION ${duration} REPLICATION 1`);
      this.log?.info({ retentionPolicy: NAMED_RETENTION_POLICY, duration }, 'created InfluxDB retention policy');
    } else if (goDurationMs(String(existing.duration)) !== wantedMs) {
      await this.http.query(`ALTER RETENTION POLICY ${rp} ON ${db} DURATION ${duration}`);
      this.log?.info({ retentionPolicy: NAMED_RETENTION_POLICY, duration, was: existing.duration }, 'altered InfluxDB retention policy');
    }
  }

  /** Nothing to close (no own sockets); later writes are refused as unavailable. Safe twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.log?.info('influx store stopped');
  }

  /**
   * Resolves once InfluxDB answered 204 for every line (it has then appended them to its WAL).
   * Readings that cannot be stored verbatim are not sent; they and any points InfluxDB
   * dropped are reported together in one StoreRejectedError after the rest was written.
   */
  async write(readings: readonly Reading[]): Promise<void> {
    if (this.stopped) throw new StoreUnavailableError('influx store is stopped');
    if (readings.length === 0) return;
    await this.provision(); // settled once the schema exists: no request
    // InfluxDB keeps whichever of two same-identity points it applies last, and two concurrent
    // requests may be applied in either order: a write that shares an identity with an earlier,
    // unanswered one waits for it, so the later call wins as the port promises. Writes of
    // different readings (the normal case) still overlap in time.
    const identities = new IdentityIndex(readings);
    const earlier = [...this.inFlight].filter((w) => w.identities.overlaps(identities)).map((w) => w.settled);
    let settle!: () => void;
    const entry = { identities, settled: new Promise<void>((resolve) => (settle = resolve)) };
    this.inFlight.add(entry);
    try {
      if (earlier.length > 0) await Promise.all(earlier);
      await this.post(readings, identities.lastOfEach());
    } finally {
      this.inFlight.delete(entry);
      settle();
    }
  }

  private async post(readings: readonly Reading[], unique: readonly Reading[]): Promise<void> {
    const { lines, refused } = encodeReadings(unique);
    const chunk = this.options.maxLinesPerRequest ?? 5_000;
    let dropped = 0;
    const reasons: string[] = [];
    for (let i = 0; i < lines.length; i += chunk) {
      try {
        await this.http.write(this.options.database, this.retentionPolicy, lines.slice(i, i + chunk));
      } catch (err) {
        if (err instanceof InfluxSchemaMissingError && this.provisioning) {
          this.provisioning = null;
          this.log?.warn({ err: err.message }, 'InfluxDB database or retention policy missing: it will be created again');
        }
        if (!(err instanceof StoreRejectedError)) throw err;
        dropped += err.rejectedCount;
        reasons.push(err.message);
      }
    }
    if (refused.length === 0 && dropped === 0) return;
    for (const { reading, reason } of refused.slice(0, 10)) reasons.push(`${JSON.stringify(reading.site)}/${JSON.stringify(reading.device)}: ${reason}`);
    const count = refused.length + dropped;
    this.log?.warn({ refused: refused.length, dropped, of: readings.length }, 'influx store rejected readings');
    // The refused readings are known; points InfluxDB dropped are not named by it.
    throw new StoreRejectedError(`${count} of ${readings.length} readings rejected: ${reasons.join('; ')}`, count, dropped === 0 ? refused.map((r) => r.reading) : undefined);
  }

  async putRollups(site: string, name: string, parts: readonly RollupPart[]): Promise<void> {
    if (this.stopped) throw new StoreUnavailableError('influx store is stopped');
    if (parts.length === 0) return;
    await this.provision();
    const lines = rollupLines(site, name, parts);
    const chunk = this.options.maxLinesPerRequest ?? 5_000;
    for (let i = 0; i < lines.length; i += chunk) await this.http.write(this.rollupDatabase, this.retentionPolicy, lines.slice(i, i + chunk));
  }

  /**
   * Day marks from the local-day buckets: count, mean, min, max, first and last. InfluxDB reads a
   * series' points in time order, so the same points give the same mean on every call; a reading
   * replaced by another value changes the mean unless the change is below its last bit.
   */
  async dayMarks(query: Omit<BucketQuery, 'every'>): Promise<DayMark[]> {
    const buckets = await this.queries.buckets({ ...query, every: '1d' });
    return buckets.map((b) => ({ startMs: b.startMs, count: b.count, mark: `${b.count}/${b.mean}/${b.min}/${b.max}/${b.first}/${b.last}` }));
  }

  async seriesMark(selector: SeriesSelector): Promise<string> {
    const q = seriesMarkQuery(this.readingsFrom, selector);
    return seriesMarkOf(q === null ? null : await this.http.query(q, this.options.database));
  }

  async seriesMarks(selectors: readonly SeriesSelector[]): Promise<string[]> {
    const results = await this.selectBatches(selectors.map((sel) => seriesMarkQuery(this.readingsFrom, sel)), this.options.database);
    return results.map(seriesMarkOf);
  }

  async rollups(site: string, names: readonly string[]): Promise<Array<RollupPart & { name: string }>> {
    if (names.length === 0) return [];
    return rollupRows(await this.http.query(rollupQuery(this.rollupsFrom, site, names), this.rollupDatabase));
  }

  async sitesRollups(requests: readonly SiteRollupNames[]): Promise<Array<RollupPart & { site: string; name: string }>> {
    const results = await this.selectBatches(requests.map((r) => (r.names.length === 0 ? null : rollupQuery(this.rollupsFrom, r.site, r.names))), this.rollupDatabase);
    return results.flatMap((result, i) => (result ? rollupRows(result).map((row) => ({ ...row, site: requests[i]!.site })) : []));
  }

  /**
   * The statements (null: nothing to ask, answered null) in batches of STATEMENTS_PER_CALL, the
   * batches sent at once: InfluxDB runs a batch's statements one after another, so two or more
   * batches keep both of its cores busy.
   */
  private async selectBatches(statements: ReadonlyArray<string | null>, database: string): Promise<Array<InfluxStatementResult | null>> {
    const asked = statements.flatMap((q, i) => (q === null ? [] : [{ q, i }]));
    const calls: Array<Promise<InfluxStatementResult[]>> = [];
    const per = Math.max(1, Math.min(STATEMENTS_PER_CALL, Math.ceil(asked.length / 2)));
    for (let k = 0; k < asked.length; k += per) calls.push(this.http.selects(asked.slice(k, k + per).map((a) => a.q), database));
    const answered = (await Promise.all(calls)).flat();
    const out: Array<InfluxStatementResult | null> = statements.map(() => null);
    asked.forEach((a, k) => (out[a.i] = answered[k]!));
    return out;
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
    try {
      await this.http.ping();
      return { ok: true, kind: this.kind, lastReadingMs: await this.queries.lastReadingMs() };
    } catch (err) {
      return { ok: false, kind: this.kind, detail: err instanceof Error ? err.message : String(err), lastReadingMs: null };
    }
  }
}
