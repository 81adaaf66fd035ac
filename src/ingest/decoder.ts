import type { AppConfig } from '../config/schema.js';
import { isQuantityName } from '../config/quantities.js';
import type { Reading } from '../model/reading.js';
import { DeviceDirectory } from './device-directory.js';
import { ProfileRouter } from './profiles/router.js';
import type { CompiledDevice, ProfileOutput } from './profiles/types.js';
import { jsonObjectPayloadSchema, senmlPackSchema } from './schemas.js';
import { decodeSenml, type Decoded } from './senml.js';
import { parseJsonTimestamp } from './timestamp.js';
import { parseTopic } from './topic.js';
import type { Rejection } from './types.js';
import { describeValue } from './units.js';

/** Default payload limit: a SenML pack of a few hundred records fits; anything bigger is not a meter reading. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

export interface DecodeResult extends Decoded {
  site?: string;
  device?: string;
  /** An availability / LWT message of a device or bridge (profiles): online or offline. */
  availability?: ProfileOutput['availability'];
}

/** A plain number as text: what `mosquitto_pub -m 5120` sends. `Number('')` is 0, hence the regex. */
const PLAIN_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * Turns one MQTT message into readings and rejections. Rules (README quotes them):
 *
 * - Rejected as a whole: unknown topic, site, device or quantity (topic form), a quantity the
 *   device did not declare (topic form), a payload over `maxPayloadBytes` (`oversized-payload`),
 *   malformed JSON or a JSON value that is neither an object nor a SenML array (`malformed-payload`).
 * - JSON object: `ts` (see timestamp.ts; absent -> receive time, flagged `tsFromServer`) and
 *   one key per quantity; every other key is judged alone (`unknown-quantity`,
 *   `undeclared-quantity`, `invalid-value` when not a finite number).
 * - SenML: see senml.ts. A pack with one bad record keeps its good records.
 * - `.../{quantity}` topic: a plain number, stamped with the receive time.
 * - Any topic outside `sites/`: the device profiles' (profiles/router.ts), decoded by the
 *   device's profile; a `sites/` topic of a device whose profile is not native is refused.
 *
 * Never throws: whatever a device sends ends as readings and/or rejections.
 */
/**
 * Adds a rejection and returns the result. A module function, not a closure made per message:
 * under tsx (esbuild keepNames) every named closure costs a `__name` call (defineProperty),
 * which showed as 1.4 % of the service's CPU in the ingest bench profile.
 */
function rejectWith(result: DecodeResult, rejection: Rejection): DecodeResult {
  result.rejections.push(rejection);
  return result;
}

export class PayloadDecoder {
  private readonly directory: DeviceDirectory;
  private readonly router: ProfileRouter;

  constructor(
    config: AppConfig,
    private readonly maxPayloadBytes: number = DEFAULT_MAX_PAYLOAD_BYTES,
    router?: ProfileRouter,
  ) {
    this.directory = new DeviceDirectory(config);
    this.router = router ?? new ProfileRouter(config);
  }

