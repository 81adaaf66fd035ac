import type { QuantityName } from '../config/quantities.js';
import type { Values } from './devices.js';

/** The three payload shapes of the MQTT contract (README, MQTT contract). */
export const PAYLOAD_FORMATS = ['json', 'senml', 'plain'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

export interface OutgoingMessage {
  topic: string;
  payload: string;
}

/** SenML base names and units (RFC 8428 §12.1 units; `m3`, `Cel`, `%RH`, `ppm` as the service reads them). */
const SENML: Partial<Record<QuantityName, { n: string; u?: string }>> = {
  energy_kwh: { n: 'energy', u: 'kWh' },
  gas_m3: { n: 'gas', u: 'm3' },
  water_m3: { n: 'water', u: 'm3' },
  heat_kwh: { n: 'heat', u: 'kWh' },
  power_w: { n: 'power', u: 'W' },
  temperature_c: { n: 'temperature', u: 'Cel' },
  humidity_pct: { n: 'humidity', u: '%RH' },
  co2_ppm: { n: 'co2', u: 'ppm' },
};
const CUMULATIVE = new Set<QuantityName>(['energy_kwh', 'gas_m3', 'water_m3', 'heat_kwh']);

/**
 * The messages a device sends for one instant. JSON: one object with `ts` in epoch ms. SenML: one
 * pack with `bt` in seconds (RFC 8428 §4.5.3) and indexes as sums `s` (§4.2: a meter index is the
 * integral of a rate). Plain: one message per quantity on `…/{quantity}`, with no time at all, so
 * the service stamps it on receipt: only for live readings (`timestamped: false`); a backfill
 * cannot be sent that way and goes as JSON.
 */
export function encodeReadings(site: string, device: string, format: PayloadFormat, tsMs: number, values: Values, timestamped: boolean): OutgoingMessage[] {
  const topic = `sites/${site}/devices/${device}`;
  const entries = Object.entries(values) as [QuantityName, number][];
  if (entries.length === 0) return [];
  if (format === 'plain' && !timestamped) return entries.map(([q, v]) => ({ topic: `${topic}/${q}`, payload: String(v) }));
  if (format === 'senml') {
    const records = entries.map(([q, v], i) => {
      const meta = SENML[q];
      const head = i === 0 ? { bn: `urn:dev:${site}:${device}:`, bt: tsMs / 1000 } : {};
      const name = meta ? { n: meta.n, ...(meta.u ? { u: meta.u } : {}) } : { n: q };
      return { ...head, ...name, ...(CUMULATIVE.has(q) ? { s: v } : { v }) };
    });
    return [{ topic, payload: JSON.stringify(records) }];
  }
  return [{ topic, payload: JSON.stringify({ ts: tsMs, ...values }) }];
}

/** `"n":…,"u":…,"v"|"s":` of each quantity's SenML record, as JSON text, built once. */
const RECORD_HEAD = new Map<QuantityName, string>();
function recordHead(q: QuantityName): string {
  let head = RECORD_HEAD.get(q);
  if (head === undefined) {
    const meta = SENML[q];
    const name = meta ? { n: meta.n, ...(meta.u ? { u: meta.u } : {}) } : { n: q };
    head = `${JSON.stringify(name).slice(1, -1)},"${CUMULATIVE.has(q) ? 's' : 'v'}":`;
    RECORD_HEAD.set(q, head);
  }
  return head;
}

/**
 * Several instants of one device's history as one SenML pack, whatever the device's live shape
 * (a plain-topic sensor's history cannot go on plain topics, which carry no time). A history of
 * a year is then tens of thousands of messages instead of half a million.
 * `bn` once per pack; `bt` again at each step: a base field holds until replaced (RFC 8428 §4.6).
 * Written as text, not through JSON.stringify of record objects: a year of four sites is a
 * million records, and building and stringifying them was a third of the simulator's CPU
 * (profiled with --cpu-prof). Only finite numbers are written (`String(v)` is JSON's number
 * form for them); the names are the config's identifiers, which need no escaping.
 */
export function encodeHistoryPack(site: string, device: string, steps: readonly { tsMs: number; values: Values }[]): OutgoingMessage {
  let out = '';
  for (let k = 0; k < steps.length; k++) {
    const { tsMs, values } = steps[k]!;
    let first = true;
    for (const q in values) {
      const v = values[q as QuantityName]!;
      if (!Number.isFinite(v)) throw new Error(`${site}/${device} ${q}: value ${v} at ${new Date(tsMs).toISOString()} is not a finite number`);
      const base = first ? `${out === '' ? `"bn":"urn:dev:${site}:${device}:",` : ''}"bt":${tsMs / 1000},` : '';
      out += `${out === '' ? '' : ','}{${base}${recordHead(q as QuantityName)}${v}}`;
      first = false;
    }
  }
  return { topic: `sites/${site}/devices/${device}`, payload: `[${out}]` };
}

/** The shape a device kind publishes in by default, so that all three are in use. */
export function defaultFormat(kind: string): PayloadFormat {
  if (kind === 'electricity-meter') return 'json';
  if (kind.endsWith('-meter') || kind === 'weather-station') return 'senml';
  return 'plain';
}
