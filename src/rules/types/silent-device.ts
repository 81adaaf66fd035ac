import { z } from 'zod';
import { durationSchema } from '../duration.js';
import type { RuleTypeDef } from '../rule-type.js';

const params = z.strictObject({
  /** Silence allowed before the device counts as silent. */
  after: durationSchema.prefault('1h'),
});
export type SilentDeviceParams = z.infer<typeof params>;

/**
 * A device that published once and then nothing for longer than `after`. One subject per device
 * (its freshest quantity), so a dead gateway is one alert per device, never one per quantity;
 * a device that never published is not silent (it is not installed yet), which keeps a newly
 * configured site from raising a storm of "no data" alerts.
 */
export const silentDeviceRule: RuleTypeDef<SilentDeviceParams, 'last-seen'> = {
  type: 'silent-device',
  params,
  input: 'last-seen',
  cadence: 'minute',
  defaultQuantity: (q, device) => device.quantities[0] === q,
  lookbackMs: () => 0,
  unit: () => 'min',
  judge(input, p, _fromMs, toMs) {
    if (input.lastMs === null) return [];
    const silentMs = input.nowMs - input.lastMs;
    const silent = silentMs > p.after;
    return [
      {
        startMs: silent ? input.lastMs + p.after : toMs - 1,
        endMs: toMs,
        trigger: silent,
        clear: !silent,
        measured: Math.round(silentMs / 60_000),
        expected: Math.round(p.after / 60_000),
      },
    ];
  },
  describe: (p) => `no reading for more than ${Math.round(p.after / 60_000)} min`,
};
