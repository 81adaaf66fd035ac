import { baselineDeviation } from './baseline-deviation.js';
import { cusumDrift } from './cusum-drift.js';
import { dailyDrift } from './daily-drift.js';
import { flatline } from './flatline.js';
import { outOfHours } from './out-of-hours.js';
import type { HourlyRuleType } from './rule-type.js';
import { spikeDrop } from './spike-drop.js';

/** Hourly energy rule types by their YAML `type:`; adding a type is one file and one line here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry checks its own params with its own schema
export const HOURLY_RULE_TYPES: ReadonlyMap<string, HourlyRuleType<any>> = new Map<string, HourlyRuleType<any>>(
  [baselineDeviation, cusumDrift, dailyDrift, outOfHours, spikeDrop, flatline].map((t) => [t.type, t]),
);

export function hourlyRuleType(type: string): HourlyRuleType<unknown> | undefined {
  return HOURLY_RULE_TYPES.get(type);
}
