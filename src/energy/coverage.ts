import type { IntervalSeries } from './intervals.js';
import { HOUR_MS } from './local-time.js';
import { problem, type AnalyticsProblem } from './problems.js';

/**
 * The coverage rule: an energy figure (consumption, kWh/m², climate-corrected kWh/m², deviation
 * from the baseline, load split, Décret tertiaire position, a rank) is stated only when at least
 * 90 % of the period's hours are MEASURED by every energy meter of the site. An hour is measured
 * when a meter step covers all of it and none of it is a gap spread linearly (estimated): an
 * estimated hour keeps the total right but is not a measurement. 90 % is CalTRACK 2.0's data
 * sufficiency threshold for daily baselines (section 2.2: "at least 90 % of days"), applied here
 * to hours; the measured reference year of the Décret tertiaire uses the same rule.
 */
export const MIN_MEASURED_SHARE = 0.9;

export interface Coverage {
  /** Hours fully measured, not estimated. */
  measuredHours: number;
  /** Hours of the period (23 and 25 on DST days). */
  expectedHours: number;
  /** Hours covered only by a gap spread linearly. */
  estimatedHours: number;
  measuredSharePct: number;
  requiredSharePct: number;
  sufficient: boolean;
}

/** Coverage of an hourly series (the site's final energy: an hour counts when every carrier measured it). */
export function hourlyCoverage(hourly: IntervalSeries, minShare = MIN_MEASURED_SHARE): Coverage {
  let measuredMs = 0;
  let estimatedHours = 0;
  const n = hourly.values.length;
  for (let i = 0; i < n; i++) {
    const width = hourly.edges[i + 1]! - hourly.edges[i]!;
    const covered = Math.min(hourly.coveredMs[i]!, width);
    if (hourly.estimatedMs[i]! > 0) estimatedHours++;
    measuredMs += Math.max(0, covered - hourly.estimatedMs[i]!);
  }
  const spanMs = n > 0 ? hourly.edges[n]! - hourly.edges[0]! : 0;
  const share = spanMs > 0 ? measuredMs / spanMs : 0;
  return {
    measuredHours: Math.round((measuredMs / HOUR_MS) * 100) / 100,
    expectedHours: Math.round(spanMs / HOUR_MS),
    estimatedHours,
    measuredSharePct: share * 100,
    requiredSharePct: Math.round(minShare * 1000) / 10,
    // A thousandth of a percent of slack: a year of whole hours must not fail on float sums.
    sufficient: share >= minShare - 1e-9,
  };
}

export function coverageProblem(c: Coverage): AnalyticsProblem {
  return problem('insufficient-coverage', {
    measuredHours: c.measuredHours,
    expectedHours: c.expectedHours,
    estimatedHours: c.estimatedHours,
    measuredSharePct: c.measuredSharePct,
    requiredSharePct: c.requiredSharePct,
  });
}
