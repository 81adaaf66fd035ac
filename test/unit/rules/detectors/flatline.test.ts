import { describe, expect, it } from 'vitest';
import { flatline } from '../../../../src/rules/detectors/flatline.js';
import { countIn, fixtureSeries, judgeDaily, rowOf, triggered, withValues } from './helpers.js';

// Building 685 (office, Europe/London, 0.1 kWh resolution), February–March 2016.
const series = fixtureSeries('685');
const from = rowOf('2016-02-15T00:00');
const to = rowOf('2016-03-14T00:00');
const params = flatline.params.parse({});

describe('flatline on real hourly data', () => {
  it('never fires on four untouched weeks', () => {
    expect(triggered(series, judgeDaily(flatline, params, series, from, to))).toEqual([]);
  });

  it('fires from the 12th identical hour of a stuck value until the meter moves again', () => {
    const a = rowOf('2016-03-01T09:00');
    const stuck = withValues(series, (v) => v.fill(v[a]!, a, a + 30));
    const judgements = judgeDaily(flatline, params, stuck, from, to);
    const hits = triggered(stuck, judgements);
    expect(hits[0]).toBe(a + params.hours - 1);
    expect(countIn(hits, a, a + 30)).toBe(30 - params.hours + 1);
    expect(countIn(hits, a + 30, to)).toBe(0);
    const first = judgements.find((j) => j.trigger)!;
    expect(first.measured).toBe(stuck.values[a]);
    expect(first.expected!).toBeGreaterThan(0);
  });

  it('fires on a meter stuck at zero', () => {
    const a = rowOf('2016-03-05T00:00'); // a Saturday: the load varies at weekends too
    const zero = withValues(series, (v) => v.fill(0, a, a + 24));
    expect(countIn(triggered(zero, judgeDaily(flatline, params, zero, from, to)), a, a + 24)).toBe(24 - params.hours + 1);
  });

  it('does not read a gap (unmeasured hours) as no change', () => {
    const a = rowOf('2016-03-01T09:00');
    const gap = withValues(series, (v) => v.fill(NaN, a, a + 30));
    expect(triggered(gap, judgeDaily(flatline, params, gap, from, to))).toEqual([]);
  });

  it('does not fire on a series that never varied (an unused supply at 0)', () => {
    const constant = withValues(series, (v) => v.fill(0));
    expect(triggered(constant, judgeDaily(flatline, params, constant, from, to))).toEqual([]);
  });
});
