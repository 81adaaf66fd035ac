import type { QuantityName } from '../../config/quantities.js';
import type { Reading } from '../../model/reading.js';
import { BUCKET_WIDTH_MS, type Bucket, type BucketQuery, type LatestValue, type ReadingQuery, type SiteLatestValue, type SeriesBucket, type SeriesSelector, type SiteBucketQuery, type SiteSelector, type SitesBucketQuery, type SiteSeriesBucket, type SitesSelector } from '../port.js';
import { seriesRows, type InfluxStatementResult } from './influx-http.js';
import { quoteIdent, quoteString, tagConditions, timeLiteral, tzClause, widthLiteral } from './influxql.js';
import { FIELD_TS_FROM_SERVER, FIELD_VALUE, tagValueProblem } from './schema.js';

export type RunQuery = (influxql: string) => Promise<InfluxStatementResult>;

type Tags = Partial<Pick<SeriesSelector, 'site' | 'device' | 'quantity'>>;

const VALUE = quoteIdent(FIELD_VALUE);
const TS_FROM_SERVER = quoteIdent(FIELD_TS_FROM_SERVER);

/** Sub-day bucket queries are cut into windows of this many buckets (aligned, so no bucket is split). */
const BUCKETS_PER_QUERY = 10_000;

/**
 * Up to this many readings per bucket asked for, sub-day buckets are aggregated here from the raw
 * points. InfluxDB 1.x runs one pass per aggregate over GROUP BY windows: for a year of hourly
 * readings grouped by 1h, the six aggregates took 490-610 ms, one aggregate 115-140 ms and the
 * raw points 70-90 ms (influxd 1.6.7, this machine, 2026-12-01). Dense series still aggregate in
 * InfluxDB, where fewer bytes come back.
 */
const RAW_POINTS_PER_BUCKET = 3;

/** Sites per query of `sitesReadings` and `sitesBuckets`: an OR of this many tag conditions. */
const SITES_PER_QUERY = 100;

/** How far back `sitesLatest` looks first: a device that reports at all has a reading within it. */
const LATEST_WINDOW = '2d';

/** A series' identity, for sets. */
function seriesName(site: string, device: string, quantity: string): string {
  return JSON.stringify([site, device, quantity]);
}

/**
 * The tags of a series key as SHOW SERIES prints it (`readings,device=a,quantity=power_w,site=b`),
 * where commas, spaces and equals signs in names are escaped with a backslash, and a backslash
 * before any other character is itself (line protocol: docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/#special-characters).
 */
function seriesKeyTags(key: string): Map<string, string> {
  const tags = new Map<string, string>();
  // The measurement first, then tag=value pairs; an unescaped `=` ends a tag's name.
  let part: { name: string; value: string | null } | null = null;
  const end = () => {
    if (part?.value != null) tags.set(part.name, part.value);
  };
  for (let i = 0; i < key.length; i++) {
    let c = key[i]!;
    const next = key[i + 1];
    const escaped = c === '\\' && (next === ',' || next === '=' || next === ' ');
    if (escaped) c = key[++i]!;
    if (!escaped && c === ',') {
      end();
      part = { name: '', value: null };
    } else if (part === null) continue;
    else if (!escaped && c === '=' && part.value === null) part.value = '';
    else if (part.value === null) part.name += c;
    else part.value += c;
  }
  end();
  return tags;
}

/** The sites that could have been written, in chunks of SITES_PER_QUERY, each as an InfluxQL condition. */
function siteConditions(sites: readonly string[]): string[] {
  const matchable = [...new Set(sites)].filter((site) => tagValueProblem(site) === null);
  const out: string[] = [];
  for (let i = 0; i < matchable.length; i += SITES_PER_QUERY) {
    out.push(`(${matchable.slice(i, i + SITES_PER_QUERY).map((site) => `${quoteIdent('site')} = ${quoteString(site)}`).join(' OR ')})`);
  }
  return out;
}

/** Groups kept in their order within a site, the sites one after another (InfluxDB orders series by their tag set, device first). */
function bySite<T>(groups: ReadonlyArray<{ site: string; items: T[] }>): T[] {
  const sites = new Map<string, T[][]>();
  for (const g of groups) {
    const list = sites.get(g.site);
    if (list) list.push(g.items);
    else sites.set(g.site, [g.items]);
  }
  return [...sites.values()].flat(2);
}

