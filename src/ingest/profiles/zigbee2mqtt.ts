import { z } from 'zod';
import type { QuantityName } from '../../config/quantities.js';
import type { BridgeConfig, DeviceConfig } from '../../config/schema.js';
import type { CompileContext, CompiledDevice, DeviceProfile, ProfileOutput } from './types.js';
import { checkTimestampMs } from '../timestamp.js';
import { parseIsoInstant } from './local-time.js';
import { emit, isObject, parseAvailability, parseJson, type ReadingTime } from './values.js';

/**
 * zigbee2mqtt (https://www.zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html): ONE MQTT
 * client, the bridge, publishes for every paired device: `<base_topic>/<friendly_name>` with the
 * device's whole state as JSON (cache_state, on by default), e.g. (from that page) a Xiaomi
 * WSDCGQ01LM `{"temperature":27.34,"humidity":44.72}`, a RTCGQ01LM motion sensor
 * `{"occupancy":true}`; a plug adds `power` (W) and `energy` (kWh). With advanced.last_seen set,
 * `last_seen` (ISO 8601 with Z or offset, or epoch ms) is the reading time.
 * Availability: `<base_topic>/<friendly_name>/availability` `{"state":"online"}` (legacy: plain
 * `online`); the bridge's own `<base_topic>/bridge/state` likewise.
 *
 * So the bridge is configured once per site (`bridges:`), with its credentials; each device names
 * its bridge and its friendly name (`topic:`, default its id). `occupancy` is a boolean: it is
 * stored as the `presence` quantity (1 present, 0 absent), not as a head count.
 */
const FIELDS: readonly [QuantityName, string][] = [
  ['energy_kwh', 'energy'],
  ['power_w', 'power'],
  ['temperature_c', 'temperature'],
  ['humidity_pct', 'humidity'],
  ['co2_ppm', 'co2'],
  ['presence', 'occupancy'],
];

/** The two topics of a bridged device, from its bridge's base topic and its friendly name. */
export function bridgedTopics(device: DeviceConfig, ctx: CompileContext): { bridge: BridgeConfig; state: string; availability: string } {
  const bridge = ctx.bridge(device.bridge!);
  const state = `${bridge.baseTopic}/${device.topic ?? device.id}`;
  return { bridge, state, availability: `${state}/availability` };
}

/** A bridged device's compiled routes; `decodeState` reads its JSON state object. */
/**
 * The reading time of a state message: `last_seen` when zigbee2mqtt adds it (advanced.last_seen:
 * ISO_8601 gives UTC with Z, ISO_8601_local an offset, epoch milliseconds), else the receive time.
 */
function stateTime(state: Record<string, unknown>, nowMs: number, out: ProfileOutput): ReadingTime | null {
  const seen = state.last_seen;
  if (seen === undefined || seen === null) return { tsMs: nowMs, fromServer: true };
  const ms = typeof seen === 'number' ? seen : typeof seen === 'string' ? parseIsoInstant(seen) : NaN;
  const ts = checkTimestampMs(ms, nowMs, '"last_seen"');
  if (!ts.ok) {
    out.rejections.push({ reason: ts.reason, field: 'last_seen', detail: ts.detail });
    return null;
  }
  return { tsMs: ts.tsMs, fromServer: false };
}

export function compileBridged(device: DeviceConfig, ctx: CompileContext, decodeState: (state: Record<string, unknown>, time: ReadingTime, out: ProfileOutput) => void): CompiledDevice {
  const { bridge, state, availability } = bridgedTopics(device, ctx);
  const site = ctx.site.id;
  return {
    site,
    device: device.id,
    owner: `${site}/${bridge.id}`,
    topics: [state, availability],
    spaces: [],
    patterns: [],
    subscribe: [],
    serviceFilters: [state, availability],
    decode(topic, payload, nowMs, out) {
      if (topic === availability) {
        const online = parseAvailability(payload);
        if (online === undefined) out.rejections.push({ reason: 'malformed-payload', detail: `availability payload ${JSON.stringify(payload.toString('utf8').slice(0, 40))} is neither online nor offline` });
        else out.availability = { site, device: device.id, online };
        return;
      }
      const json = parseJson(payload, out);
      if (json === undefined) return;
      if (!isObject(json)) return void out.rejections.push({ reason: 'malformed-payload', detail: 'expected the device state as a JSON object' });
      const time = stateTime(json, nowMs, out);
      if (time) decodeState(json, time, out);
    },
  };
}

/**
 * The bridge's own topic space `<base_topic>/#`: `bridge/state` gives its online status, the
 * other `bridge/…` topics (info, devices, groups, definitions, extensions, logging, event,
 * response/…) are its API, not readings. A friendly name configured under no device of this
 * bridge is a rejection (`unknown-device`), not a closed connection: zigbee2mqtt publishes every
 * paired device, and the broker must not cut the bridge off for an unconfigured one.
 */
export function compileBridge(bridge: BridgeConfig, siteId: string): CompiledDevice {
  const base = bridge.baseTopic;
  const stateTopic = `${base}/bridge/state`;
  return {
    site: siteId,
    device: bridge.id,
    owner: `${siteId}/${bridge.id}`,
    topics: [stateTopic],
    spaces: [base],
    patterns: [],
    // zigbee2mqtt subscribes to <base_topic>/# (set/get commands, bridge requests) and homeassistant/status.
    subscribe: [`${base}/#`, 'homeassistant/status'],
    // With its Home Assistant integration on, zigbee2mqtt publishes discovery under homeassistant/.
    tolerated: ['homeassistant/#'],
    serviceFilters: [stateTopic],
    decode(topic, payload, _nowMs, out) {
      if (topic === stateTopic) {
        const online = parseAvailability(payload);
        if (online !== undefined) out.availability = { site: siteId, device: bridge.id, online };
        else out.rejections.push({ reason: 'malformed-payload', detail: `bridge state ${JSON.stringify(payload.toString('utf8').slice(0, 40))} is neither online nor offline` });
        return;
      }
      if (topic.startsWith(`${base}/bridge/`)) return;
      const name = topic.slice(base.length + 1).replace(/\/availability$/, '');
      out.rejections.push({ reason: 'unknown-device', detail: `bridge "${bridge.id}" publishes for "${name.slice(0, 80)}", which no device of site "${siteId}" names (topic: friendly name, bridge: ${bridge.id})` });
    },
  };
}

export const zigbee2mqttProfile: DeviceProfile<Record<string, never>> = {
  name: 'zigbee2mqtt',
  description: 'a zigbee2mqtt device: <base_topic>/<friendly_name> (energy kWh, power W, temperature, humidity, co2, occupancy), through a bridge',
  options: z.strictObject({}),
  quantities: FIELDS.map(([q]) => q),
  viaBridge: true,
  compile(device, _options, ctx) {
    const site = ctx.site.id;
    const wanted = FIELDS.filter(([q]) => device.quantities.includes(q));
    return compileBridged(device, ctx, (state, time, out) => {
      let found = 0;
      for (const [quantity, key] of wanted) {
        const raw = state[key];
        if (raw === undefined || raw === null) continue;
        found++;
        if (quantity === 'presence' && typeof raw !== 'boolean') {
          out.rejections.push({ reason: 'invalid-value', field: key, detail: `"${key}": ${JSON.stringify(raw).slice(0, 40)} is not a boolean` });
          continue;
        }
        emit(out, site, device.id, quantity, key, raw, time);
      }
      if (found === 0) out.rejections.push({ reason: 'missing-field', detail: `none of ${wanted.map(([, k]) => `"${k}"`).join(', ')} in the state of "${device.topic ?? device.id}"` });
    });
  },
};
