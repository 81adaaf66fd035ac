import { DuckDBTimestampTZValue } from '@duckdb/node-api';

/**
 * Epoch ms -> a bound TIMESTAMPTZ parameter. Bound values are typed, never spliced
 * into SQL text: ids with quotes or `'; DROP TABLE` stay data.
 */
export function tsParam(ms: number): DuckDBTimestampTZValue {
  // Microseconds: ms * 1000 stays an exact double up to year ~287,000.
  return new DuckDBTimestampTZValue(BigInt(Math.round(ms * 1000)));
}

/** BIGINT (bigint) or INTEGER/DOUBLE (number) column -> number. */
export function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  throw new TypeError(`expected a number from DuckDB, got ${typeof value}`);
}
