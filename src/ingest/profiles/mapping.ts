import { z } from 'zod';
import { QUANTITY_NAMES, type QuantityName } from '../../config/quantities.js';
import { checkTimestampMs, type TimestampResult } from '../timestamp.js';
import { compilePointer, resolvePointer, type CompiledPointer } from './json-pointer.js';
import { parseIsoInstant, parseLocalDeviceTime } from './local-time.js';
import type { DeviceProfile } from './types.js';
import { emit, numericField, parseJson, type ReadingTime } from './values.js';

/**
 * A generic mapping for gateways that publish configurable JSON (industrial Modbus-to-MQTT
 * gateways, Node-RED flows, ESPHome…). The device's `topic:` is the topic, or an MQTT filter with
 * `+` levels (MQTT 3.1.1 §4.7.1.3); `options.fields` gives, per quantity, a JSON pointer
 * (RFC 6901) into the payload and a scale factor (the value stored is value × scale, e.g.
 * 0.001 for Wh -> kWh); `options.timestamp` an optional pointer and its format:
 * `iso8601` (with an offset or Z), `epoch-s`, `epoch-ms`, or `local` (wall time read in the site's
 * time zone; the repeated autumn hour is refused as `ambiguous-timestamp`). Without it, the
 * receive time is used (flagged). Checked strictly at start: every error with its path.
 */
const pointer = z.string().superRefine((p, ctx) => {
  const compiled = compilePointer(p);
  if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: compiled });
});
const quantityName = z.enum(QUANTITY_NAMES as [QuantityName, ...QuantityName[]], {
  error: (issue) => `unknown quantity ${JSON.stringify(issue.input)} (known: ${QUANTITY_NAMES.join(', ')})`,
});
const options = z.strictObject({
  fields: z
    .partialRecord(quantityName, z.strictObject({ pointer, scale: z.number().finite().refine((v) => v !== 0, 'a scale cannot be 0').default(1) }))
    .refine((f) => Object.keys(f).length > 0, 'map at least one quantity'),
  timestamp: z.strictObject({ pointer, format: z.enum(['iso8601', 'epoch-s', 'epoch-ms', 'local']) }).optional(),
});
type Options = z.infer<typeof options>;

function readTime(raw: unknown, format: NonNullable<Options['timestamp']>['format'], timezone: string, nowMs: number, field: string): TimestampResult | { ok: false; reason: 'ambiguous-timestamp'; detail: string } {
  if (format === 'local') return parseLocalDeviceTime(raw, timezone, nowMs, field);
  if (format === 'iso8601') {
    const ms = typeof raw === 'string' ? parseIsoInstant(raw) : NaN;
    if (Number.isNaN(ms)) return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" is not ISO 8601 with an offset` };
    return checkTimestampMs(ms, nowMs, `"${field}"`);
  }
  const n = numericField(raw);
  if (!Number.isFinite(n)) return { ok: false, reason: 'invalid-timestamp', detail: `"${field}" is not a number` };
  return checkTimestampMs(Math.round(format === 'epoch-s' ? n * 1000 : n), nowMs, `"${field}"`);
}

export const mappingProfile: DeviceProfile<Options> = {
  name: 'mapping',
  description: 'a generic JSON mapping (gateways): topic pattern, a JSON pointer and a scale per quantity, an optional timestamp pointer',
  options,
  quantities: QUANTITY_NAMES,
  viaBridge: false,
  check(device, o) {
    const issues: { path: (string | number)[]; message: string }[] = [];
    if (device.topic === undefined) issues.push({ path: ['topic'], message: 'the mapping profile needs the topic (or a filter with + levels) the gateway publishes on' });
    else {
      const levels = device.topic.split('/');
      levels.forEach((l, i) => {
        if ((l.includes('+') && l !== '+') || (l.includes('#') && (l !== '#' || i !== levels.length - 1))) {
          issues.push({ path: ['topic'], message: `"${device.topic}": "+" must be a whole level and "#" the whole last level (MQTT 3.1.1 §4.7.1)` });
        }
      });
    }
    for (const q of Object.keys(o.fields)) if (!device.quantities.includes(q as QuantityName)) issues.push({ path: ['options', 'fields', q], message: `quantity "${q}" is not in the device's quantities` });
    device.quantities.forEach((q, i) => {
      if (!Object.hasOwn(o.fields, q)) issues.push({ path: ['quantities', i], message: `no field of options.fields gives "${q}"` });
    });
    return issues;
  },
  compile(device, o, ctx) {
    const site = ctx.site.id;
    const topic = device.topic!;
    const wild = topic.split('/').some((l) => l === '+' || l === '#');
    const fields = Object.entries(o.fields).map(([q, f]) => ({ quantity: q as QuantityName, pointer: f.pointer, path: compilePointer(f.pointer) as CompiledPointer, scale: f.scale }));
    const ts = o.timestamp ? { ...o.timestamp, path: compilePointer(o.timestamp.pointer) as CompiledPointer } : undefined;
    return {
      site,
      device: device.id,
      owner: `${site}/${device.id}`,
      topics: wild ? [] : [topic],
      spaces: [],
      patterns: wild ? [topic] : [],
      subscribe: [],
      serviceFilters: [topic],
      decode(_t, payload, nowMs, out) {
        const json = parseJson(payload, out);
        if (json === undefined) return;
        let time: ReadingTime = { tsMs: nowMs, fromServer: true };
        if (ts) {
          const raw = resolvePointer(json, ts.path);
          if (raw === undefined) return void out.rejections.push({ reason: 'missing-field', field: ts.pointer, detail: `no timestamp at ${ts.pointer}` });
          const r = readTime(raw, ts.format, ctx.site.timezone, nowMs, ts.pointer);
          if (!r.ok) return void out.rejections.push({ reason: r.reason, field: ts.pointer, detail: r.detail });
          time = { tsMs: r.tsMs, fromServer: false };
        }
        for (const f of fields) {
          const raw = resolvePointer(json, f.path);
          if (raw === undefined) {
            out.rejections.push({ reason: 'missing-field', field: f.pointer, detail: `${f.quantity}: nothing at ${f.pointer}` });
            continue;
          }
          const value = numericField(raw);
          const inverse = Math.abs(f.scale) < 1 ? Math.round(1 / f.scale) : 0;
          const exactDivisor = inverse !== 0 && Math.abs(1 / inverse - f.scale) < 1e-15;
          emit(out, site, device.id, f.quantity, f.pointer, Number.isFinite(value) ? value : raw, time, exactDivisor ? inverse : 1, exactDivisor ? 1 : f.scale);
        }
      },
    };
  },
};
