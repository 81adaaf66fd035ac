import { HOUR_MS } from '../../../src/energy/local-time.js';
import { IDLE, stepMachine, type ConditionState } from '../../../src/rules/condition-machine.js';
import type { HourlySeries } from '../../../src/rules/judgement.js';
import type { DefaultEnergyRule } from '../../../src/rules/detectors/calibrated-defaults.js';
import { hourlyRuleType } from '../../../src/rules/detectors/registry.js';
import type { Episode } from './score.js';

/**
 * Stand-in for the backtest engine: evaluates each rule as a live service would, once a day,
 * judging [t − 24 h, t) with only the data before t (the series is cut at t), and steps the
 * condition machine over the verdicts. The same detectors and machine as the service.
 */
export function runRulesDaily(series: HourlySeries, rules: readonly DefaultEnergyRule[]): Episode[] {
  const episodes: Episode[] = [];
  const n = series.values.length;
  const endMs = series.startMs + n * HOUR_MS;
  for (const rule of rules) {
    const type = hourlyRuleType(rule.type);
    if (!type) throw new Error(`unknown rule type "${rule.type}"`);
    const params = type.params.parse(rule.params);
    const options = { forMs: rule.forHours * HOUR_MS, clearForMs: rule.clearForHours * HOUR_MS };
    let state: ConditionState = { ...IDLE };
    let openStartMs: number | null = null;
    for (let t = 24; t <= n + 23; t += 24) {
      const to = Math.min(t, n);
      const cut: HourlySeries = { ...series, values: series.values.subarray(0, to) };
      const judgements = type.detect(cut, params, to - 24, to);
      const step = stepMachine(state, judgements, options);
      state = step.state;
      for (const tr of step.transitions) {
        if (tr.kind === 'open') openStartMs = tr.startMs;
        else if (tr.kind === 'resolve' && openStartMs !== null) {
          episodes.push({ rule: rule.id, startMs: openStartMs, endMs: tr.atMs });
          openStartMs = null;
        }
      }
    }
    // An episode still open at the end of the data ends there.
    if (openStartMs !== null) episodes.push({ rule: rule.id, startMs: openStartMs, endMs });
  }
  return episodes;
}
