import { Point } from '@influxdata/influxdb-client';
import type { Reading } from '../../model/reading.js';
import { FIELD_TS_FROM_SERVER, FIELD_VALUE, MEASUREMENT, tagValueProblem } from './schema.js';

export interface RefusedReading {
  reading: Reading;
  reason: string;
}

export interface EncodedBatch {
  /** One line-protocol line per storable reading, in input order. */
  lines: string[];
  /** Readings that cannot be stored verbatim, with why (never sent). */
  refused: RefusedReading[];
}

/** Point's default is ns; we write with precision=ms (STACK-NOTES: influxdb-client 1.35). */
const msTime = (value: string | number | Date | undefined): string | undefined =>
  value === undefined ? undefined : String(value);

/**
 * Line protocol for the readings (schema in schema.ts). Escaping of tags is Point's; what it
 * cannot round-trip (see tagValueProblem), a non-finite value or a non-integer time is refused.
 */
export function encodeReadings(readings: readonly Reading[]): EncodedBatch {
  const lines: string[] = [];
  const refused: RefusedReading[] = [];
  for (const reading of readings) {
    const reason = readingProblem(reading);
    if (reason) {
      refused.push({ reading, reason });
      continue;
    }
    // Fields in Point's order (sorted by key), formatted as Point formats them: String(float), T/F.
    lines.push(`${seriesPrefix(reading)} ${FIELD_TS_FROM_SERVER}=${reading.tsFromServer === true ? 'T' : 'F'},${FIELD_VALUE}=${String(reading.value)} ${reading.tsMs}`);
  }
  return { lines, refused };
}

/** The line's measurement and tags, escaped by Point once per series (a series is a meter channel: few). */
const prefixes = new Map<string, Map<string, Map<string, string>>>();
let cachedPrefixes = 0;
const MAX_CACHED_PREFIXES = 100_000;

function seriesPrefix(r: Reading): string {
  let byDevice = prefixes.get(r.site);
  if (!byDevice) prefixes.set(r.site, (byDevice = new Map()));
  let byQuantity = byDevice.get(r.device);
  if (!byQuantity) byDevice.set(r.device, (byQuantity = new Map()));
  let prefix = byQuantity.get(r.quantity);
  if (prefix === undefined) {
    prefix = pointLine({ ...r, value: 0, tsMs: 0, tsFromServer: false }).slice(0, -` ${FIELD_TS_FROM_SERVER}=F,${FIELD_VALUE}=0 0`.length);
    // Series come from the configuration, so this stays small; the bound guards against a bug.
    if (++cachedPrefixes > MAX_CACHED_PREFIXES) {
      prefixes.clear();
      cachedPrefixes = 1;
      byQuantity = new Map();
      prefixes.set(r.site, new Map([[r.device, byQuantity]]));
    }
    byQuantity.set(r.quantity, prefix);
  }
  return prefix;
}

/** The whole line as Point writes it: the reference the fast path above must equal (see its test). */
export function pointLine(reading: Reading): string {
  const line = new Point(MEASUREMENT)
    .tag('site', reading.site)
    .tag('device', reading.device)
    .tag('quantity', reading.quantity)
    .floatField(FIELD_VALUE, reading.value)
    .booleanField(FIELD_TS_FROM_SERVER, reading.tsFromServer === true)
    .timestamp(reading.tsMs)
    .toLineProtocol({ convertTime: msTime });
  if (line === undefined) throw new Error('Point produced no line');
  return line;
}

function readingProblem(r: Reading): string | null {
  for (const key of ['site', 'device', 'quantity'] as const) {
    const value: unknown = r[key];
    if (typeof value !== 'string') return `${key} is not a string`;
    const problem = tagValueProblem(value);
    if (problem) return `${key} ${problem}`;
  }
  if (typeof r.value !== 'number' || !Number.isFinite(r.value)) return `value ${String(r.value)} is not a finite number`;
  if (!Number.isSafeInteger(r.tsMs)) return `tsMs ${String(r.tsMs)} is not an integer of epoch ms`;
  return null;
}
