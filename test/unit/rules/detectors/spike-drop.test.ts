import { describe, expect, it } from 'vitest';
import { spikeDrop } from '../../../../src/rules/detectors/spike-drop.js';
import { countIn, fixtureSeries, judgeDaily, rowOf, triggered, withValues } from './helpers.js';

// Building 1074 (office, America/Chicago), 4–30 April 2016: four ordinary weeks of real data.
const series = fixtureSeries('1074');
const from = rowOf('2016-04-04T00:00');
const to = rowOf('2016-05-01T00:00');
const params = spikeDrop.params.parse({});

describe('spike-drop on real hourly data', () => {
  it('stays nearly silent on the untouched weeks', () => {
    const hits = triggered(series, judgeDaily(spikeDrop, params, series, from, to));
    // 648 judged hours; the 4σ/3σ double test should leave at most a handful.
    expect(hits.length).toBeLessThanOrEqual(3);
  });

  it('flags an injected spike at its hour, and not the weeks around', () => {
    // A spike must stand out of its slot AND of the whole last day (whose spread spans night and
    // day): three times a working-day early afternoon, about 400 kWh against 130.
    const at = rowOf('2016-04-13T13:00');
    const spiked = withValues(series, (v) => (v[at] = v[at]! * 3));
    const hits = triggered(spiked, judgeDaily(spikeDrop, params, spiked, from, to));
    expect(hits).toContain(at);
    const clean = triggered(series, judgeDaily(spikeDrop, params, series, from, to));
    expect(countIn(hits, from, to) - countIn(clean, from, to)).toBeLessThanOrEqual(1);
  });

  it('flags a drop to zero in working hours, hour by hour, with measured and expected in kWh', () => {
    const a = rowOf('2016-04-20T10:00');
    const dropped = withValues(series, (v) => v.fill(0, a, a + 6));
    const judgements = judgeDaily(spikeDrop, params, dropped, from, to);
    const hits = triggered(dropped, judgements);
    for (let i = a; i < a + 6; i++) expect(hits).toContain(i);
    const j = judgements.find((x) => x.startMs === dropped.startMs + a * 3_600_000)!;
    expect(j.measured).toBe(0);
    expect(j.expected!).toBeGreaterThan(80); // a 10:00 of a working day at 1074
  });

  it('leaves unmeasured hours out and does not read them as a drop', () => {
    const a = rowOf('2016-04-20T10:00');
    const gap = withValues(series, (v) => v.fill(NaN, a, a + 6));
    const judgements = judgeDaily(spikeDrop, params, gap, from, to);
    const judged = new Set(judgements.map((j) => (j.startMs - gap.startMs) / 3_600_000));
    for (let i = a; i < a + 6; i++) expect(judged.has(i)).toBe(false);
    expect(countIn(triggered(gap, judgements), a, a + 30)).toBe(0);
  });
});