  decode(topic: string, payload: Buffer, nowMs: number): DecodeResult {
    const parsed = parseTopic(topic);
    const result: DecodeResult = { readings: [], rejections: [] };
    if (parsed.site !== undefined) result.site = parsed.site;
    if (parsed.device !== undefined) result.device = parsed.device;
    if (parsed.kind === 'unknown') {
      const routed = parsed.site === undefined ? this.router.route(topic) : undefined;
      if (routed) return this.decodeProfile(routed, topic, payload, nowMs, result);
      if (parsed.site === undefined && this.router.isTolerated(topic)) return result; // discovery: not ours, not an error
      return rejectWith(result, { reason: 'unknown-topic', detail: `topic "${topic.slice(0, 120)}" is neither sites/{site}/devices/{device}[/{quantity}] nor a configured device profile's` });
    }
    const { site, device } = parsed;
    if (!this.directory.hasSite(site)) return rejectWith(result, { reason: 'unknown-site', detail: `no site "${site}" in the configuration` });
    const configured = this.directory.device(site, device);
    if (!configured) return rejectWith(result, { reason: 'unknown-device', detail: `no device "${device}" in site "${site}"` });
    if (configured.profile !== 'native') {
      return rejectWith(result, { reason: 'unknown-topic', detail: `device "${device}" has profile ${configured.profile}: it publishes on its profile's topics, not under sites/` });
    }
    if (payload.length > this.maxPayloadBytes) {
      return rejectWith(result, { reason: 'oversized-payload', detail: `payload of ${payload.length} bytes exceeds the limit of ${this.maxPayloadBytes}` });
    }
    try {
      if (parsed.kind === 'unknown-quantity') {
        return rejectWith(result, { reason: 'unknown-quantity', field: parsed.quantity, detail: `unknown quantity "${parsed.quantity}" in the topic` });
      }
      if (parsed.kind === 'quantity') {
        const { quantity } = parsed;
        if (!this.directory.declares(site, device, quantity)) {
          return rejectWith(result, { reason: 'undeclared-quantity', field: quantity, detail: `device "${device}" does not declare "${quantity}"` });
        }
        const text = payload.toString('utf8');
        if (!PLAIN_NUMBER.test(text)) return rejectWith(result, { reason: 'invalid-value', field: quantity, detail: `value ${JSON.stringify(text.slice(0, 40))} is not a finite number` });
        const value = Number(text);
        if (!Number.isFinite(value)) return rejectWith(result, { reason: 'invalid-value', field: quantity, detail: `value ${text.trim().slice(0, 40)} is not a finite number` });
        result.readings.push({ site, device, quantity, tsMs: nowMs, value, tsFromServer: true });
        return result;
      }
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch (err) {
        return rejectWith(result, { reason: 'malformed-payload', detail: `not JSON: ${(err as Error).message.slice(0, 120)}` });
      }
      if (Array.isArray(json)) {
        // Any array of at least one element passes senmlPackSchema (each record is judged alone
        // in decodeSenml): zod would only copy the array, so only an empty pack goes through it.
        if (json.length === 0) {
          const pack = senmlPackSchema.safeParse(json);
          return rejectWith(result, { reason: 'malformed-payload', detail: pack.error?.issues[0]?.message ?? 'not a SenML pack' });
        }
        decodeSenml(json as unknown[], { site, device, directory: this.directory, nowMs }, result);
        return result;
      }
      // JSON.parse yields plain objects only, which the schema accepts as they are: zod (and its
      // copy of the object) is needed only to refuse what is not an object.
      const isObject = typeof json === 'object' && json !== null;
      const object = isObject ? ({ success: true, data: json as Record<string, unknown> } as const) : jsonObjectPayloadSchema.safeParse(json);
      if (!object.success) return rejectWith(result, { reason: 'malformed-payload', detail: 'expected a JSON object or a SenML array' });
      this.decodeObject(object.data, site, device, nowMs, result);
      return result;
    } catch (err) {
      // Defensive: a bug here must cost one message, not the service.
      return rejectWith(result, { reason: 'malformed-payload', detail: `could not be decoded: ${(err as Error).message}` });
    }
  }

  private decodeProfile(routed: CompiledDevice, topic: string, payload: Buffer, nowMs: number, result: DecodeResult): DecodeResult {
    result.site = routed.site;
    result.device = routed.device;
    if (payload.length > this.maxPayloadBytes) {
      return rejectWith(result, { reason: 'oversized-payload', detail: `payload of ${payload.length} bytes exceeds the limit of ${this.maxPayloadBytes}` });
    }
    try {
      routed.decode(topic, payload, nowMs, result);
    } catch (err) {
      // Defensive, as for native payloads: a bug costs one message, not the service.
      result.readings.length = 0;
      return rejectWith(result, { reason: 'malformed-payload', detail: `could not be decoded: ${(err as Error).message}` });
    }
    return result;
  }

  private decodeObject(object: Record<string, unknown>, site: string, device: string, nowMs: number, out: DecodeResult): void {
    let tsMs = nowMs;
    let tsFromServer = true;
    if (object.ts !== undefined) {
      const ts = parseJsonTimestamp(object.ts, nowMs);
      if (!ts.ok) {
        out.rejections.push({ reason: ts.reason, field: 'ts', detail: ts.detail });
        return;
      }
      tsMs = ts.tsMs;
      tsFromServer = false;
    }
    let quantities = 0;
    for (const key of Object.keys(object)) {
      if (key === 'ts') continue;
      quantities++;
      const value = object[key];
      if (!isQuantityName(key)) {
        out.rejections.push({ reason: 'unknown-quantity', field: key, detail: `"${key.slice(0, 60)}": unknown quantity` });
      } else if (!this.directory.declares(site, device, key)) {
        out.rejections.push({ reason: 'undeclared-quantity', field: key, detail: `"${key}": device "${device}" does not declare it` });
      } else if (typeof value !== 'number' || !Number.isFinite(value)) {
        out.rejections.push({ reason: 'invalid-value', field: key, detail: `"${key}": value ${describeValue(value)} is not a finite number` });
      } else {
        const reading: Reading = { site, device, quantity: key, tsMs, value };
        if (tsFromServer) reading.tsFromServer = true;
        out.readings.push(reading);
      }
    }
    if (quantities === 0) out.rejections.push({ reason: 'malformed-payload', detail: 'the object holds no quantity' });
  }
}
