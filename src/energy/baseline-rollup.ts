import { fitDailyBaseline, type BaselineDay, type BaselineOptions, type BaselineResult } from './baseline/daily-baseline.js';
import { decodeRollup, encodeRollup } from './rollup-codec.js';
import type { DayRollups } from './rollups.js';

/**
 * The baseline fitted on a reference period, kept in the store's rollups (issue 13, point 6):
 * the fit is a function of its days (date, energy, temperature, day type) and of the options
 * only, so it is keyed by their exact serialization, and fitted again as soon as any of them
 * differs (a late reading or an import in the reference period changes a day's energy or
 * temperature). Read back, it is the very result the fit gave (rollup-codec.ts).
 */
/** The rollup name of the baseline fitted on a reference period. */
export function baselineRollupName(period: { from: string; to: string }): string {
  return `b|${period.from}|${period.to}`;
}

export async function fittedBaseline(rollups: DayRollups, site: string, period: { from: string; to: string }, atMs: number, days: readonly BaselineDay[], options: BaselineOptions | undefined): Promise<BaselineResult> {
  const mark = encodeRollup([days, options ?? {}]);
  const payload = await rollups.value(site, baselineRollupName(period), atMs, mark, async () => encodeRollup(fitDailyBaseline(days, options)));
  const result = decodeRollup<BaselineResult>(payload);
  // One model for all days is the same object as both segments (daily-baseline.ts DailyBaseline).
  if (result.ok && result.baseline.segmentation === 'single') result.baseline.nonWorking = result.baseline.working;
  return result;
}
