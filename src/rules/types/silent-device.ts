import { z } from 'zod';
import { durationSchema } from '../duration.js';
import type { Judgement } from '../judgement.js';
import type { RuleTypeDef } from '../rule-type.js';

const params = z.strictObject({
  /** Silence allowed before the device counts as silent. */
  after: durationSchema.prefault('1h'),
});
export type SilentDeviceParams = z.infer<typeof params>;

/**
 * A device that published and then nothing for longer than `after`. Judged from the readings
 * themselves (each gap longer than `after` is a silent interval from `last + after`), so a live
 * evaluation and a backtest see the same silences. One subject per device (its first quantity),
 * so a dead gateway is one alert per device, never one per quantity; a device that never
 * published is not silent (not installed yet), which keeps a newly configured site from raising
 * a storm of "no data" alerts.
 */
export const silentDeviceRule: RuleTypeDef<SilentDeviceParams, 'samples'> = {
  type: 'silent-device',
  params,
  input: 'samples',
  cadence: 'minute',
  defaultQuantity: (q, device) => device.quantities[0] === q,
  lookbackMs: () => 0,
  unit: () => 'min',
  judge(input, p, fromMs, toMs) {
    const out: Judgement[] = [];
    const expected = Math.round(p.after / 60_000);
    let last = input.before?.tsMs ?? null;
    const silence = (untilMs: number) => {
      if (last === null || untilMs - last <= p.after) return;
      const startMs = Math.max(last + p.after, fromMs);
      if (untilMs > startMs) out.push({ startMs, endMs: untilMs, trigger: true, clear: false, measured: Math.round((untilMs - last) / 60_000), expected });
    };
    for (const { tsMs } of input.points) {
      if (tsMs < fromMs || tsMs >= toMs) continue;
      silence(tsMs);
      out.push({ startMs: tsMs, endMs: tsMs + 1, trigger: false, clear: true, measured: 0, expected });
      last = tsMs;
    }
    silence(toMs);
    return out;
  },
  describe: (p) => `no reading for more than ${Math.round(p.after / 60_000)} min`,
};
