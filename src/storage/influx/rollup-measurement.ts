import { createHash } from 'node:crypto';
import { Point } from '@influxdata/influxdb-client';
import type { RollupPart, SeriesSelector } from '../port.js';
import type { InfluxStatementResult } from './influx-http.js';
import { quoteIdent, quoteString, tagConditions, timeLiteral } from './influxql.js';
import { FIELD_VALUE, tagValueProblem } from './schema.js';

/**
 * The analytics' rollups (port.ts RollupStore) in InfluxDB: a measurement of their own, in a
 * database of their own (influx-store.ts), never mixed with the readings, in a retention policy
 * like the readings' so that a day's rollup expires with the day's readings.
 *
 * ```text
 * measurement  analytics_rollups
 * tags         site, name, part    (a few rollups per site, one part per local day: bounded by the config and the days kept)
 * fields       mark     string     what the part was computed from
 *              payload  string     the derived figures (JSON)
 * timestamp    the instant the part summarises (RollupPart.atMs), ms
 * ```
 * A part's identity (site, name, part, atMs) is a point's identity, so writing it again replaces it.
 */
export const ROLLUP_MEASUREMENT = 'analytics_rollups';

/** Point's default is ns; the store writes with precision=ms. */
const msTime = (value: string | number | Date | undefined): string | undefined => (value === undefined ? undefined : String(value));

/** Line protocol of the parts; throws on what InfluxDB could not give back verbatim. */
export function rollupLines(site: string, name: string, parts: readonly RollupPart[]): string[] {
  for (const [key, value] of [['site', site], ['name', name], ...parts.map((p) => ['part', p.part] as const)] as const) {
    const problem = tagValueProblem(value);
    if (problem) throw new RangeError(`rollup ${key} ${JSON.stringify(value)} ${problem}`);
  }
  return parts.map((p) => {
    // A line ends at a newline: a string field cannot hold one (line protocol reference, "Special characters").
    if (/[\r\n]/.test(p.mark) || /[\r\n]/.test(p.payload)) throw new RangeError(`rollup ${name} part ${p.part}: mark and payload must be single-line`);
    if (!Number.isSafeInteger(p.atMs)) throw new RangeError(`rollup ${name} part ${p.part}: atMs must be an integer of epoch ms`);
    const line = new Point(ROLLUP_MEASUREMENT).tag('site', site).tag('name', name).tag('part', p.part).stringField('mark', p.mark).stringField('payload', p.payload).timestamp(p.atMs).toLineProtocol({ convertTime: msTime });
    if (line === undefined) throw new Error('Point produced no line');
    return line;
  });
}

/** The query of every part of the named rollups of a site; every value quoted by influxql.ts. */
export function rollupQuery(from: string, site: string, names: readonly string[]): string {
  const anyName = names.map((n) => `${quoteIdent('name')} = ${quoteString(n)}`).join(' OR ');
  return `SELECT ${quoteIdent('mark')}, ${quoteIdent('payload')} FROM ${from} WHERE ${tagConditions({ site }).join(' AND ')} AND (${anyName}) GROUP BY ${quoteIdent('name')}, ${quoteIdent('part')}`;
}

/** One part per (name, part): the latest point when a part was ever written at two instants. */
export function rollupRows(result: InfluxStatementResult): Array<RollupPart & { name: string }> {
  const out: Array<RollupPart & { name: string }> = [];
  for (const series of result.series ?? []) {
    const row = series.values[series.values.length - 1];
    if (!row) continue;
    const col = (c: string) => row[series.columns.indexOf(c)];
    out.push({ name: series.tags?.name ?? '', part: series.tags?.part ?? '', atMs: Number(col('time')), mark: String(col('mark')), payload: String(col('payload')) });
  }
  return out;
}

/**
 * The span of the windows a series mark counts and averages over. Per UTC day (366 windows a
 * year) the 40 marks of a cold comparison of 20 sites cost influxd 580-650 ms of CPU; per 31 days
 * 350-440 ms, and without windows 330-400 ms (test/bench/api-influx-check-variants.ts, influxd
 * 1.6.7, 2026-12-02): the per-window work, not the points, was most of it, and the comparison's
 * store calls and its computation share the machine's two cores with influxd.
 */
const SERIES_MARK_WINDOW = '31d';

/**
 * The series mark (port.ts RollupStore.seriesMark) of the readings measurement `from`: the count
 * and mean of each 31-day window (SERIES_MARK_WINDOW, from the epoch), digested. InfluxDB 1.x
 * makes one pass over the points per aggregate (influx-queries.ts): two aggregates took 22 ms for
 * a year of hourly readings where the six of the day marks took 60 ms (influxd 1.6.7,
 * 2026-12-01), and a cold comparison reads two per site.
 * What it cannot see, beyond what the day marks miss: changes to several readings of one window
 * that leave its count and mean unchanged (two values swapped, two changes that cancel to the
 * last bit of the mean), which the day marks' min, max, first and last caught when they involved
 * those readings. A reading added, or a value replaced alone, changes it.
 * Null for a selector no point can match (tag values never written, or an empty range).
 */
export function seriesMarkQuery(from: string, sel: SeriesSelector): string | null {
  if ([sel.site, sel.device, sel.quantity].some((v) => tagValueProblem(v) !== null) || sel.fromMs >= sel.toMs) return null;
  const where = [...tagConditions({ site: sel.site, device: sel.device, quantity: sel.quantity }), `time >= ${timeLiteral(sel.fromMs)}`, `time < ${timeLiteral(sel.toMs)}`];
  return `SELECT count(${quoteIdent(FIELD_VALUE)}) AS "count", mean(${quoteIdent(FIELD_VALUE)}) AS "mean" FROM ${from} WHERE ${where.join(' AND ')} GROUP BY time(${SERIES_MARK_WINDOW}) fill(none)`;
}

export function seriesMarkOf(result: InfluxStatementResult | null): string {
  const hash = createHash('sha256');
  let count = 0;
  for (const series of result?.series ?? []) {
    const [t, n, mean] = ['time', 'count', 'mean'].map((c) => series.columns.indexOf(c));
    for (const row of series.values) {
      count += Number(row[n!]);
      hash.update(`${String(row[t!])}:${String(row[n!])}:${String(row[mean!])}\n`);
    }
  }
  return `${count}#${hash.digest('base64url').slice(0, 22)}`;
}
