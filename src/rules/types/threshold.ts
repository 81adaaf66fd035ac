import { z } from 'zod';
import { QUANTITIES } from '../../config/quantities.js';
import { isOpen, typeDays, type DayType } from '../../energy/calendar.js';
import { localDateOf, utcOffsetMs } from '../../energy/local-time.js';
import type { Judgement } from '../judgement.js';
import type { RuleSubject, RuleTypeDef } from '../rule-type.js';

const params = z
  .strictObject({
    /** Triggers when the value is above this (CO2 above 1,500 ppm)… */
    above: z.number().optional(),
    /** …or below this (indoor temperature below 16 °C). */
    below: z.number().optional(),
    /** Clears only past this value (hysteresis); by default the trigger threshold itself. */
    clearAt: z.number().optional(),
    /** When the rule applies: outside it the condition is clear. */
    during: z.enum(['always', 'opening-hours', 'out-of-hours']).default('always'),
  })
  .superRefine((p, ctx) => {
    if ((p.above === undefined) === (p.below === undefined)) ctx.addIssue({ code: 'custom', path: ['above'], message: 'give exactly one of `above` or `below`' });
    if (p.clearAt !== undefined && p.above !== undefined && p.clearAt > p.above) ctx.addIssue({ code: 'custom', path: ['clearAt'], message: `must be at most \`above\` (${p.above}) for the alert to clear` });
    if (p.clearAt !== undefined && p.below !== undefined && p.clearAt < p.below) ctx.addIssue({ code: 'custom', path: ['clearAt'], message: `must be at least \`below\` (${p.below}) for the alert to clear` });
  });
export type ThresholdParams = z.infer<typeof params>;

function applies(during: ThresholdParams['during'], tsMs: number, subject: RuleSubject, dayTypes: Map<string, DayType>): boolean {
  if (during === 'always') return true;
  const { timezone } = subject.site;
  const date = localDateOf(tsMs, timezone);
  let type = dayTypes.get(date);
  if (type === undefined) dayTypes.set(date, (type = typeDays([date], subject.calendar)[0]!.type));
  const minuteOfDay = Math.floor((((tsMs + utcOffsetMs(tsMs, timezone)) % 86_400_000) + 86_400_000) % 86_400_000 / 60_000);
  const open = isOpen(type, minuteOfDay, subject.calendar);
  return during === 'opening-hours' ? open : !open;
}

/**
 * Threshold with a duration and hysteresis, on raw readings. Each reading is judged at its own
 * instant, so "for 15 min" means readings spanning 15 min all past the threshold (as Prometheus'
 * `for:` does), and a gap in the readings neither triggers nor clears.
 */
export const thresholdRule: RuleTypeDef<ThresholdParams, 'samples'> = {
  type: 'threshold',
  params,
  input: 'samples',
  cadence: 'minute',
  defaultQuantity: () => false,
  lookbackMs: () => 0,
  unit: (s) => QUANTITIES[s.quantity].unit,
  judge(input, p, fromMs, toMs, subject) {
    const out: Judgement[] = [];
    const limit = p.above ?? p.below!;
    const clearAt = p.clearAt ?? limit;
    const dayTypes = new Map<string, DayType>();
    for (const { tsMs, value } of input.points) {
      if (tsMs < fromMs || tsMs >= toMs) continue;
      const inWindow = applies(p.during, tsMs, subject, dayTypes);
      const trigger = inWindow && (p.above !== undefined ? value > p.above : value < p.below!);
      const clear = !inWindow || (p.above !== undefined ? value <= clearAt : value >= clearAt);
      out.push({ startMs: tsMs, endMs: tsMs + 1, trigger, clear, measured: value, expected: limit });
    }
    return out;
  },
  describe: (p, s) => `${s.quantity} ${p.above !== undefined ? `above ${p.above}` : `below ${p.below}`}${p.during === 'always' ? '' : ` (${p.during})`}`,
};