/** Epoch-aligned buckets from time-ordered readings, as GROUP BY time(width) fill(none) gives them. */
function bucketsOf(rows: readonly Reading[], widthMs: number): Bucket[] {
  const out: Bucket[] = [];
  let cur: Bucket | null = null;
  let sum = 0;
  for (const r of rows) {
    const startMs = Math.floor(r.tsMs / widthMs) * widthMs;
    if (cur === null || cur.startMs !== startMs) {
      if (cur !== null) out.push({ ...cur, mean: sum / cur.count });
      cur = { startMs, count: 0, mean: 0, min: r.value, max: r.value, first: r.value, last: r.value };
      sum = 0;
    }
    cur.count++;
    sum += r.value;
    if (r.value < cur.min) cur.min = r.value;
    if (r.value > cur.max) cur.max = r.value;
    cur.last = r.value;
  }
  if (cur !== null) out.push({ ...cur, mean: sum / cur.count });
  return out;
}

/**
 * ReadingQuery in InfluxQL. Tag values that could never have been written (see tagValueProblem)
 * match nothing, so they are answered without asking InfluxDB.
 */
export class InfluxQueries implements ReadingQuery {
  constructor(
    private readonly run: RunQuery,
    /** `"readings"` or `"rp"."readings"`. */
    private readonly from: string,
    private readonly pageSize: number,
  ) {}

  private where(tags: Tags, time: string[] = []): string {
    const conditions = [...tagConditions({ site: tags.site, device: tags.device, quantity: tags.quantity }), ...time];
    return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  }

  async latest(site: string): Promise<LatestValue[]> {
    return (await this.sitesLatest([site])).map(({ site: _site, ...l }) => l);
  }

  /**
   * last() over all time reads the newest block of each series in every shard (one a week under
   * the default retention policy): 92-123 ms for 20 site-years, against 6-18 ms for the last two
   * days and 4-9 ms for SHOW SERIES, which reads only the index (influxd 1.6.7, this machine,
   * 2026-12-01). So the recent window first, and all time only for the sites with a series the
   * window did not find: a device silent for weeks still shows its last reading.
   */
  async sitesLatest(sites: readonly string[]): Promise<SiteLatestValue[]> {
    const groups: Array<{ site: string; items: SiteLatestValue[] }> = [];
    for (const condition of siteConditions(sites)) {
      const [recent, known] = await Promise.all([
        this.lastOf(`${condition} AND time > now() - ${LATEST_WINDOW}`),
        this.run(`SHOW SERIES FROM ${this.from} WHERE ${condition}`),
      ]);
      const found = new Set(recent.flatMap((g) => g.items.map((l) => seriesName(l.site, l.device, l.quantity))));
      const older = new Set<string>();
      for (const row of known.series?.flatMap((s) => s.values) ?? []) {
        const tags = seriesKeyTags(String(row[0]));
        const site = tags.get('site');
        if (site !== undefined && !found.has(seriesName(site, tags.get('device') ?? '', tags.get('quantity') ?? ''))) older.add(site);
      }
      groups.push(...recent.filter((g) => !older.has(g.site)));
      for (const olderCondition of siteConditions([...older])) groups.push(...(await this.lastOf(olderCondition)));
    }
    return bySite(groups);
  }

  private async lastOf(condition: string): Promise<Array<{ site: string; items: SiteLatestValue[] }>> {
    const result = await this.run(`SELECT last(${VALUE}) FROM ${this.from} WHERE ${condition} GROUP BY "site", "device", "quantity"`);
    return (result.series ?? []).map((series) => {
      const site = series.tags?.site ?? '';
      return {
        site,
        items: seriesRows(series).map((row) => ({ site, device: series.tags?.device ?? '', quantity: (series.tags?.quantity ?? '') as QuantityName, tsMs: row.time as number, value: row.last as number })),
      };
    });
  }

  /** Keyset paging on time (one series, so timestamps are unique): no OFFSET scans, no row limit hit. */
  async readings(sel: SeriesSelector): Promise<Reading[]> {
    if (unmatchable(sel) || sel.fromMs >= sel.toMs) return [];
    const out: Reading[] = [];
    let lower = `time >= ${timeLiteral(sel.fromMs)}`;
    for (;;) {
      const q = `SELECT ${VALUE}, ${TS_FROM_SERVER} FROM ${this.from}${this.where(sel, [lower, `time < ${timeLiteral(sel.toMs)}`])} ORDER BY time ASC LIMIT ${this.pageSize}`;
      const rows = rowsOf(await this.run(q));
      out.push(...toReadings(sel, rows));
      const last = rows[rows.length - 1];
      if (rows.length < this.pageSize || !last) return out;
      lower = `time > ${timeLiteral(last.time as number)}`;
    }
  }

  siteReadings(sel: SiteSelector): Promise<Reading[]> {
    return this.sitesReadings({ sites: [sel.site], fromMs: sel.fromMs, toMs: sel.toMs });
  }

