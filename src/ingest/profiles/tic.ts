import { z } from 'zod';
import type { DeviceConfig } from '../../config/schema.js';
import type { ProfileOutput } from './types.js';
import { emit, type ReadingTime } from './values.js';

/**
 * The Linky meter's customer port (TIC, Enedis-NOI-CPT_54E). Its energy indexes are one per
 * tariff period: historic mode `BASE`, `HCHC`/`HCHP` (off-peak/peak), `EJPHN`/`EJPHPM`,
 * `BBRHCJB`…`BBRHPJR` (Tempo); standard mode `EASF01`…`EASF10` (supplier periods). All in Wh.
 *
 * What is kept (README "Connecting real devices"):
 * - `energy_kwh` of the device = the SUM of the configured `tariffs`, the meter's total index;
 *   emitted only when every configured tariff is in the message (a partial sum would look like
 *   a counter reset and count the whole index again);
 * - each tariff index as `energy_kwh` of a SUB-CHANNEL device `{device}-{label}` (e.g.
 *   `linky-hchc`), so that peak and off-peak use can be shown. Sub-channels are not configured
 *   devices: the site totals (energy/site-data.ts walks the configured devices) never add them,
 *   so nothing is counted twice. The API resolves them to their parent (api/site-catalog.ts).
 */
export const HISTORIC_INDEXES = ['BASE', 'HCHC', 'HCHP', 'EJPHN', 'EJPHPM', 'BBRHCJB', 'BBRHPJB', 'BBRHCJW', 'BBRHPJW', 'BBRHCJR', 'BBRHPJR'] as const;
export const STANDARD_INDEXES = ['EASF01', 'EASF02', 'EASF03', 'EASF04', 'EASF05', 'EASF06', 'EASF07', 'EASF08', 'EASF09', 'EASF10'] as const;
export type TicIndex = (typeof HISTORIC_INDEXES)[number] | (typeof STANDARD_INDEXES)[number];

export const ticOptions = z
  .strictObject({
    mode: z.enum(['historique', 'standard']).default('historique'),
    /** The tariff indexes of the contract, e.g. [HCHC, HCHP] (historic HP/HC) or [EASF01, EASF02]. */
    tariffs: z.array(z.enum([...HISTORIC_INDEXES, ...STANDARD_INDEXES])).min(1, 'list the contract\'s tariff indexes, e.g. [HCHC, HCHP]'),
    /**
     * The TIC gives apparent power (PAPP / SINSTS, in VA), not active power. Only when this is
     * true is it stored as `power_w`, as the approximation P ≈ S (power factor taken as 1).
     */
    apparentPowerAsActivePower: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    const allowed: readonly string[] = o.mode === 'historique' ? HISTORIC_INDEXES : STANDARD_INDEXES;
    o.tariffs.forEach((t, i) => {
      if (!allowed.includes(t)) ctx.addIssue({ code: 'custom', path: ['tariffs', i], message: `"${t}" is not a ${o.mode} mode index (${allowed.join(', ')})` });
      if (o.tariffs.indexOf(t) !== i) ctx.addIssue({ code: 'custom', path: ['tariffs', i], message: `"${t}" is listed twice` });
    });
  });
export type TicOptions = z.infer<typeof ticOptions>;

export function ticSubChannels(device: DeviceConfig, options: TicOptions): string[] {
  return options.tariffs.map((t) => subChannelId(device.id, t));
}

/**
 * `linky-hchp`: an identifier like any device id (the API's `device` parameter and the stores'
 * tags take it as it is). The configuration check refuses a device whose id is one of them.
 */
export function subChannelId(device: string, label: string): string {
  return `${device}-${label.toLowerCase()}`;
}

/**
 * Emits the per-tariff sub-channel readings and their sum. `valueOf(label)` gives the index in
 * kWh (NaN when not a number), or undefined when the message does not carry it.
 */
export function emitTariffIndexes(out: ProfileOutput, site: string, device: string, options: TicOptions, time: ReadingTime, valueOf: (label: TicIndex) => number | undefined, fieldOf: (label: TicIndex) => string): void {
  let sumKWh = 0;
  const missing: string[] = [];
  let invalid = false;
  for (const label of options.tariffs) {
    const kWh = valueOf(label);
    if (kWh === undefined) {
      missing.push(label);
      continue;
    }
    const before = out.rejections.length;
    emit(out, site, subChannelId(device, label), 'energy_kwh', fieldOf(label), kWh, time);
    if (out.rejections.length > before) invalid = true;
    else sumKWh += kWh;
  }
  if (missing.length > 0) {
    out.rejections.push({ reason: 'missing-field', field: missing.join(','), detail: `tariff index ${missing.map((m) => fieldOf(m as TicIndex)).join(', ')} missing: energy_kwh (their sum) not stored for this message` });
  } else if (!invalid) {
    emit(out, site, device, 'energy_kwh', options.tariffs.map(fieldOf).join('+'), Math.round(sumKWh * 1e6) / 1e6, time);
  }
}
