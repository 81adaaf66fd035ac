import { BUCKET_WIDTH_MS, type BucketWidth } from '../port.js';
import { READINGS_TABLE } from './schema.js';

/**
 * SQL for ReadingQuery.buckets. Parameters: $1 site, $2 device, $3 quantity,
 * $4 from (TIMESTAMPTZ, inclusive), $5 to (exclusive), then $6: the bucket width in
 * ms (sub-day) or the IANA zone (`1d`). Only the width's *kind* picks the text; every
 * value is bound.
 *
 * Sub-day widths are aligned to the Unix epoch in UTC, as InfluxQL `GROUP BY time()`
 * does, so that both stores return the same bucket starts. Integer arithmetic on
 * epoch ms (floor division, correct for negative instants too) is exact and fast; the
 * width is cast to BIGINT because a bound JS bigint arrives as HUGEINT, and 128-bit
 * arithmetic made the 1h query over 1M rows 700 ms instead of ~90 ms.
 *
 * `1d` buckets are local days. STACK-NOTES measured, on 1M rows,
 * `time_bucket(INTERVAL '1 day', timezone(zone, ts))` at ~180 ms against 17-19 s for
 * the 3-argument `time_bucket(INTERVAL '1 day', ts, zone)`. The fast form buckets the
 * local wall-clock time; the bucket start (a local midnight, a naive TIMESTAMP) is then
 * turned back into an instant once per bucket with `timezone(zone, local_midnight)`,
 * e.g. 2026-03-29 00:00 Europe/Paris -> 2026-03-28T23:00Z, so the 23 h and 25 h days
 * of DST changes come out right. (In the few zones whose DST change happens at midnight
 * a local midnight may not exist; ICU then maps it to the first valid instant.)
 *
 * Even the fast form spends most of its time in the per-row timezone() (~400 ms per 1M
 * rows here). LOCAL_DAY_SQL therefore first aggregates into 15-minute UTC slots with
 * integer arithmetic, converts only the slot starts (~35k per year instead of 1M),
 * and merges slots into days: ~100 ms per 1M rows, same results. This is exact because
 * every zone's UTC offset is a whole number of quarter hours and no transition happens
 * between local midnight and 00:15, so a slot never straddles a local midnight. That has
 * held in the tz database since 2011 (Newfoundland changed clocks at 00:01 until then,
 * and older offsets such as Liberia's -0:44:30 were not quarter hours): ranges starting
 * earlier take the per-row form, LOCAL_DAY_PER_ROW_SQL.
 */
const AGGREGATES = `count(*) AS n, avg(value) AS mean, min(value) AS min, max(value) AS max,
  arg_min(value, ts) AS first, arg_max(value, ts) AS last`;

const SERIES_FILTER = `site = $1 AND device = $2 AND quantity = $3 AND ts >= $4 AND ts < $5`;

const floorMs = (widthMs: string) => `epoch_ms(ts) - (((epoch_ms(ts) % ${widthMs}) + ${widthMs}) % ${widthMs})`;

const SUB_DAY_SQL = `
SELECT start_ms, ${AGGREGATES}
FROM (
  SELECT ${floorMs('$6::BIGINT')} AS start_ms, ts, value
  FROM ${READINGS_TABLE}
  WHERE ${SERIES_FILTER}
)
GROUP BY start_ms
ORDER BY start_ms`;

/** SUB_DAY_SQL for every series of several sites: $1 the site ids (VARCHAR[]), $2 from, $3 to, $4 width in ms. */
export const SITES_SUB_DAY_SQL = `
SELECT site, device, quantity, start_ms::DOUBLE AS start_ms, n::DOUBLE AS n, mean, min, max, first, last
FROM (
  SELECT site, device, quantity, start_ms, ${AGGREGATES}
  FROM (
    SELECT site, device, quantity, ${floorMs('$4::BIGINT')} AS start_ms, ts, value
    FROM ${READINGS_TABLE}
    WHERE site IN (SELECT unnest($1::VARCHAR[])) AND ts >= $2 AND ts < $3
  )
  GROUP BY site, device, quantity, start_ms
)
ORDER BY site, device, quantity, start_ms`;

const LOCAL_DAY_PER_ROW_SQL = `
SELECT epoch_ms(timezone($6, local_day)) AS start_ms, ${AGGREGATES}
FROM (
  SELECT time_bucket(INTERVAL '1 day', timezone($6, ts)) AS local_day, ts, value
  FROM ${READINGS_TABLE}
  WHERE ${SERIES_FILTER}
)
GROUP BY local_day
ORDER BY local_day`;

const LOCAL_DAY_SQL = `
WITH slots AS (
  SELECT ${floorMs('900000')} AS slot_ms, count(*) AS n, sum(value) AS total, min(value) AS lo, max(value) AS hi,
    min(ts) AS first_ts, arg_min(value, ts) AS first, max(ts) AS last_ts, arg_max(value, ts) AS last
  FROM ${READINGS_TABLE}
  WHERE ${SERIES_FILTER}
  GROUP BY slot_ms
), days AS (
  SELECT time_bucket(INTERVAL '1 day', timezone($6, make_timestamptz(slot_ms * 1000))) AS local_day, * FROM slots
)
SELECT epoch_ms(timezone($6, local_day)) AS start_ms, sum(n) AS n, sum(total) / sum(n) AS mean, min(lo) AS min, max(hi) AS max,
  arg_min(first, first_ts) AS first, arg_max(last, last_ts) AS last
FROM days
GROUP BY local_day
ORDER BY local_day`;

/** Since this instant every local midnight is a quarter-hour UTC boundary (see above). */
export const QUARTER_HOUR_SLOTS_SINCE_MS = Date.UTC(2012, 0, 1);

export function bucketSql(every: BucketWidth, fromMs: number): { sql: string; sixth: (timezone: string) => bigint | string } {
  if (every === '1d') {
    return { sql: fromMs >= QUARTER_HOUR_SLOTS_SINCE_MS ? LOCAL_DAY_SQL : LOCAL_DAY_PER_ROW_SQL, sixth: (timezone) => timezone };
  }
  const widthMs = BigInt(BUCKET_WIDTH_MS[every]);
  return { sql: SUB_DAY_SQL, sixth: () => widthMs };
}
