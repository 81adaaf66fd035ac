import { emitTariffIndexes, ticOptions, ticSubChannels, type TicOptions } from './tic.js';
import type { DeviceProfile } from './types.js';
import { emit, isObject, numericField, parseJson } from './values.js';

/**
 * Teleinfo-to-MQTT gateways for the Linky (or older electronic) meter's TIC port, publishing one
 * JSON object per frame with one key per TIC label. teleinfo2mqtt
 * (https://github.com/fmartinou/teleinfo2mqtt, docs/mqtt/README.md) publishes on
 * `teleinfo/<ADCO or ADSC>`:
 *
 *   {"ADCO":{"raw":"12345678901","value":12345678901},"OPTARIF":{"raw":"HC..","value":"HC"},
 *    "HCHC":{"raw":"9058688","value":9058688},"HCHP":{"raw":"9752846","value":9752846},
 *    "PTEC":{"raw":"HP..","value":"HP"},"PAPP":{"raw":"4110","value":4110}, …}
 *
 * Indexes are in Wh (stored in kWh); PAPP/SINSTS are apparent power in VA. Values may also be
 * plain numbers or the raw zero-padded strings ("009058688") of other gateways. `topic:` is the
 * full topic (default `teleinfo/{device id}`). See tic.ts for what is kept.
 */
const options = ticOptions;

export const teleinfoProfile: DeviceProfile<TicOptions> = {
  name: 'teleinfo',
  description: 'a Teleinfo-to-MQTT gateway (teleinfo2mqtt…): one JSON object per TIC frame, indexes in Wh, PAPP/SINSTS in VA',
  options,
  quantities: ['energy_kwh', 'power_w'],
  viaBridge: false,
  subChannels: ticSubChannels,
  check(device, o) {
    if (device.quantities.includes('power_w') && !o.apparentPowerAsActivePower) {
      return [{ path: ['quantities'], message: 'the TIC gives apparent power (VA) only: set options.apparentPowerAsActivePower: true to store it as power_w (an approximation), or drop power_w' }];
    }
    return [];
  },
  compile(device, o, ctx) {
    const site = ctx.site.id;
    const topic = device.topic ?? `teleinfo/${device.id}`;
    const energy = device.quantities.includes('energy_kwh');
    const power = device.quantities.includes('power_w');
    return {
      site,
      device: device.id,
      owner: `${site}/${device.id}`,
      topics: [topic],
      spaces: [topic],
      patterns: [],
      subscribe: [],
      // teleinfo2mqtt publishes Home Assistant discovery by default (HASS_DISCOVERY=true, docs/configuration/README.md).
      tolerated: ['homeassistant/#'],
      serviceFilters: [topic],
      decode(t, payload, nowMs, out) {
        if (t !== topic) return void out.rejections.push({ reason: 'unknown-topic', detail: `topic "${t.slice(0, 120)}" is not the gateway's frame topic "${topic}"` });
        const json = parseJson(payload, out);
        if (json === undefined) return;
        if (!isObject(json)) return void out.rejections.push({ reason: 'malformed-payload', detail: 'expected a JSON object of TIC labels' });
        const time = { tsMs: nowMs, fromServer: true };
        if (energy) emitTariffIndexes(out, site, device.id, o, time, (label) => (json[label] === undefined ? undefined : numericField(json[label]) / 1000), (label) => label);
        if (power) {
          const label = json.PAPP !== undefined ? 'PAPP' : 'SINSTS';
          if (json[label] !== undefined) emit(out, site, device.id, 'power_w', label, numericField(json[label]), time);
          else if (!energy) out.rejections.push({ reason: 'missing-field', detail: 'no PAPP or SINSTS in the frame' });
        }
      },
    };
  },
};

