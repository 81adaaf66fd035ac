import { z } from 'zod';
import type { QuantityName } from '../../config/quantities.js';
import { checkTimestampMs } from '../timestamp.js';
import type { DeviceProfile, ProfileOutput } from './types.js';
import { emit, isObject, parseAvailability, parseJson, type ReadingTime } from './values.js';

/**
 * Shelly Gen2/Gen3 (https://shelly-api-docs.shelly.cloud/gen2/General/Notifications and the EM,
 * EMData, EM1, EM1Data, Switch component pages). With "Generic status update over MQTT" on, a
 * device whose topic prefix is `P` publishes each component's status on `P/status/<component>`:
 *
 * - `component: em` (Pro 3EM): `P/status/em:0` `{"id":0,"total_act_power":2853.6,…}` (W) and
 *   `P/status/emdata:0` `{"id":0,"total_act":542.42,"total_act_ret":0,…}` (Wh);
 * - `component: em1` (Pro EM, EM Gen3): `P/status/em1:N` `{"act_power":501.8,…}` and
 *   `P/status/em1data:N` `{"total_act_energy":6644.90,…}` (Wh);
 * - `component: switch` (Plus 1PM, Plug S…) or `pm1` (Plus PM Mini): `P/status/switch:N`
 *   `{"apower":15.8,"aenergy":{"total":9492.468,…}}` (W, Wh).
 *
 * Every notification also arrives as RPC on `P/events/rpc`:
 * `{"src":"…","dst":"P/events","method":"NotifyStatus","params":{"ts":1631266595.43,"em:0":{…}}}`
 * (`ts`: Unix seconds, the device's own time; a NotifyStatus carries only what changed).
 * `P/online` is `true`/`false` (its will): the online status. Energies in Wh are stored in kWh.
 * The counters restart at 0 after EMData.ResetCounters or some firmware updates: the analytics'
 * reset rule takes it (counters.ts). Other status components (sys, wifi…) are ignored.
 */
const options = z.strictObject({
  component: z.enum(['em', 'em1', 'switch', 'pm1']).default('em'),
  channel: z.number().int().min(0).max(15).default(0),
});
type Options = z.infer<typeof options>;

interface Field {
  key: string;
  quantity: QuantityName;
  /** Path inside the component's status object. */
  path: readonly string[];
  whToKWh: boolean;
}

function fieldsOf(component: Options['component'], channel: number): { statusKey: string; dataKey: string | null; fields: Field[] } {
  if (component === 'em') {
    return {
      statusKey: `em:${channel}`,
      dataKey: `emdata:${channel}`,
      fields: [
        { key: `em:${channel}`, quantity: 'power_w', path: ['total_act_power'], whToKWh: false },
        { key: `emdata:${channel}`, quantity: 'energy_kwh', path: ['total_act'], whToKWh: true },
      ],
    };
  }
  if (component === 'em1') {
    return {
      statusKey: `em1:${channel}`,
      dataKey: `em1data:${channel}`,
      fields: [
        { key: `em1:${channel}`, quantity: 'power_w', path: ['act_power'], whToKWh: false },
        { key: `em1data:${channel}`, quantity: 'energy_kwh', path: ['total_act_energy'], whToKWh: true },
      ],
    };
  }
  // switch:N (Plus 1PM, Plug S…) and pm1:N (Plus PM Mini) carry the same apower / aenergy.total.
  const key = `${component}:${channel}`;
  return {
    statusKey: key,
    dataKey: null,
    fields: [
      { key, quantity: 'power_w', path: ['apower'], whToKWh: false },
      { key, quantity: 'energy_kwh', path: ['aenergy', 'total'], whToKWh: true },
    ],
  };
}

function at(object: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = object;
  for (const key of path) v = isObject(v) ? v[key] : undefined;
  return v;
}

