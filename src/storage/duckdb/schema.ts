/**
 * DDL of the embedded store. Timestamps are TIMESTAMPTZ (microseconds since the
 * epoch, UTC): epoch milliseconds are kept exactly (ms * 1000), and `timezone(zone, ts)`
 * gives the local wall-clock time that local-day buckets need.
 *
 * Why there is no PRIMARY KEY on (site, device, quantity, ts): measured on this 2-core
 * machine with 5,000-reading batches, `INSERT ... ON CONFLICT DO UPDATE` against the
 * key's ART index ran at 31k readings/s on an empty table and fell to 11-14k/s by
 * 3M rows (the index is also held in memory, tens of bytes per reading). The merge
 * below keeps the same guarantee (one row per identity, the later value winning): the
 * batch's existing identities are deleted, then the batch is inserted, in one
 * transaction; the delete is skipped when every reading is newer than its series'
 * newest stored one (SeriesHighWater). Measured to 3M rows: 66k readings/s with
 * 2,000-reading batches, 109k/s with 5,000, 60-90k/s for redelivered batches that take
 * the delete (2 shared cores, other work running). Only one connection of one process ever
 * writes (DuckDB locks the file; DuckDbStore serializes its writes), so no other
 * writer can slip a duplicate in between.
 */
export const READINGS_TABLE = 'readings';
export const STAGING_TABLE = 'readings_staging';

export const CREATE_READINGS = `
CREATE TABLE IF NOT EXISTS ${READINGS_TABLE} (
  site VARCHAR NOT NULL,
  device VARCHAR NOT NULL,
  quantity VARCHAR NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  value DOUBLE NOT NULL,
  ts_from_server BOOLEAN NOT NULL
)`;

/**
 * One batch is appended here (columnar data chunks), then merged into `readings`. A
 * TEMP table lives in memory and never reaches the WAL: only the merge is logged.
 * The batch is deduplicated before it gets here (lastWins), so identities are unique.
 * `ts_ms` is a DOUBLE so that appending needs no BigInt per row; epoch ms are integers
 * far below 2^53, so the DOUBLE is exact.
 */
export const CREATE_STAGING = `
CREATE TEMP TABLE IF NOT EXISTS ${STAGING_TABLE} (
  site VARCHAR NOT NULL,
  device VARCHAR NOT NULL,
  quantity VARCHAR NOT NULL,
  ts_ms DOUBLE NOT NULL,
  value DOUBLE NOT NULL,
  ts_from_server BOOLEAN NOT NULL
)`;

const STAGED_TS = 'make_timestamptz(CAST(s.ts_ms AS BIGINT) * 1000)';

/**
 * Removes the stored readings that the batch is about to replace. $1/$2 bound the
 * batch's time span: a constant range lets DuckDB skip every row group whose min/max
 * (zonemap) lies outside it, so the cost follows the batch's span, not the table's
 * size, as long as readings arrive roughly in time order (a wide backfill is slower,
 * never wrong).
 */
export const DELETE_REPLACED = `
DELETE FROM ${READINGS_TABLE} AS r USING ${STAGING_TABLE} AS s
WHERE r.ts BETWEEN $1 AND $2
  AND r.site = s.site AND r.device = s.device AND r.quantity = s.quantity AND r.ts = ${STAGED_TS}`;

/** Inserts the (already deduplicated) batch. */
export const INSERT_STAGED = `
INSERT INTO ${READINGS_TABLE} (site, device, quantity, ts, value, ts_from_server)
SELECT s.site, s.device, s.quantity, ${STAGED_TS}, s.value, s.ts_from_server
FROM ${STAGING_TABLE} AS s`;

/**
 * A small batch, none of it replacing a stored reading, in one statement: its columns bound as six
 * lists ($1..$6: site, device, quantity, ts_ms, value, ts_from_server; DuckDB zips the unnests of
 * one SELECT row by row), the rows the same as INSERT_STAGED's. One statement is one transaction
 * and two calls into DuckDB (bind, run), where the staging path makes seven, and it has no
 * appender: `DuckDBAppender.flushSync` runs on the calling thread, and while another connection
 * read it held the event loop (so every PUBACK) up to 113 ms, p99 79 ms, for 4 readings
 * (test/bench/loop/write-sync-probe.ts, 2026-12-01), against under 2 ms for the bind here.
 */
export const INSERT_LISTS = `
INSERT INTO ${READINGS_TABLE} (site, device, quantity, ts, value, ts_from_server)
SELECT b.site, b.device, b.quantity, make_timestamptz(CAST(b.ts_ms AS BIGINT) * 1000), b.value, b.ts_from_server
FROM (SELECT unnest($1::VARCHAR[]) AS site, unnest($2::VARCHAR[]) AS device, unnest($3::VARCHAR[]) AS quantity,
             unnest($4::DOUBLE[]) AS ts_ms, unnest($5::DOUBLE[]) AS value, unnest($6::BOOLEAN[]) AS ts_from_server) AS b`;