  /**
   * One query per SITES_PER_QUERY sites, GROUP BY the series tags (InfluxQL's LIMIT then applies
   * per series); a series that fills its page goes on with `readings`' keyset paging.
   */
  async sitesReadings(sel: SitesSelector): Promise<Reading[]> {
    if (sel.fromMs >= sel.toMs) return [];
    const time = `time >= ${timeLiteral(sel.fromMs)} AND time < ${timeLiteral(sel.toMs)}`;
    const groups: Array<{ site: string; items: Reading[] }> = [];
    for (const sites of siteConditions(sel.sites)) {
      const q = `SELECT ${VALUE}, ${TS_FROM_SERVER} FROM ${this.from} WHERE ${sites} AND ${time} GROUP BY "site", "device", "quantity" ORDER BY time ASC LIMIT ${this.pageSize}`;
      for (const series of (await this.run(q)).series ?? []) {
        const ref = { site: series.tags?.site ?? '', device: series.tags?.device ?? '', quantity: (series.tags?.quantity ?? '') as QuantityName };
        const rows = seriesRows(series);
        const readings = toReadings(ref, rows);
        const last = rows[rows.length - 1];
        if (rows.length >= this.pageSize && last) readings.push(...(await this.readings({ ...ref, fromMs: (last.time as number) + 1, toMs: sel.toMs })));
        groups.push({ site: ref.site, items: readings });
      }
    }
    return bySite(groups);
  }

  siteReadingsAtOrBefore(sel: { site: string; atMs: number }): Promise<Reading[]> {
    return this.sitesReadingsAtOrBefore({ sites: [sel.site], atMs: sel.atMs });
  }

  /** last() per series; the flag is read beside it, from the same point (a selector keeps its point's other fields). */
  async sitesReadingsAtOrBefore(sel: { sites: readonly string[]; atMs: number }): Promise<Reading[]> {
    const groups: Array<{ site: string; items: Reading[] }> = [];
    for (const condition of siteConditions(sel.sites)) {
      const q = `SELECT last(${VALUE}) AS ${VALUE}, ${TS_FROM_SERVER} FROM ${this.from} WHERE ${condition} AND time <= ${timeLiteral(sel.atMs)} GROUP BY "site", "device", "quantity"`;
      for (const series of (await this.run(q)).series ?? []) {
        const site = series.tags?.site ?? '';
        groups.push({ site, items: toReadings({ site, device: series.tags?.device ?? '', quantity: (series.tags?.quantity ?? '') as QuantityName }, seriesRows(series)) });
      }
    }
    return bySite(groups);
  }

  async siteBuckets(query: SiteBucketQuery): Promise<SeriesBucket[]> {
    return (await this.sitesBuckets({ sites: [query.site], fromMs: query.fromMs, toMs: query.toMs, every: query.every })).map(({ site: _site, ...b }) => b);
  }

  /** One query per window of BUCKETS_PER_QUERY buckets and SITES_PER_QUERY sites, GROUP BY time and the series tags. */
  async sitesBuckets(query: SitesBucketQuery): Promise<SiteSeriesBucket[]> {
    if (query.fromMs >= query.toMs) return [];
    const widthMs = BUCKET_WIDTH_MS[query.every];
    const windowMs = widthMs * BUCKETS_PER_QUERY;
    const bySeries = new Map<string, { site: string; items: SiteSeriesBucket[] }>();
    for (const sites of siteConditions(query.sites)) {
      for (let start = query.fromMs; start < query.toMs; ) {
        const end = Math.min(query.toMs, Math.floor(start / windowMs) * windowMs + windowMs);
        const q =
          `SELECT count(${VALUE}) AS "count", mean(${VALUE}) AS "mean", min(${VALUE}) AS "min", max(${VALUE}) AS "max", ` +
          `first(${VALUE}) AS "first", last(${VALUE}) AS "last" FROM ${this.from} WHERE ${sites} AND time >= ${timeLiteral(start)} AND time < ${timeLiteral(end)}` +
          ` GROUP BY time(${widthLiteral(query.every)}), "site", "device", "quantity" fill(none)`;
        for (const series of (await this.run(q)).series ?? []) {
          const site = series.tags?.site ?? '';
          const device = series.tags?.device ?? '';
          const quantity = (series.tags?.quantity ?? '') as QuantityName;
          const key = `${site}\u0000${device}\u0000${quantity}`;
          let group = bySeries.get(key);
          if (!group) bySeries.set(key, (group = { site, items: [] }));
          for (const row of seriesRows(series)) {
            group.items.push({ site, device, quantity, startMs: row.time as number, count: row.count as number, mean: row.mean as number, min: row.min as number, max: row.max as number, first: row.first as number, last: row.last as number });
          }
        }
        start = end;
      }
    }
    return bySite([...bySeries.values()]);
  }

