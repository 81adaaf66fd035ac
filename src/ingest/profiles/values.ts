import type { QuantityName } from '../../config/quantities.js';
import type { Reading } from '../../model/reading.js';
import { describeValue } from '../units.js';
import type { ProfileOutput } from './types.js';

/** When a reading was taken: the device's own time, or the receive time (flagged `tsFromServer`). */
export interface ReadingTime {
  tsMs: number;
  fromServer: boolean;
}

/**
 * Emits one reading of a profile field, or a rejection naming the field. Divisors are used for
 * factors below 1 (see units.ts: 18234600 Wh / 1000 is exactly 18234.6, × 0.001 is not).
 */
export function emit(out: ProfileOutput, site: string, device: string, quantity: QuantityName, field: string, raw: unknown, time: ReadingTime, divisor = 1, factor = 1): void {
  const value = typeof raw === 'number' ? raw : typeof raw === 'boolean' ? (raw ? 1 : 0) : NaN;
  if (!Number.isFinite(value)) {
    out.rejections.push({ reason: 'invalid-value', field, detail: `"${field}": value ${describeValue(raw)} is not a finite number` });
    return;
  }
  const reading: Reading = { site, device, quantity, tsMs: time.tsMs, value: divisor !== 1 ? (value * factor) / divisor : value * factor };
  if (time.fromServer) reading.tsFromServer = true;
  out.readings.push(reading);
}

/** A TIC or gateway value: a number, a numeric string ("009058688"), or `{ "value": … }` (teleinfo2mqtt). */
export function numericField(raw: unknown): number {
  const v = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { value?: unknown }).value : raw;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\s*[+-]?\d+(?:\.\d+)?\s*$/.test(v)) return Number(v);
  return NaN;
}

/** JSON.parse that reports instead of throwing. */
export function parseJson(payload: Buffer, out: ProfileOutput): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (err) {
    out.rejections.push({ reason: 'malformed-payload', detail: `not JSON: ${(err as Error).message.slice(0, 120)}` });
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"state":"online"}` (zigbee2mqtt ≥ 1.x), `online`, `Online` (Tasmota LWT), `true` (Shelly): online or offline, or undefined. */
export function parseAvailability(payload: Buffer): boolean | undefined {
  let text = payload.toString('utf8').trim();
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as { state?: unknown };
      text = typeof json.state === 'string' ? json.state : '';
    } catch {
      return undefined;
    }
  }
  const t = text.toLowerCase();
  if (t === 'online' || t === 'true' || t === '1') return true;
  if (t === 'offline' || t === 'false' || t === '0') return false;
  return undefined;
}
