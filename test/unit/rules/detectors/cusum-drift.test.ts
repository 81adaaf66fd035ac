import { describe, expect, it } from 'vitest';
import { cusumDrift } from '../../../../src/rules/detectors/cusum-drift.js';
import { countIn, fixtureSeries, judgeDaily, rowOf, triggered, withValues } from './helpers.js';

// Building 1074 (office, America/Chicago), April 2016.
const series = fixtureSeries('1074');
const from = rowOf('2016-04-04T00:00');
const to = rowOf('2016-05-01T00:00');
const params = cusumDrift.params.parse({});

describe('cusum-drift on real hourly data', () => {
  it('stays quiet on four untouched weeks', () => {
    const hits = triggered(series, judgeDaily(cusumDrift, params, series, from, to));
    expect(hits.length).toBeLessThanOrEqual(Math.round(0.05 * (to - from)));
  });

  it('fires on a sustained +25 % drift that no single hour shows as a spike', () => {
    const a = rowOf('2016-04-18T00:00');
    const drifted = withValues(series, (v) => {
      for (let i = a; i < to; i++) v[i] = v[i]! * 1.25;
    });
    const judgements = judgeDaily(cusumDrift, params, drifted, from, to);
    const hits = triggered(drifted, judgements);
    expect(countIn(hits, a + 48, to)).toBeGreaterThan(0.5 * (to - a - 48));
    // The report is the excess since the sum left zero: actual above expected.
    const j = judgements.find((x) => x.trigger)!;
    expect(j.measured!).toBeGreaterThan(j.expected!);
    const clean = triggered(series, judgeDaily(cusumDrift, params, series, from, to));
    expect(countIn(clean, a + 48, to)).toBeLessThan(countIn(hits, a + 48, to) / 4);
  });

  it('is not moved by one spike (residuals are winsorised)', () => {
    const at = rowOf('2016-04-13T13:00');
    const spiked = withValues(series, (v) => (v[at] = v[at]! * 10));
    const before = triggered(series, judgeDaily(cusumDrift, params, series, from, to));
    const after = triggered(spiked, judgeDaily(cusumDrift, params, spiked, from, to));
    expect(countIn(after, at, at + 168)).toBeLessThanOrEqual(countIn(before, at, at + 168) + 6);
  });
});