  async buckets(query: BucketQuery): Promise<Bucket[]> {
    const every = widthLiteral(query.every);
    // `1d` buckets are local days (tz() makes InfluxDB align to local midnight, 23/25 h days included);
    // sub-day widths stay epoch-aligned in UTC, like the DuckDB store and the contract suite.
    const tz = query.every === '1d' ? ` ${tzClause(query.timezone)}` : '';
    if (unmatchable(query) || query.fromMs >= query.toMs) return [];
    const widthMs = BUCKET_WIDTH_MS[query.every];
    if (query.every !== '1d') {
      const asked = Math.ceil((query.toMs - query.fromMs) / widthMs) + 1;
      const counted = rowsOf(await this.run(`SELECT count(${VALUE}) FROM ${this.from}${this.where(query, [`time >= ${timeLiteral(query.fromMs)}`, `time < ${timeLiteral(query.toMs)}`])}`));
      const points = (counted[0]?.count as number | undefined) ?? 0;
      if (points === 0) return [];
      if (points <= RAW_POINTS_PER_BUCKET * asked) return bucketsOf(await this.readings(query), widthMs);
    }
    // Local days are not a fixed width, so `1d` goes in one query (10 000 days is 27 years).
    const windowMs = widthMs * BUCKETS_PER_QUERY;
    const out: Bucket[] = [];
    for (let start = query.fromMs; start < query.toMs; ) {
      const end = query.every === '1d' ? query.toMs : Math.min(query.toMs, Math.floor(start / windowMs) * windowMs + windowMs);
      const q =
        `SELECT count(${VALUE}) AS "count", mean(${VALUE}) AS "mean", min(${VALUE}) AS "min", max(${VALUE}) AS "max", ` +
        `first(${VALUE}) AS "first", last(${VALUE}) AS "last" FROM ${this.from}` +
        this.where(query, [`time >= ${timeLiteral(start)}`, `time < ${timeLiteral(end)}`]) +
        ` GROUP BY time(${every}) fill(none)${tz}`;
      const result = await this.run(q);
      for (const series of result.series ?? []) {
        for (const row of seriesRows(series)) {
          out.push({
            startMs: row.time as number,
            count: row.count as number,
            mean: row.mean as number,
            min: row.min as number,
            max: row.max as number,
            first: row.first as number,
            last: row.last as number,
          });
        }
      }
      start = end;
    }
    return out;
  }

  async readingAtOrBefore(sel: Omit<SeriesSelector, 'fromMs' | 'toMs'> & { atMs: number }): Promise<Reading | null> {
    if (unmatchable(sel)) return null;
    const q = `SELECT ${VALUE}, ${TS_FROM_SERVER} FROM ${this.from}${this.where(sel, [`time <= ${timeLiteral(sel.atMs)}`])} ORDER BY time DESC LIMIT 1`;
    return toReadings(sel, rowsOf(await this.run(q)))[0] ?? null;
  }

  async count(sel: Tags = {}): Promise<number> {
    if (unmatchable(sel)) return 0;
    const result = await this.run(`SELECT count(${VALUE}) FROM ${this.from}${this.where(sel)}`);
    const series = result.series?.[0];
    return series ? ((seriesRows(series)[0]?.count as number | undefined) ?? 0) : 0;
  }

  /** Time of the newest reading of any series (for health). */
  async lastReadingMs(): Promise<number | null> {
    const series = (await this.run(`SELECT last(${VALUE}) FROM ${this.from}`)).series?.[0];
    return series ? ((seriesRows(series)[0]?.time as number | undefined) ?? null) : null;
  }
}

function unmatchable(tags: Tags): boolean {
  return [tags.site, tags.device, tags.quantity].some((value) => value !== undefined && tagValueProblem(value) !== null);
}

function rowsOf(result: InfluxStatementResult): Record<string, unknown>[] {
  const series = result.series?.[0];
  return series ? seriesRows(series) : [];
}

/** Rows without a value (a point written by another tool with other fields only) are not readings. */
function toReadings(sel: Pick<SeriesSelector, 'site' | 'device' | 'quantity'>, rows: Record<string, unknown>[]): Reading[] {
  return rows
    .filter((row) => typeof row[FIELD_VALUE] === 'number')
    .map((row) => ({
      site: sel.site,
      device: sel.device,
      quantity: sel.quantity,
      tsMs: row.time as number,
      value: row[FIELD_VALUE] as number,
      tsFromServer: row[FIELD_TS_FROM_SERVER] === true,
    }));
}
