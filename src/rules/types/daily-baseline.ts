import { z } from 'zod';
import { QUANTITIES } from '../../config/quantities.js';
import type { DeviceConfig } from '../../config/schema.js';
import { DAY_MS, addDays, localDateOf, localMidnightMs } from '../../energy/local-time.js';
import type { Judgement } from '../judgement.js';
import type { DailyComparison, RuleTypeDef } from '../rule-type.js';

const params = z.strictObject({
  /** Outside expected ± k × the baseline's daily CV(RMSE)… */
  kSigma: z.number().positive().default(3),
  /** …or outside expected ± this percentage, whichever band is wider. */
  percent: z.number().positive().max(500).default(20),
  /** above: waste (the usual concern); below: a site that stopped; both. */
  direction: z.enum(['above', 'below', 'both']).default('above'),
});
export type DailyBaselineParams = z.infer<typeof params>;

/** The site's main meter carries the alert (the judgement is about the site's final energy). */
function isMainEnergyMeter(q: string, device: DeviceConfig, devices: readonly DeviceConfig[]): boolean {
  const main = devices.find((d) => d.submeterOf === undefined && d.quantities.some((x) => QUANTITIES[x].kind === 'cumulative' && QUANTITIES[x].carrier !== 'water'));
  return main?.id === device.id && main.quantities.find((x) => QUANTITIES[x].kind === 'cumulative') === q;
}

/**
 * Daily consumption of the whole site (final energy, gas converted) against its weather-normalised
 * baseline (src/energy/baseline: fitted on the site's configured baseline period, per working and
 * non-working day, with degree days). Only a baseline that passes ASHRAE Guideline 14 is used: a
 * model that does not explain the site is no reference to alert against. The band is the wider of
 * k × the baseline's daily CV(RMSE) and `percent` of the expected value.
 */
export const dailyBaselineRule: RuleTypeDef<DailyBaselineParams, 'daily-site'> = {
  type: 'daily-baseline-deviation',
  params,
  input: 'daily-site',
  cadence: 'hourly',
  // Bound to the site's first main energy meter; selectors can name another.
  defaultQuantity: (q, device, site) => isMainEnergyMeter(q, device, site.devices),
  lookbackMs: () => DAY_MS + 2 * 3_600_000,
  unit: () => 'kWh',
  async load(sources, subject, fromMs, toMs) {
    if (!sources.energy) return { kind: 'daily-site', days: [], bandRelative: null };
    const tz = subject.site.timezone;
    const from = localDateOf(fromMs, tz);
    const to = localDateOf(toMs - 1, tz);
    const { baseline, days } = await sources.energy.baselineDays(subject.site.id, { from, to });
    const b = baseline.result.ok && baseline.result.baseline.accepted ? baseline.result.baseline : null;
    const out: DailyComparison[] = days.map((d) => ({ startMs: localMidnightMs(d.date, tz), endMs: localMidnightMs(addDays(d.date, 1), tz), actualKWh: d.actualKWh, expectedKWh: d.expectedKWh }));
    const cv = b ? b.daily.cvRmsePct / 100 : null;
    return { kind: 'daily-site', days: out, bandRelative: cv !== null && Number.isFinite(cv) ? cv : null };
  },
  judge(input, p, fromMs, toMs) {
    const out: Judgement[] = [];
    if (input.bandRelative === null) return out;
    for (const d of input.days) {
      if (d.endMs <= fromMs || d.endMs > toMs || d.actualKWh === null || d.expectedKWh === null) continue;
      const band = d.expectedKWh * Math.max(p.kSigma * input.bandRelative, p.percent / 100);
      const above = d.actualKWh > d.expectedKWh + band;
      const below = d.actualKWh < d.expectedKWh - band;
      const trigger = p.direction === 'both' ? above || below : p.direction === 'above' ? above : below;
      out.push({ startMs: d.startMs, endMs: d.endMs, trigger, clear: !trigger, measured: d.actualKWh, expected: d.expectedKWh });
    }
    return out;
  },
  describe: (p) => `site daily energy ${p.direction === 'below' ? 'below' : p.direction === 'above' ? 'above' : 'outside'} its weather-normalised baseline`,
};
