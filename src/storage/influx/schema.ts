/**
 * InfluxDB schema of the readings (InfluxDB 1.x data model, written through the v1 HTTP API):
 *
 * ```text
 * measurement  readings
 * tags         site      site id from the config          (low cardinality: a few sites)
 *              device    device id from the config        (tens per site)
 *              quantity  a QuantityName (energy_kwh, power_w, ...; 9 values)
 * fields       value           float   in the quantity's unit (see QUANTITIES)
 *              ts_from_server  boolean true when the device sent no timestamp and the receive time was used
 * timestamp    the reading's own time, written with precision=ms, read back with epoch=ms
 * ```
 *
 * A series is (site, device, quantity): one per meter channel, so series cardinality is
 * bounded by the config, never by the data (no value, timestamp or message id is ever a tag).
 * A reading's identity (site, device, quantity, tsMs) is a point's identity (series + timestamp),
 * so writing the same reading again overwrites it: idempotency comes from InfluxDB itself
 * ("duplicate points", InfluxDB 1.x docs, Troubleshooting > Frequently asked questions).
 *
 * `ts_from_server` is written ALWAYS (false as well as true). InfluxDB merges the field sets of
 * two writes of the same point, so a flag written only when true could never be cleared by a later
 * write of the same reading, and "the later value wins" (ReadingWriter) would not hold for it.
 * A boolean field costs about one bit per point after InfluxDB's run-length encoding.
 *
 * Retention: INFLUX_RETENTION=INF writes to the database's default retention policy; any finite
 * duration writes to the named policy `sbe_readings` (created or altered to that duration on start).
 */
export const MEASUREMENT = 'readings';
export const FIELD_VALUE = 'value';
export const FIELD_TS_FROM_SERVER = 'ts_from_server';
export const NAMED_RETENTION_POLICY = 'sbe_readings';

/**
 * Why a tag value cannot be stored verbatim, or null when it can. Found by round-tripping
 * hostile strings through influxd 1.6.7 with Point.toLineProtocol():
 * - control characters: the client writes `\n`, `\r`, `\t` as two characters (backslash + letter),
 *   so they would come back changed; CR and NUL cannot even be written in an InfluxQL string literal;
 * - a trailing backslash escapes the separator after it: influxd answers "invalid tag format";
 * - an empty tag is dropped from the point (InfluxDB has no empty tag values).
 */
export function tagValueProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'contains a control character';
  if (value.endsWith('\\')) return 'ends with a backslash';
  return null;
}
