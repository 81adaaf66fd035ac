import { describe, expect, it } from 'vitest';
import { outOfHours } from '../../../../src/rules/detectors/out-of-hours.js';
import { countIn, fixtureSeries, judgeDaily, rowOf, triggered, withValues } from './helpers.js';

// Building 685 (office, Europe/London), February–March 2016; calendar Monday–Friday 08:00–18:00.
const series = fixtureSeries('685');
const from = rowOf('2016-02-15T00:00');
const to = rowOf('2016-03-14T00:00');
const params = outOfHours.params.parse({ percent: 30, minExcessShare: 0.2 });

describe('out-of-hours on real hourly data', () => {
  it('flags few hours of four untouched weeks', () => {
    const hits = triggered(series, judgeDaily(outOfHours, params, series, from, to));
    expect(hits.length).toBeLessThanOrEqual(Math.round(0.02 * (to - from)));
  });

  it('flags night-time load: a working-day night run at daytime level', () => {
    const night = rowOf('2016-03-01T20:00'); // Tuesday 20:00 to Wednesday 06:00
    const day = rowOf('2016-03-01T08:00');
    const lit = withValues(series, (v) => {
      for (let k = 0; k < 10; k++) v[night + k] = v[day + k]!;
    });
    const judgements = judgeDaily(outOfHours, params, lit, from, to);
    expect(countIn(triggered(lit, judgements), night, night + 10)).toBeGreaterThanOrEqual(8);
    const j = judgements.find((x) => x.trigger && x.startMs >= lit.startMs + night * 3_600_000)!;
    expect(j.measured!).toBeGreaterThan(j.expected! * 1.3);
  });

  it('flags weekend heating: a Sunday run at working-day level', () => {
    const sunday = rowOf('2016-03-06T08:00');
    const friday = rowOf('2016-03-04T08:00');
    const heated = withValues(series, (v) => {
      for (let k = 0; k < 10; k++) v[sunday + k] = v[friday + k]!;
    });
    expect(countIn(triggered(heated, judgeDaily(outOfHours, params, heated, from, to)), sunday, sunday + 10)).toBeGreaterThanOrEqual(8);
  });

  it('never triggers in opening hours, and clears there', () => {
    const a = rowOf('2016-03-02T09:00'); // Wednesday 09:00–17:00, open
    const busy = withValues(series, (v) => {
      for (let i = a; i < a + 8; i++) v[i] = v[i]! * 3;
    });
    const judgements = judgeDaily(outOfHours, params, busy, from, to).filter((j) => j.startMs >= busy.startMs + a * 3_600_000 && j.startMs < busy.startMs + (a + 8) * 3_600_000);
    expect(judgements).toHaveLength(8);
    for (const j of judgements) expect([j.trigger, j.clear]).toEqual([false, true]);
  });

  it('flags a share of the occupied load when asked to', () => {
    const night = rowOf('2016-03-01T20:00');
    const shareParams = outOfHours.params.parse({ percent: 0, occupiedShare: 0.8 });
    const lit = withValues(series, (v) => {
      for (let k = 0; k < 10; k++) v[night + k] = 2000;
    });
    expect(countIn(triggered(lit, judgeDaily(outOfHours, shareParams, lit, from, to)), night, night + 10)).toBe(10);
    expect(countIn(triggered(series, judgeDaily(outOfHours, shareParams, series, from, to)), night, night + 10)).toBe(0);
  });
});
