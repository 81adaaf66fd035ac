import type { z } from 'zod';
import { QUANTITIES } from '../../config/quantities.js';
import { HOUR_MS } from '../../energy/local-time.js';
import type { HourlyDetector } from '../judgement.js';
import type { RuleTypeDef } from '../rule-type.js';

/** The shape of the energy detectors of src/rules/detectors/ (one file each, registered by name). */
export interface HourlyRuleTypeLike<P> {
  readonly type: string;
  readonly params: z.ZodType<P>;
  lookbackHours(params: P): number;
  readonly detect: HourlyDetector<P>;
}

/**
 * Adapts an hourly detector to a rule type: it judges complete hours of a meter's consumption
 * (cumulative quantities) or of a sensor's hourly mean (instantaneous ones).
 */
export function hourlyRuleType<P>(t: HourlyRuleTypeLike<P>): RuleTypeDef<P, 'hourly'> {
  return {
    type: t.type,
    params: t.params,
    input: 'hourly',
    cadence: 'hourly',
    defaultQuantity: (q) => QUANTITIES[q].kind === 'cumulative',
    lookbackMs: (p) => t.lookbackHours(p) * HOUR_MS,
    unit: (s) => (QUANTITIES[s.quantity].kind === 'cumulative' ? QUANTITIES[s.quantity].unit : QUANTITIES[s.quantity].unit),
    judge(input, p, fromMs, toMs) {
      const { series } = input;
      const fromIndex = Math.max(0, Math.round((fromMs - series.startMs) / HOUR_MS));
      const toIndex = Math.min(series.values.length, Math.round((toMs - series.startMs) / HOUR_MS));
      if (toIndex <= fromIndex) return [];
      return t.detect(series, p, fromIndex, toIndex);
    },
    describe: (_p, s) => `${t.type} on ${s.quantity}`,
  };
}
