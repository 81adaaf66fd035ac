import { compileBridged } from './zigbee2mqtt.js';
import { emitTariffIndexes, ticOptions, ticSubChannels, type TicIndex, type TicOptions } from './tic.js';
import type { DeviceProfile } from './types.js';
import { emit } from './values.js';

/**
 * LiXee ZLinky_TIC, the Zigbee reader of the Linky TIC port, through zigbee2mqtt. Its converter
 * (Koenkk/zigbee-herdsman-converters src/devices/lixee.ts) publishes the TIC labels under the
 * Zigbee attribute names, indexes already in kWh ("Wh to kWh"):
 *
 * - historic: BASE = `current_summ_delivered`; HCHC, EJPHN, BBRHCJB = `current_tier1_summ_delivered`;
 *   HCHP, EJPHPM, BBRHPJB = `current_tier2_summ_delivered`; BBRHCJW/BBRHPJW/BBRHCJR/BBRHPJR =
 *   tiers 3 to 6; PAPP (VA) = `apparent_power`;
 * - standard: EASF01…EASF10 = `current_tier1_summ_delivered`…`current_tier10_summ_delivered`;
 *   SINSTS (VA) = `apparent_power` (single phase) or `total_apparent_power` (three phases).
 *
 * See tic.ts for what is kept (the sum as `energy_kwh`, each tariff as a sub-channel).
 */
const HISTORIC_PROPERTY: Record<string, string> = {
  BASE: 'current_summ_delivered',
  HCHC: 'current_tier1_summ_delivered',
  EJPHN: 'current_tier1_summ_delivered',
  BBRHCJB: 'current_tier1_summ_delivered',
  HCHP: 'current_tier2_summ_delivered',
  EJPHPM: 'current_tier2_summ_delivered',
  BBRHPJB: 'current_tier2_summ_delivered',
  BBRHCJW: 'current_tier3_summ_delivered',
  BBRHPJW: 'current_tier4_summ_delivered',
  BBRHCJR: 'current_tier5_summ_delivered',
  BBRHPJR: 'current_tier6_summ_delivered',
};

/**
 * zigbee2mqtt before the converter's snake_case names (2021, zigbee-herdsman-converters PR 3493)
 * published the attributes as such, in Wh: `currentTier1SummDelivered`, `currentSummDelivered`.
 */
function legacyProperty(property: string): string {
  return property.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function zlinkyProperty(label: TicIndex): string {
  if (label.startsWith('EASF')) return `current_tier${Number(label.slice(4))}_summ_delivered`;
  return HISTORIC_PROPERTY[label]!;
}

export const zlinkyProfile: DeviceProfile<TicOptions> = {
  name: 'zlinky',
  description: 'LiXee ZLinky_TIC (Linky TIC over Zigbee) through zigbee2mqtt: per-tariff indexes in kWh, apparent power in VA',
  options: ticOptions,
  quantities: ['energy_kwh', 'power_w'],
  viaBridge: true,
  subChannels: ticSubChannels,
  check(device, options) {
    if (device.quantities.includes('power_w') && !options.apparentPowerAsActivePower) {
      return [{ path: ['quantities'], message: 'the TIC gives apparent power (VA) only: set options.apparentPowerAsActivePower: true to store it as power_w (an approximation), or drop power_w' }];
    }
    return [];
  },
  compile(device, options, ctx) {
    const site = ctx.site.id;
    const energy = device.quantities.includes('energy_kwh');
    const power = device.quantities.includes('power_w');
    return compileBridged(device, ctx, (state, time, out) => {
      if (energy) {
        emitTariffIndexes(out, site, device.id, options, time, (label) => {
          const property = zlinkyProperty(label);
          const raw = state[property];
          if (raw !== undefined && raw !== null) return typeof raw === 'number' ? raw : NaN;
          const legacy = state[legacyProperty(property)];
          return legacy === undefined || legacy === null ? undefined : typeof legacy === 'number' ? legacy / 1000 : NaN;
        }, zlinkyProperty);
      }
      if (power) {
        const key = state.apparent_power !== undefined ? 'apparent_power' : state.total_apparent_power !== undefined ? 'total_apparent_power' : 'apparentPower';
        if (state[key] !== undefined) emit(out, site, device.id, 'power_w', key, state[key], time);
        else if (!energy) out.rejections.push({ reason: 'missing-field', detail: 'no "apparent_power" in the ZLinky state' });
      }
    });
  },
};
