import type { DuckDBConnection } from '@duckdb/node-api';
import type { BucketQuery, DayMark, RollupPart, SeriesSelector, SiteRollupNames } from '../port.js';
import { QUARTER_HOUR_SLOTS_SINCE_MS } from './bucket-sql.js';
import { READINGS_TABLE } from './schema.js';
import { tsParam } from './sql-values.js';
import type { RowReader } from './duckdb-queries.js';
import { toNumber } from './sql-values.js';

/**
 * The analytics' rollups (port.ts RollupStore) in the same DuckDB file as the readings, in a
 * table of their own: a reading query never sees them. One row per (site, name, part); a part
 * written again replaces its row (deleted then inserted in one transaction, by the store's one
 * writing connection, as the readings are: see schema.ts for why there is no PRIMARY KEY).
 */
export const ROLLUPS_TABLE = 'analytics_rollups';
const ROLLUPS_STAGING = 'analytics_rollups_staging';

/** The columns of the table and of its staging twin (the order writeRollups binds them in). */
const ROLLUP_COLUMNS = `
  rollup_key VARCHAR NOT NULL,
  site VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  part VARCHAR NOT NULL,
  at_ms DOUBLE NOT NULL,
  mark VARCHAR NOT NULL,
  payload VARCHAR NOT NULL
`;

export const CREATE_ROLLUPS = `CREATE TABLE IF NOT EXISTS ${ROLLUPS_TABLE} (${ROLLUP_COLUMNS})`;

/**
 * A rollup is read by its (site, name) key: an ART index makes that a point lookup. Without it
 * each read scanned the whole table, payloads included: 60 reads of a 20-site table took 20 s
 * (bench:api, 2026-12-01 13:45, load 13-20).
 */
export const CREATE_ROLLUPS_INDEX = `CREATE INDEX IF NOT EXISTS ${ROLLUPS_TABLE}_key ON ${ROLLUPS_TABLE} (rollup_key)`;

export const CREATE_ROLLUPS_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${ROLLUPS_STAGING} (${ROLLUP_COLUMNS})`;


/** One string for (site, name), unambiguous whatever they contain. */
const keyOf = (site: string, name: string) => JSON.stringify([site, name]);
/** Parts per INSERT statement (7 bound values each). */
const INSERT_ROWS = 100;

/**
 * Writes the parts on the writer connection (the caller serializes writes and rolls back on failure).
 * By bound INSERTs, which DuckDB runs off the main thread, rather than an appender, whose flushSync
 * runs on it: a rollup write is a dozen parts (a month each) of a few kB, and a synchronous flush
 * stalled every PUBACK behind it (DuckDBAppender.flushSync in the compare-load profile, 2026-12-01).
 */
export async function writeRollups(writer: DuckDBConnection, site: string, name: string, parts: readonly RollupPart[]): Promise<void> {
  // One row per part, the last one given winning (as a batch of readings).
  const unique = [...new Map(parts.map((p) => [p.part, p])).values()];
  await writer.run(`DELETE FROM ${ROLLUPS_STAGING}`);
  for (let offset = 0; offset < unique.length; offset += INSERT_ROWS) {
    const rows = unique.slice(offset, offset + INSERT_ROWS);
    const values = rows.map((_, i) => `(${Array.from({ length: 7 }, (_c, k) => `$${i * 7 + k + 1}`).join(', ')})`).join(', ');
    await writer.run(`INSERT INTO ${ROLLUPS_STAGING} VALUES ${values}`, rows.flatMap((p) => [keyOf(site, name), site, name, p.part, p.atMs, p.mark, p.payload]));
  }
  await writer.run('BEGIN TRANSACTION');
  await writer.run(`DELETE FROM ${ROLLUPS_TABLE} AS r USING ${ROLLUPS_STAGING} AS s WHERE r.rollup_key = s.rollup_key AND r.part = s.part`);
  await writer.run(`INSERT INTO ${ROLLUPS_TABLE} SELECT * FROM ${ROLLUPS_STAGING}`);
  await writer.run('COMMIT');
}

/** Every part of the named rollups of a site; names are bound as one list parameter, never spliced. */
export async function readRollups(read: RowReader, site: string, names: readonly string[]): Promise<Array<RollupPart & { name: string }>> {
  if (names.length === 0) return [];
  // One bound parameter per name (never spliced): an equality or IN on the indexed key.
  const keys = [...new Set(names)].map((n) => keyOf(site, n));
  const rows = await read(`SELECT name, part, at_ms, mark, payload FROM ${ROLLUPS_TABLE} WHERE rollup_key ${keys.length === 1 ? '= $1' : `IN (${keys.map((_, i) => `$${i + 1}`).join(', ')})`}`, keys);
  return rows.map((r) => ({ name: String(r.name), part: String(r.part), atMs: toNumber(r.at_ms), mark: String(r.mark), payload: String(r.payload) }));
}

/** Sites' rollups per query of readSitesRollups: one bound key per name. */
const KEYS_PER_QUERY = 500;

/** `readRollups` of several sites, by their keys in one list parameter per query (an IN on the indexed key). */
export async function readSitesRollups(read: RowReader, requests: readonly SiteRollupNames[]): Promise<Array<RollupPart & { site: string; name: string }>> {
  const keys = [...new Set(requests.flatMap((r) => r.names.map((n) => keyOf(r.site, n))))];
  const out: Array<RollupPart & { site: string; name: string }> = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const chunk = keys.slice(i, i + KEYS_PER_QUERY);
    const rows = await read(`SELECT site, name, part, at_ms, mark, payload FROM ${ROLLUPS_TABLE} WHERE rollup_key IN (${chunk.map((_, k) => `$${k + 1}`).join(', ')})`, chunk);
    for (const r of rows) out.push({ site: String(r.site), name: String(r.name), part: String(r.part), atMs: toNumber(r.at_ms), mark: String(r.mark), payload: String(r.payload) });
  }
  return out;
}

/**
 * Day marks (port.ts RollupStore.dayMarks): the count and the XOR of a 64-bit hash of every
 * reading's (ts, value). XOR and count do not depend on the order DuckDB aggregates in (a sum of
 * doubles does: the `1d` buckets' mean differed between two identical calls), and any added or
 * changed reading changes the hash but for a 2^-64 chance. Days are grouped as bucket-sql.ts
 * groups them (15-minute UTC slots merged into local days, or per row before 2012).
 */
const MARK_SQL = `
WITH slots AS (
  SELECT epoch_ms(ts) - (((epoch_ms(ts) % 900000) + 900000) % 900000) AS slot_ms, count(*) AS n, bit_xor(hash(epoch_ms(ts), value)) AS x
  FROM ${READINGS_TABLE}
  WHERE site = $1 AND device = $2 AND quantity = $3 AND ts >= $4 AND ts < $5
  GROUP BY slot_ms
), days AS (
  SELECT time_bucket(INTERVAL '1 day', timezone($6, make_timestamptz(slot_ms * 1000))) AS local_day, n, x FROM slots
)
SELECT epoch_ms(timezone($6, local_day)) AS start_ms, sum(n) AS n, bit_xor(x) AS x FROM days GROUP BY local_day ORDER BY local_day`;

const MARK_PER_ROW_SQL = `
SELECT epoch_ms(timezone($6, local_day)) AS start_ms, count(*) AS n, bit_xor(hash(epoch_ms(ts), value)) AS x
FROM (SELECT time_bucket(INTERVAL '1 day', timezone($6, ts)) AS local_day, ts, value FROM ${READINGS_TABLE}
      WHERE site = $1 AND device = $2 AND quantity = $3 AND ts >= $4 AND ts < $5)