export const shellyGen2Profile: DeviceProfile<Options> = {
  name: 'shelly-gen2',
  description: 'Shelly Gen2/Gen3: <prefix>/status/em:0 + emdata:0 (or em1/em1data, switch), <prefix>/events/rpc NotifyStatus, <prefix>/online',
  options,
  quantities: ['energy_kwh', 'power_w'],
  viaBridge: false,
  compile(device, opts, ctx) {
    const p = device.topic ?? device.id;
    const site = ctx.site.id;
    const declared = new Set(device.quantities);
    const { statusKey, dataKey, fields } = fieldsOf(opts.component, opts.channel);
    const wanted = fields.filter((f) => declared.has(f.quantity));
    const statusTopics = new Map<string, string>([[`${p}/status/${statusKey}`, statusKey]]);
    if (dataKey) statusTopics.set(`${p}/status/${dataKey}`, dataKey);
    const rpcTopic = `${p}/events/rpc`;
    const onlineTopic = `${p}/online`;
    /** Emits the wanted fields found in `components` (status objects by component key). */
    const read = (components: Record<string, unknown>, time: ReadingTime, out: ProfileOutput): number => {
      let found = 0;
      for (const f of wanted) {
        const status = components[f.key];
        if (!isObject(status)) continue;
        const raw = at(status, f.path);
        if (raw === undefined) continue;
        found++;
        emit(out, site, device.id, f.quantity, `${f.key}.${f.path.join('.')}`, raw, time, f.whToKWh ? 1000 : 1);
      }
      return found;
    };
    return {
      site,
      device: device.id,
      owner: `${site}/${device.id}`,
      topics: [...statusTopics.keys(), rpcTopic, onlineTopic],
      spaces: [p],
      patterns: [],
      // The device listens on <prefix>/rpc and <prefix>/command(/…).
      subscribe: [`${p}/rpc`, `${p}/command`, `${p}/command/#`],
      serviceFilters: [...statusTopics.keys(), rpcTopic, onlineTopic],
      decode(topic, payload, nowMs, out) {
        if (topic === onlineTopic) {
          const online = parseAvailability(payload);
          if (online === undefined) out.rejections.push({ reason: 'malformed-payload', detail: `online payload ${JSON.stringify(payload.toString('utf8').slice(0, 40))} is neither true nor false` });
          else out.availability = { site, device: device.id, online };
          return;
        }
        const component = statusTopics.get(topic);
        if (component !== undefined) {
          const json = parseJson(payload, out);
          if (json === undefined) return;
          if (!isObject(json)) return void out.rejections.push({ reason: 'malformed-payload', detail: 'expected a JSON object (a component status)' });
          if (read({ [component]: json }, { tsMs: nowMs, fromServer: true }, out) === 0 && wanted.some((f) => f.key === component)) {
            out.rejections.push({ reason: 'missing-field', detail: `"${component}" status holds none of ${wanted.filter((f) => f.key === component).map((f) => f.path.join('.')).join(', ')}` });
          }
          return;
        }
        if (topic === rpcTopic) {
          const json = parseJson(payload, out);
          if (json === undefined) return;
          if (!isObject(json) || typeof json.method !== 'string') return void out.rejections.push({ reason: 'malformed-payload', detail: 'expected a JSON-RPC notification with "method"' });
          if (json.method !== 'NotifyStatus' && json.method !== 'NotifyFullStatus') return; // NotifyEvent…: not readings
          const params = json.params;
          if (!isObject(params)) return void out.rejections.push({ reason: 'malformed-payload', field: 'params', detail: '"params" is not an object' });
          let time: ReadingTime = { tsMs: nowMs, fromServer: true };
          if (params.ts !== undefined) {
            if (typeof params.ts !== 'number') return void out.rejections.push({ reason: 'invalid-timestamp', field: 'params.ts', detail: '"params.ts" is not a number of seconds' });
            const ts = checkTimestampMs(Math.round(params.ts * 1000), nowMs, '"params.ts"');
            if (!ts.ok) return void out.rejections.push({ reason: ts.reason, field: 'params.ts', detail: ts.detail });
            time = { tsMs: ts.tsMs, fromServer: false };
          }
          read(params, time, out);
          return;
        }
        // Other components' status (sys, wifi, input:0…) and RPC replies are device state, not readings.
        if (topic.startsWith(`${p}/status/`) || topic.startsWith(`${p}/events/`) || topic.startsWith(`${p}/debug/`)) return;
        out.rejections.push({ reason: 'unknown-topic', detail: `topic "${topic.slice(0, 120)}" is not one a Shelly publishes readings on (${[...statusTopics.keys()].join(', ')})` });
      },
    };
  },
};
