import { DOUBLE, DuckDBDataChunk, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { RollupPart } from '../port.js';
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

export const CREATE_ROLLUPS = `
CREATE TABLE IF NOT EXISTS ${ROLLUPS_TABLE} (
  site VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  part VARCHAR NOT NULL,
  at_ms DOUBLE NOT NULL,
  mark VARCHAR NOT NULL,
  payload VARCHAR NOT NULL
)`;

export const CREATE_ROLLUPS_STAGING = `
CREATE TEMP TABLE IF NOT EXISTS ${ROLLUPS_STAGING} (
  site VARCHAR NOT NULL,
  name VARCHAR NOT NULL,
  part VARCHAR NOT NULL,
  at_ms DOUBLE NOT NULL,
  mark VARCHAR NOT NULL,
  payload VARCHAR NOT NULL
)`;

const TYPES = [VARCHAR, VARCHAR, VARCHAR, DOUBLE, VARCHAR, VARCHAR];
const CHUNK_ROWS = 2048;

/** Writes the parts on the writer connection (the caller serializes writes and rolls back on failure). */
export async function writeRollups(writer: DuckDBConnection, site: string, name: string, parts: readonly RollupPart[]): Promise<void> {
  // One row per part, the last one given winning (as a batch of readings).
  const unique = [...new Map(parts.map((p) => [p.part, p])).values()];
  await writer.run(`DELETE FROM ${ROLLUPS_STAGING}`);
  const appender = await writer.createAppender(ROLLUPS_STAGING);
  try {
    for (let offset = 0; offset < unique.length; offset += CHUNK_ROWS) {
      const rows = unique.slice(offset, offset + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(TYPES, rows.length);
      chunk.setColumns([rows.map(() => site), rows.map(() => name), rows.map((p) => p.part), rows.map((p) => p.atMs), rows.map((p) => p.mark), rows.map((p) => p.payload)]);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await writer.run('BEGIN TRANSACTION');
  await writer.run(`DELETE FROM ${ROLLUPS_TABLE} AS r USING ${ROLLUPS_STAGING} AS s WHERE r.site = s.site AND r.name = s.name AND r.part = s.part`);
  await writer.run(`INSERT INTO ${ROLLUPS_TABLE} SELECT * FROM ${ROLLUPS_STAGING}`);
  await writer.run('COMMIT');
}

/** Every part of the named rollups of a site; names are bound as one list parameter, never spliced. */
export async function readRollups(read: RowReader, site: string, names: readonly string[]): Promise<Array<RollupPart & { name: string }>> {
  if (names.length === 0) return [];
  if (names.some((n) => n.includes('\u0000'))) throw new RangeError('a rollup name cannot contain NUL');
  const rows = await read(
    `SELECT name, part, at_ms, mark, payload FROM ${ROLLUPS_TABLE} WHERE site = $1 AND list_contains(string_split($2, chr(0)), name)`,
    [site, names.join('\u0000')],
  );
  return rows.map((r) => ({ name: String(r.name), part: String(r.part), atMs: toNumber(r.at_ms), mark: String(r.mark), payload: String(r.payload) }));
}
