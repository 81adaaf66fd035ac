import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR } from '../../../../src/energy/calendar.js';
import { HOUR_MS, localHourOf, localDays } from '../../../../src/energy/local-time.js';
import { slotOf } from '../../../../src/energy/baseline/hour-of-week.js';
import { DEFAULT_ENERGY_RULES } from '../../../../src/rules/detectors/calibrated-defaults.js';
import { HourContext } from '../../../../src/rules/detectors/hour-context.js';
import { HOURLY_RULE_TYPES } from '../../../../src/rules/detectors/registry.js';
import type { HourlySeries } from '../../../../src/rules/judgement.js';
import { fixtureSeries, judgeDaily, rowOf } from './helpers.js';

describe('registry and shipped defaults', () => {
  it('registers each type under its YAML name, with strict params that all default', () => {
    expect([...HOURLY_RULE_TYPES.keys()].sort()).toEqual(['baseline-deviation', 'cusum-drift', 'daily-drift', 'flatline', 'out-of-hours', 'spike-drop']);
    for (const [name, type] of HOURLY_RULE_TYPES) {
      expect(type.type).toBe(name);
      expect(type.lookbackHours(type.params.parse({}))).toBeGreaterThan(0);
      // Rule-level fields belong to the rule schema: the type's own schema refuses them.
      expect(type.params.safeParse({ for: '3h' }).success).toBe(false);
    }
  });

  it('ships defaults whose params parse with their type', () => {
    for (const rule of DEFAULT_ENERGY_RULES) {
      const type = HOURLY_RULE_TYPES.get(rule.type);
      expect(type, rule.id).toBeDefined();
      expect(type!.params.safeParse(rule.params).success, rule.id).toBe(true);
      expect(rule.forHours).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('causality: the verdict of an hour reads only the data up to it', () => {
  const series = fixtureSeries('685');
  const a = rowOf('2016-03-01T00:00');
  const b = rowOf('2016-03-08T00:00');
  for (const [name, type] of HOURLY_RULE_TYPES) {
    it(`${name}: judging [a, b) gives the same verdicts with or without the data after b, and chunk by chunk`, () => {
      const params = type.params.parse({});
      const full = type.detect(series, params, a, b);
      // The future replaced by something absurd must change nothing.
      const altered = Float64Array.from(series.values);
      altered.fill(1e6, b);
      expect(type.detect({ ...series, values: altered }, params, a, b)).toEqual(full);
      expect(type.detect({ ...series, values: series.values.subarray(0, b) }, params, a, b)).toEqual(full);
      // A daily live evaluation and one backtest call agree.
      expect(judgeDaily(type, params, series, a, b)).toEqual(full);
      expect(full.length).toBeGreaterThan(0);
    });
  }
});

describe('DST: hour-of-week slots follow the local clock (Europe/Paris, 23 h and 25 h days)', () => {
  // A synthetic office in Paris: 100 kWh in working hours 08:00–18:00 local, 20 kWh otherwise.
  const startMs = Date.parse('2016-02-01T00:00:00+01:00');
  const endMs = Date.parse('2016-11-28T00:00:00+01:00');
  const n = (endMs - startMs) / HOUR_MS;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = startMs + i * HOUR_MS;
    const h = localHourOf(t, 'Europe/Paris');
    const slot = slotOf(t, 'Europe/Paris');
    values[i] = slot < 120 && h >= 8 && h < 18 ? 100 : 20;
  }
  // US holidays: none in the two judged fortnights (French Easter Monday, 28 March, would rightly
  // be flagged as a working day on a holiday; the pattern here ignores holidays).
  const series: HourlySeries = { startMs, values, unit: 'kWh', timezone: 'Europe/Paris', calendar: { country: 'US', ...DEFAULT_CALENDAR } };

  it('the spring and autumn change days have 23 and 25 hours and keep their slots', () => {
    const [march] = localDays('2016-03-27', '2016-03-27', 'Europe/Paris');
    const [october] = localDays('2016-10-30', '2016-10-30', 'Europe/Paris');
    expect([march!.hours, october!.hours]).toEqual([23, 25]);
    const i = (march!.startMs - startMs) / HOUR_MS;
    const ctx = new HourContext(series, i - 200, i + 48);
    // Monday 28 March 08:00 CEST is 167 UTC hours after Monday 21 March 08:00 CET, not 168.
    const monday8 = (Date.parse('2016-03-28T08:00:00+02:00') - startMs) / HOUR_MS;
    expect(ctx.slot(monday8)).toBe(8);
    expect(ctx.slot(monday8 - 167)).toBe(8);
    expect(ctx.slot(monday8 - 168)).toBe(7);
  });

  for (const [name, type] of HOURLY_RULE_TYPES) {
    it(`${name}: no trigger across both DST weeks of an unchanging weekly pattern`, () => {
      const params = type.params.parse({});
      for (const day of ['2016-03-21', '2016-10-24']) {
        const a = (Date.parse(`${day}T00:00:00+01:00`) - startMs) / HOUR_MS;
        const judgements = judgeDaily(type, params, series, a, a + 14 * 24);
        expect(judgements.length, `${name} ${day}`).toBeGreaterThan(0);
        expect(judgements.filter((j) => j.trigger), `${name} ${day}`).toEqual([]);
      }
    });
  }
});
