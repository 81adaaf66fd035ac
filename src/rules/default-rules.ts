import type { AppConfig } from '../config/schema.js';
import { DEFAULT_ENERGY_RULES } from './detectors/calibrated-defaults.js';
import type { RuleTypeRegistry } from './registry.js';
import { compileRules, type CompiledRule } from './rule-schema.js';

/**
 * The rules shipped with the service, in the rule-file form, applied to every site that selects
 * none of its own (src/rules/subjects.ts), so a new site is watched from the day it is configured.
 * Each threshold says where it comes from.
 */
export const DEFAULT_SENSOR_RULES: readonly Record<string, unknown>[] = [
  {
    id: 'energy-day-above-baseline',
    type: 'daily-baseline-deviation',
    // Info: a day-level deviation goes to the daily digest, not to an immediate e-mail.
    severity: 'info',
    // 3 × the baseline's daily CV(RMSE) is the Shewhart 3σ limit (about 1 day in 700 by chance
    // under normal errors); the 25 % floor keeps a very good model (CV 3 %) from alerting on 10 %.
    kSigma: 3,
    percent: 25,
    direction: 'above',
    // Two days in a row: one odd day (an event, a late cleaning crew) is not worth a message.
    for: '2d',
    clearFor: '1d',
    cooldown: '2d',
  },
  {
    id: 'co2-high',
    type: 'threshold',
    severity: 'warning',
    select: { quantities: ['co2_ppm'] },
    // 1,500 ppm: the French HCSP's upper reference value for CO2 in rooms open to the public
    // (avis HCSP 2021 on indoor CO2 monitoring; 800 ppm is its target), and the example.
    above: 1500,
    // Clears 300 ppm lower, after 10 min: an airing that barely dips under 1,500 does not flap.
    clearAt: 1200,
    for: '15m',
    clearFor: '10m',
  },
  {
    id: 'indoor-cold',
    type: 'threshold',
    severity: 'warning',
    select: { quantities: ['temperature_c'], kinds: ['temperature-sensor', 'multi-sensor'] },
    // 16 °C during opening hours: the example; well under the 19 °C heating set point of
    // the French Code de l'énergie (art. R241-26), so it means a heating failure, not a setting.
    below: 16,
    clearAt: 17,
    during: 'opening-hours',
    for: '30m',
    clearFor: '30m',
  },
  {
    id: 'sensor-flatline',
    type: 'flatline',
    severity: 'warning',
    select: { quantities: ['temperature_c', 'humidity_pct', 'co2_ppm'] },
    // 12 unchanged hourly means: the figure of energy-flatline (twice the longest run of equal
    // hourly values in the unlabelled hours of the LEAD data set). A live room sensor never repeats
    // its hourly mean to the last digit for half a day (an NDIR CO2 cell's noise is ±10–30 ppm,
    // temperature and humidity move by a tenth within the hour); a frozen firmware or a gateway
    // forwarding the last value does (none on a year of LEAD building 118's outdoor temperature,
    // test/unit/rules/backtest-lead.test.ts, nor on the demo's clean weeks). Occupancy is left out:
    // an empty room reads 0 all night.
    hours: 12,
    epsilon: 0,
    for: '1h',
    clearFor: '1h',
  },
  {
    id: 'device-silent',
    type: 'silent-device',
    severity: 'warning',
    // 1 h = 12 Tasmota TelePeriods (300 s by default) or 60 one-minute readings: long enough that
    // a Wi-Fi hiccup or a broker restart does not alert, short enough to hear of it the same day.
    after: '1h',
    cooldown: '1h',
  },
  {
    id: 'counter-integrity',
    type: 'counter-integrity',
    severity: 'warning',
    // A reset or backward step is one event; the alert resolves after a day without another.
    clearFor: '24h',
    cooldown: '0',
  },
];

/** The shipped defaults as rule-file entries (energy rules from the calibration, then sensor rules). */
export function defaultRuleEntries(): Record<string, unknown>[] {
  const energy = DEFAULT_ENERGY_RULES.map((r) => ({
    id: r.id, type: r.type, severity: r.severity, for: `${r.forHours}h`, clearFor: `${r.clearForHours}h`,
    ...(r.quantities ? { select: { quantities: [...r.quantities] } } : {}),
    ...r.params,
  }));
  return [...energy, ...DEFAULT_SENSOR_RULES];
}

export function compileDefaultRules(registry: RuleTypeRegistry, config: AppConfig): CompiledRule[] {
  return compileRules(defaultRuleEntries(), registry, config, 'the shipped default rules', 'defaults');
}
