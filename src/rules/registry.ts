import type { RuleTypeDef } from './rule-type.js';
import { counterIntegrityRule } from './types/counter-integrity.js';
import { dailyBaselineRule } from './types/daily-baseline.js';
import { hourlyRuleType } from './types/hourly.js';
import { silentDeviceRule } from './types/silent-device.js';
import { thresholdRule } from './types/threshold.js';
import { HOURLY_RULE_TYPES } from './detectors/registry.js';

/** Every rule type by the name written in a rule file's `type:`. */
export type RuleTypeRegistry = ReadonlyMap<string, RuleTypeDef<never>>;

export function defaultRegistry(): RuleTypeRegistry {
  const types: RuleTypeDef<never>[] = [
    thresholdRule as RuleTypeDef<never>,
    silentDeviceRule as RuleTypeDef<never>,
    counterIntegrityRule as RuleTypeDef<never>,
    dailyBaselineRule as RuleTypeDef<never>,
    ...[...HOURLY_RULE_TYPES.values()].map((t) => hourlyRuleType(t) as RuleTypeDef<never>),
  ];
  return new Map(types.map((t) => [t.type, t]));
}

