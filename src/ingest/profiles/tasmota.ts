import { z } from 'zod';
import type { QuantityName } from '../../config/quantities.js';
import { parseLocalDeviceTime } from './local-time.js';
import type { DeviceProfile, ProfileOutput } from './types.js';
import { emit, isObject, parseAvailability, parseJson, type ReadingTime } from './values.js';

/**
 * Tasmota (https://tasmota.github.io/docs/MQTT/): with the default FullTopic `%prefix%/%topic%/`
 * a device whose Topic is `T` publishes telemetry every TelePeriod on `tele/T/SENSOR`:
 *
 *   {"Time":"2018-01-17T18:59:50","ENERGY":{"Total":1.956,"Yesterday":0.054,"Today":0.049,
 *    "Period":0,"Power":9,"Factor":0.43,"Voltage":231,"Current":0.089}}
 *
 * (a Sonoff POW, https://github.com/arendst/Tasmota/issues/1621). `ENERGY.Total` is the kWh
 * index (it restarts at 0 when the counter is cleared with `EnergyReset3 0`: the analytics'
 * reset rule takes it, counters.ts), `ENERGY.Power` the active power in W (an array on
 * multi-channel devices: summed). Sensors appear as their own object (`"AM2301":{"Temperature":
 * 21.5,"Humidity":45}`, `"SCD30":{"CarbonDioxide":612,...}`), with `"TempUnit":"C"`.
 * `tele/T/LWT` carries `Online`/`Offline` (the will): the online status.
 * STATE, INFO1-3 and `stat/T/…` (command results) are device state, not readings: ignored.
 *
 * `Time` is LOCAL time without an offset unless SetOption52 is on: it is read in the site's time
 * zone (`timestamp: device`, the default; the repeated autumn hour is refused as
 * `ambiguous-timestamp`), or ignored for the receive time (`timestamp: receive`).
 */
const options = z.strictObject({
  timestamp: z.enum(['device', 'receive']).default('device'),
  /** The sensor object to read temperature/humidity/CO2 from (e.g. "AM2301"); default the first that has them. */
  sensor: z.string().min(1).optional(),
});
type Options = z.infer<typeof options>;

const SENSOR_FIELDS: readonly [QuantityName, string][] = [
  ['temperature_c', 'Temperature'],
  ['humidity_pct', 'Humidity'],
  ['co2_ppm', 'CarbonDioxide'],
];
/**
 * Multi-channel energy monitors (Shelly 2.5, dual-channel ADE7953…) publish `Power` as an array
 * per channel, and `Total` too with SetOption129 1: the device's reading is their sum.
 */
function sumOfChannels(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  let sum = 0;
  for (const v of value) {
    if (typeof v !== 'number') return value;
    sum += v;
  }
  return Math.round(sum * 1e6) / 1e6;
}

const IGNORED_TELE = /^(?:STATE|INFO\d|HASS_STATE|RESULT|MARGINS|UPTIME)$/;

export const tasmotaProfile: DeviceProfile<Options> = {
  name: 'tasmota',
  description: 'Tasmota firmware: tele/<topic>/SENSOR (ENERGY.Total kWh, ENERGY.Power W, sensors), tele/<topic>/LWT',
  options,
  quantities: ['energy_kwh', 'power_w', 'temperature_c', 'humidity_pct', 'co2_ppm'],
  viaBridge: false,
  compile(device, opts, ctx) {
    const t = device.topic ?? device.id;
    const site = ctx.site.id;
    const timezone = ctx.site.timezone;
    const sensorTopic = `tele/${t}/SENSOR`;
    const lwtTopic = `tele/${t}/LWT`;
    const declared = new Set(device.quantities);
    const wantsEnergy = declared.has('energy_kwh') || declared.has('power_w');
    const wantsSensor = SENSOR_FIELDS.some(([q]) => declared.has(q));
    return {
      site,
      device: device.id,
      owner: `${site}/${device.id}`,
      topics: [sensorTopic, lwtTopic],
      spaces: [`tele/${t}`, `stat/${t}`],
      patterns: [],
      // Tasmota listens on cmnd/<topic>/# and its group topic cmnd/tasmotas/#.
      subscribe: [`cmnd/${t}/#`, 'cmnd/tasmotas/#'],
      // Tasmota's discovery (SetOption19 0, the default since 9.2) and Home Assistant's (SetOption19 1), retained at boot.
      tolerated: ['tasmota/discovery/#', 'homeassistant/#'],
      serviceFilters: [sensorTopic, lwtTopic],
      decode(topic: string, payload: Buffer, nowMs: number, out: ProfileOutput) {
        if (topic === lwtTopic) {
          const online = parseAvailability(payload);
          if (online === undefined) out.rejections.push({ reason: 'malformed-payload', detail: `LWT payload ${JSON.stringify(payload.toString('utf8').slice(0, 40))} is neither Online nor Offline` });
          else out.availability = { site, device: device.id, online };
          return;
        }
        if (topic !== sensorTopic) {
          const last = topic.slice(topic.lastIndexOf('/') + 1);
          if (topic.startsWith('stat/') || IGNORED_TELE.test(last)) return;
          out.rejections.push({ reason: 'unknown-topic', detail: `topic "${topic.slice(0, 120)}" is not one a Tasmota device publishes readings on (tele/${t}/SENSOR)` });
          return;
        }
        const json = parseJson(payload, out);
        if (json === undefined) return;
        if (!isObject(json)) {
          out.rejections.push({ reason: 'malformed-payload', detail: 'expected a JSON object' });
          return;
        }
        let time: ReadingTime = { tsMs: nowMs, fromServer: true };
        if (opts.timestamp === 'device') {
          const ts = parseLocalDeviceTime(json.Time, timezone, nowMs, 'Time');
          if (!ts.ok) {
            out.rejections.push({ reason: ts.reason, field: 'Time', detail: ts.detail });
            return;
          }
          time = { tsMs: ts.tsMs, fromServer: false };
        }
        const before = out.readings.length + out.rejections.length;
        const energy = json.ENERGY;
        if (wantsEnergy && isObject(energy)) {
          if (declared.has('energy_kwh') && energy.Total !== undefined) emit(out, site, device.id, 'energy_kwh', 'ENERGY.Total', sumOfChannels(energy.Total), time);
          if (declared.has('power_w') && energy.Power !== undefined) emit(out, site, device.id, 'power_w', 'ENERGY.Power', sumOfChannels(energy.Power), time);
        }
        const sensor = !wantsSensor ? undefined : opts.sensor !== undefined ? json[opts.sensor] : Object.values(json).find((v) => isObject(v) && SENSOR_FIELDS.some(([, key]) => v[key] !== undefined));
        if (isObject(sensor)) {
          for (const [quantity, key] of SENSOR_FIELDS) {
            if (!declared.has(quantity) || sensor[key] === undefined) continue;
            if (quantity === 'temperature_c' && json.TempUnit !== undefined && json.TempUnit !== 'C') {
              out.rejections.push({ reason: 'unsupported-unit', field: 'TempUnit', detail: `"TempUnit" ${JSON.stringify(json.TempUnit)}: set SetOption8 0 for °C` });
              continue;
            }
            emit(out, site, device.id, quantity, `${opts.sensor ?? 'sensor'}.${key}`, sensor[key], time);
          }
        }
        if (out.readings.length + out.rejections.length === before) {
          out.rejections.push({ reason: 'missing-field', detail: `no declared quantity (${device.quantities.join(', ')}) in the SENSOR message` });
        }
      },
    };
  },
};