GROUP BY local_day ORDER BY local_day`;

export async function readDayMarks(read: RowReader, q: Omit<BucketQuery, 'every'>): Promise<DayMark[]> {
  const sql = q.fromMs >= QUARTER_HOUR_SLOTS_SINCE_MS ? MARK_SQL : MARK_PER_ROW_SQL;
  const rows = await read(sql, [q.site, q.device, q.quantity, tsParam(q.fromMs), tsParam(q.toMs), q.timezone]);
  return rows.map((r) => ({ startMs: toNumber(r.start_ms), count: toNumber(r.n), mark: `${String(r.n)}#${String(r.x)}` }));
}

/**
 * The series mark (port.ts RollupStore.seriesMark): the same count and XOR of hashes as the day
 * marks, over the whole range at once. The XOR of the days' XORs, so it sees what they see
 * together; one aggregate without grouping or time zones took 4 ms where the day marks of a
 * year took 14 ms (20 site-years, 2026-12-01), and a cold comparison reads two per site.
 */
const SERIES_MARK_SQL = `
SELECT count(*) AS n, bit_xor(hash(epoch_ms(ts), value)) AS x FROM ${READINGS_TABLE}
WHERE site = $1 AND device = $2 AND quantity = $3 AND ts >= $4 AND ts < $5`;

export async function readSeriesMark(read: RowReader, q: SeriesSelector): Promise<string> {
  const rows = await read(SERIES_MARK_SQL, [q.site, q.device, q.quantity, tsParam(q.fromMs), tsParam(q.toMs)]);
  const row = rows[0];
  return `${String(row?.n ?? 0)}#${String(row?.x ?? 0)}`;
}

/** Selectors per query of readSeriesMarks (6 bound values each). */
const MARKS_PER_QUERY = 200;

/**
 * `readSeriesMark` of several series in one scan: the selectors as a VALUES list joined to the
 * readings, the same count and XOR per selector. One query per series scanned the site column
 * each time (40 marks of 20 site-years: 6.7 ms each, one at a time; api-cold-profile, 2026-12-01).
 * A selector without readings in its range gets the mark of none, `0#0`, as readSeriesMark gives.
 */
export async function readSeriesMarks(read: RowReader, selectors: readonly SeriesSelector[]): Promise<string[]> {
  const out = selectors.map(() => '0#0');
  for (let offset = 0; offset < selectors.length; offset += MARKS_PER_QUERY) {
    const chunk = selectors.slice(offset, offset + MARKS_PER_QUERY);
    const values = chunk.map((_, i) => `($${i * 6 + 1}::INTEGER, $${i * 6 + 2}::VARCHAR, $${i * 6 + 3}::VARCHAR, $${i * 6 + 4}::VARCHAR, $${i * 6 + 5}::TIMESTAMPTZ, $${i * 6 + 6}::TIMESTAMPTZ)`).join(', ');
    const rows = await read(
      `WITH wanted(i, site, device, quantity, from_ts, to_ts) AS (VALUES ${values})
       SELECT w.i AS i, count(*) AS n, bit_xor(hash(epoch_ms(r.ts), r.value)) AS x
       FROM wanted AS w JOIN ${READINGS_TABLE} AS r ON r.site = w.site AND r.device = w.device AND r.quantity = w.quantity AND r.ts >= w.from_ts AND r.ts < w.to_ts
       GROUP BY w.i`,
      chunk.flatMap((q, i) => [offset + i, q.site, q.device, q.quantity, tsParam(q.fromMs), tsParam(q.toMs)]),
    );
    for (const r of rows) out[toNumber(r.i)] = `${String(r.n)}#${String(r.x)}`;
  }
  return out;
}
