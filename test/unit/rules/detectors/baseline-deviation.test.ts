import { describe, expect, it } from 'vitest';
import { baselineDeviation } from '../../../../src/rules/detectors/baseline-deviation.js';
import { countIn, fixtureSeries, judgeDaily, rowOf, triggered, withValues } from './helpers.js';

// Building 1074 (office, America/Chicago), April 2016 judged on a profile of the 6 weeks before.
const series = fixtureSeries('1074');
const from = rowOf('2016-04-04T00:00');
const to = rowOf('2016-05-01T00:00');
const params = baselineDeviation.params.parse({});

describe('baseline-deviation on real hourly data', () => {
  it('flags few hours of four untouched weeks', () => {
    const hits = triggered(series, judgeDaily(baselineDeviation, params, series, from, to));
    // 648 judged hours; a 3σ / 30 % band leaves a few percent at most.
    expect(hits.length).toBeLessThanOrEqual(Math.round(0.03 * (to - from)));
  });

  it('flags a working day that runs at 40 % of its load, with expected from the profile', () => {
    const a = rowOf('2016-04-20T09:00');
    const low = withValues(series, (v) => {
      for (let i = a; i < a + 8; i++) v[i] = v[i]! * 0.4;
    });
    const judgements = judgeDaily(baselineDeviation, params, low, from, to);
    expect(countIn(triggered(low, judgements), a, a + 8)).toBe(8);
    const j = judgements.find((x) => x.startMs === low.startMs + a * 3_600_000)!;
    expect(j.measured).toBeCloseTo(series.values[a]! * 0.4, 6);
    expect(Math.abs(j.expected! - series.values[a]!) / series.values[a]!).toBeLessThan(0.3);
  });

  it('flags weekend heating (a Saturday run at working-day level) only in the "above" direction it is asked for', () => {
    const sat = rowOf('2016-04-23T08:00');
    const workday = rowOf('2016-04-22T08:00');
    const heated = withValues(series, (v) => {
      for (let k = 0; k < 10; k++) v[sat + k] = v[workday + k]!;
    });
    const above = baselineDeviation.params.parse({ direction: 'above' });
    const below = baselineDeviation.params.parse({ direction: 'below' });
    expect(countIn(triggered(heated, judgeDaily(baselineDeviation, above, heated, from, to)), sat, sat + 10)).toBeGreaterThanOrEqual(7);
    expect(countIn(triggered(heated, judgeDaily(baselineDeviation, below, heated, from, to)), sat, sat + 10)).toBe(0);
  });

  it('does not learn from public holidays: Memorial Day does not lower the next Mondays', () => {
    // 2016-05-30 (US federal holiday) at 1074 looks like a Sunday. Judge the Mondays after it with
    // a 2-week profile whose reference would contain the holiday if it were learnt from.
    const p = baselineDeviation.params.parse({ weeks: 2, minWeeks: 1, direction: 'both' });
    const monday = rowOf('2016-06-06T10:00');
    const judgements = baselineDeviation.detect(series, p, monday, monday + 1);
    expect(judgements).toHaveLength(1);
    // Only the ordinary Monday a fortnight before remains: its 10:00, not the holiday's.
    expect(judgements[0]!.expected).toBe(series.values[monday - 336]);
  });

  it('leaves unmeasured hours out', () => {
    const a = rowOf('2016-04-20T09:00');
    const gap = withValues(series, (v) => v.fill(NaN, a, a + 8));
    const judged = judgeDaily(baselineDeviation, params, gap, from, to).map((j) => (j.startMs - gap.startMs) / 3_600_000);
    expect(judged.filter((i) => i >= a && i < a + 8)).toEqual([]);
  });
});
