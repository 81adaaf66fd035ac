import { describe, expect, it } from 'vitest';
import { DAY_MS, localHourOf } from '../../../../src/energy/local-time.js';
import { IDLE, stepMachine } from '../../../../src/rules/condition-machine.js';
import { dailyDrift } from '../../../../src/rules/detectors/daily-drift.js';
import { HourContext } from '../../../../src/rules/detectors/hour-context.js';
import { fixtureSeries, judgeDaily, rowOf, triggered, withValues } from './helpers.js';

// Building 685 (office, Europe/London), March to May 2016: twelve ordinary weeks after the
// detector's six weeks of reference.
const series = fixtureSeries('685');
const from = rowOf('2016-03-07T00:00');
const to = rowOf('2016-05-30T00:00');
const params = dailyDrift.params.parse({});
const ctx = new HourContext(series, 0, series.values.length);

/** The always-on load (hours outside opening hours) raised by up to `share`, reached linearly over `rampDays` from hour `at`. */
function drifted(at: number, share: number, rampDays: number) {
  return withValues(series, (v) => {
    for (let i = at; i < v.length; i++) if (!ctx.open(i)) v[i] = v[i]! * (1 + share * Math.min(1, (i - at) / (rampDays * 24)));
  });
}

describe('daily-drift on real hourly data', () => {
  it('stays quiet on twelve untouched weeks', () => {
    expect(triggered(series, judgeDaily(dailyDrift, params, series, from, to))).toEqual([]);
  });

  it('judges whole local days, once each (the 27 March DST change has 23 hours)', () => {
    const all = judgeDaily(dailyDrift, params, series, from, to);
    // Between them, every measured hour says "no new signal" (trigger false, clear true).
    expect(all.filter((j) => j.endMs - j.startMs === 3_600_000 && (j.trigger || !j.clear))).toEqual([]);
    const judgements = all.filter((j) => j.endMs - j.startMs > 3_600_000);
    expect(judgements.length).toBeGreaterThan(70);
    expect(new Set(judgements.map((j) => j.startMs)).size).toBe(judgements.length);
    for (const j of judgements) expect(localHourOf(j.startMs, 'Europe/London')).toBe(0);
    expect(judgements.filter((j) => j.endMs - j.startMs !== DAY_MS).map((j) => [new Date(j.startMs).toISOString(), (j.endMs - j.startMs) / 3_600_000])).toEqual([['2016-03-27T00:00:00.000Z', 23]]);
  });

  it('catches an always-on load creeping up by 30 % over ten days, once, within two weeks', () => {
    const at = rowOf('2016-04-11T00:00');
    const s = drifted(at, 0.3, 10);
    const judgements = judgeDaily(dailyDrift, params, s, from, to);
    const hits = judgements.filter((j) => j.trigger);
    // One event per drift, although the excess lasts the seven weeks to the end.
    expect(hits).toHaveLength(1);
    // Placed at the last hour of the day it was caught: when the day's evidence became complete.
    expect(hits[0]!.endMs - hits[0]!.startMs).toBe(3_600_000);
    expect(localHourOf(hits[0]!.startMs, 'Europe/London')).toBe(23);
    const hit = hits[0]!;
    expect(hit.startMs).toBeGreaterThanOrEqual(s.startMs + at * 3_600_000);
    expect(hit.startMs).toBeLessThan(s.startMs + at * 3_600_000 + 14 * DAY_MS);
    // The report is the excess since the sum left zero: actual above expected.
    expect(hit.measured!).toBeGreaterThan(hit.expected!);
    // Through the condition machine with the shipped for/clearFor (1 h): one alert, over the day
    // it was caught and the first hour after it (the next hour's "no new signal").
    const { transitions } = stepMachine({ ...IDLE }, judgements, { forMs: 3_600_000, clearForMs: 3_600_000 });
    expect(transitions.map((t) => t.kind)).toEqual(['open', 'resolve']);
    expect(transitions[1]!.atMs).toBe(hit.endMs + 3_600_000);
  });

  it('is not moved by one odd day (residuals are winsorised)', () => {
    const day = rowOf('2016-04-13T00:00');
    const s = withValues(series, (v) => {
      for (let i = day; i < day + 24; i++) v[i] = v[i]! * 3;
    });
    expect(triggered(s, judgeDaily(dailyDrift, params, s, from, to))).toEqual([]);
  });

  it('watches the other side when asked, and refuses unknown fields', () => {
    const below = dailyDrift.params.parse({ direction: 'below' });
    const s = drifted(rowOf('2016-04-11T00:00'), -0.3, 10);
    expect(triggered(s, judgeDaily(dailyDrift, below, s, from, to))).toHaveLength(1);
    expect(triggered(s, judgeDaily(dailyDrift, params, s, from, to))).toEqual([]);
    expect(dailyDrift.params.safeParse({ decisionSigmas: 8 }).success).toBe(false);
  });
});
