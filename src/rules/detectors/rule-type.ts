import type { z } from 'zod';
import type { HourlyDetector } from '../judgement.js';

/**
 * An hourly energy rule type, registered by name (the YAML `type:`). `params` parses the type's
 * own fields only; rule-level fields (id, severity, select, for, clearFor, cooldown,
 * notifyOnResolve) are the rule schema's and are stripped before `params` sees them.
 */
export interface HourlyRuleType<P> {
  readonly type: string;
  /** A strict zod object of the type's own fields, with defaults. */
  readonly params: z.ZodType<P>;
  /** Hours of history needed before the first judged hour. */
  lookbackHours(params: P): number;
  readonly detect: HourlyDetector<P>;
}

export const HOURS_PER_WEEK = 168;
