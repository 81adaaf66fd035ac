import { z } from 'zod';
import { HOUR_MS } from '../../energy/local-time.js';
import type { HourlySeries, Judgement } from '../judgement.js';
import { hourContextOf } from './hour-context.js';
import { robustStats } from './robust.js';
import type { HourlyRuleType } from './rule-type.js';
import { slotLookbackHours, slotProfile } from './slot-reference.js';

/**
 * Spike or drop of one hour: a robust z-score (x − median) / (1.4826·MAD) against the same hour of
 * the week over the trailing weeks AND against the trailing 24 h, with the same sign. Requiring
 * both keeps an hour that is merely unusual for its slot (a late evening) from firing when it is
 * ordinary for the day, and the reverse. A drop to (near) zero where the slot normally consumes
 * fires on its own: a meter or a supply that stops is the commonest fault in hourly data.
 */
export const spikeDropParams = z.strictObject({
  weeks: z.number().int().min(2).max(26).default(4),
  minWeeks: z.number().int().min(1).default(3),
  /** |z| against the same slot of the trailing weeks. */
  zWeek: z.number().positive().default(4),
  /** |z| against the trailing 24 hours. */
  zDay: z.number().positive().default(3),
  /** The σ used is at least this share of the expected value (a flat slot has MAD ≈ 0). */
  minSigmaShare: z.number().min(0).default(0.05),
  /** An hour below this share of its slot's median is a drop to near zero (0 disables). */
  nearZeroShare: z.number().min(0).max(1).default(0.05),
  direction: z.enum(['both', 'spike', 'drop']).default('both'),
});
export type SpikeDropParams = z.infer<typeof spikeDropParams>;

function trailingDay(series: HourlySeries, i: number): number[] {
  const out: number[] = [];
  for (let j = Math.max(0, i - 24); j < i; j++) {
    const v = series.values[j]!;
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

export function spikeDropDetect(series: HourlySeries, p: SpikeDropParams, fromIndex: number, toIndex: number): Judgement[] {
  const to = Math.min(toIndex, series.values.length);
  const from = Math.max(0, fromIndex);
  if (to <= from) return [];
  const ctx = hourContextOf(series, from - slotLookbackHours(p.weeks), to);
  const out: Judgement[] = [];
  for (let i = from; i < to; i++) {
    const x = series.values[i]!;
    if (!Number.isFinite(x)) continue;
    const week = slotProfile(series, ctx, i, p.weeks, p.minWeeks);
    const dayValues = trailingDay(series, i);
    // Half a day measured at least: a z-score over three hours says nothing.
    if (!week || dayValues.length < 12) continue;
    const day = robustStats(dayValues);
    const floor = (m: number) => Math.max(p.minSigmaShare * Math.abs(m), Number.EPSILON);
    const zWeek = (x - week.median) / Math.max(week.sigma, floor(week.median));
    const zDay = (x - day.median) / Math.max(day.sigma, floor(day.median));
    const spike = zWeek >= p.zWeek && zDay >= p.zDay;
    const nearZero = p.nearZeroShare > 0 && week.median > 0 && x < p.nearZeroShare * week.median;
    const drop = nearZero || (zWeek <= -p.zWeek && zDay <= -p.zDay);
    const trigger = p.direction === 'spike' ? spike : p.direction === 'drop' ? drop : spike || drop;
    const startMs = series.startMs + i * HOUR_MS;
    out.push({ startMs, endMs: startMs + HOUR_MS, trigger, clear: !trigger, measured: x, expected: week.median });
  }
  return out;
}

export const spikeDrop: HourlyRuleType<SpikeDropParams> = {
  type: 'spike-drop',
  params: spikeDropParams,
  lookbackHours: (p) => slotLookbackHours(p.weeks),
  detect: spikeDropDetect,
};
