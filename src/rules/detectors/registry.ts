// Placeholder until the energy detectors land (branch detect): same export, no types yet.
import type { HourlyRuleTypeLike } from '../types/hourly.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry checks its own params with its own schema
export const HOURLY_RULE_TYPES: ReadonlyMap<string, HourlyRuleTypeLike<any>> = new Map();
