import { z } from 'zod';
import { QUANTITIES } from '../../config/quantities.js';
import type { CorrectionKind } from '../../energy/counters.js';
import { HOUR_MS } from '../../energy/local-time.js';
import type { Judgement } from '../judgement.js';
import type { RuleTypeDef } from '../rule-type.js';

const params = z.strictObject({
  /** Which corrections of the analytics' ledger raise an alert. */
  kinds: z.array(z.enum(['reset', 'negative-step', 'spike'])).min(1).default(['reset', 'negative-step', 'spike']),
});
export type CounterIntegrityParams = z.infer<typeof params>;

/**
 * Counter integrity, from the same correction ledger the consumption figures use
 * (src/energy/counters.ts): a reset, a backward step or an implausible step in an index. Each
 * hour holding a correction triggers; hours without one clear.
 */
export const counterIntegrityRule: RuleTypeDef<CounterIntegrityParams, 'corrections'> = {
  type: 'counter-integrity',
  params,
  input: 'corrections',
  cadence: 'hourly',
  defaultQuantity: (q) => QUANTITIES[q].kind === 'cumulative',
  lookbackMs: () => 6 * HOUR_MS,
  unit: (s) => QUANTITIES[s.quantity].unit,
  judge(input, p, fromMs, toMs) {
    const kinds = new Set<CorrectionKind>(p.kinds);
    const out: Judgement[] = [];
    for (let h = fromMs; h < toMs; h += HOUR_MS) {
      const inHour = input.corrections.filter((c) => kinds.has(c.kind) && c.atMs > h && c.atMs <= h + HOUR_MS);
      const worst = inHour.sort((a, b) => Math.abs(b.valueBefore) - Math.abs(a.valueBefore))[0];
      out.push({ startMs: h, endMs: h + HOUR_MS, trigger: worst !== undefined, clear: worst === undefined, measured: worst?.valueBefore ?? null, expected: worst?.valueAfter ?? null });
    }
    return out;
  },
  describe: (p, s) => `counter ${p.kinds.join('/')} on ${s.quantity}`,
};
