/**
 * DDL of the embedded store. Timestamps are TIMESTAMPTZ (microseconds since the
 * epoch, UTC): epoch milliseconds are kept exactly (ms * 1000), and `timezone(zone, ts)`
 * gives the local wall-clock time that local-day buckets need.
 *
 * The primary key gives the idempotency the port requires: (site, device, quantity, ts)
 * identifies a reading; a second write of the same identity updates it in place.
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
  ts_from_server BOOLEAN NOT NULL,
  PRIMARY KEY (site, device, quantity, ts)
)`;

/**
 * One batch is appended here, then merged into `readings` by one statement. A TEMP
 * table lives in memory and never reaches the WAL: only the merge is logged.
 * `seq` is the position in the batch, so that within a batch the later reading wins.
 */
export const CREATE_STAGING = `
CREATE TEMP TABLE IF NOT EXISTS ${STAGING_TABLE} (
  seq INTEGER NOT NULL,
  site VARCHAR NOT NULL,
  device VARCHAR NOT NULL,
  quantity VARCHAR NOT NULL,
  ts TIMESTAMPTZ NOT NULL,
  value DOUBLE NOT NULL,
  ts_from_server BOOLEAN NOT NULL
)`;

/**
 * DuckDB refuses an INSERT ... ON CONFLICT DO UPDATE that touches the same key twice
 * in one statement, so duplicates inside the batch are collapsed first (QUALIFY keeps
 * the highest seq, i.e. the reading that came last).
 */
export const MERGE_STAGING = `
INSERT INTO ${READINGS_TABLE} (site, device, quantity, ts, value, ts_from_server)
SELECT site, device, quantity, ts, value, ts_from_server
FROM ${STAGING_TABLE}
QUALIFY row_number() OVER (PARTITION BY site, device, quantity, ts ORDER BY seq DESC) = 1
ON CONFLICT (site, device, quantity, ts) DO UPDATE SET value = excluded.value, ts_from_server = excluded.ts_from_server`;
