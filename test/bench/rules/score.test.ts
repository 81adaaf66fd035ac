import { describe, expect, it } from 'vitest';
import { labelledEventCoverage, rates, scoreEpisodes } from './score.js';

const H = 3_600_000;
// 10 hours: hours 2–4 anomalous, hour 9 unmeasured.
const truth = { startMs: 0, labels: Int8Array.from([0, 0, 1, 1, 1, 0, 0, 0, 0, -1]) };

describe('scoreEpisodes', () => {
  it('unions overlapping rules per hour, counts each episode as an event, and skips unmeasured hours', () => {
    const s = scoreEpisodes(
      [
        { rule: 'a', startMs: 1 * H, endMs: 4 * H },
        { rule: 'b', startMs: 3 * H, endMs: 5 * H },
        { rule: 'a', startMs: 7 * H, endMs: 10 * H },
      ],
      truth,
    );
    expect([s.truePositiveHours, s.falsePositiveHours, s.falseNegativeHours]).toEqual([3, 3, 0]);
    expect([s.events, s.falseEvents]).toEqual([3, 1]);
    const r = rates(s);
    expect(r.precision).toBeCloseTo(0.5);
    expect(r.recall).toBe(1);
  });

  it('leaves out hours before fromMs and episodes ending before it', () => {
    const s = scoreEpisodes([{ rule: 'a', startMs: 0, endMs: 2 * H }, { rule: 'a', startMs: 3 * H, endMs: 4 * H }], truth, { fromMs: 3 * H });
    expect([s.truePositiveHours, s.falseNegativeHours, s.events]).toEqual([1, 1, 1]);
  });

  it('reports how much of each labelled event is covered', () => {
    expect(labelledEventCoverage([{ rule: 'a', startMs: 4 * H, endMs: 6 * H }], truth)).toEqual([{ startMs: 2 * H, hours: 3, coveredShare: 1 / 3 }]);
  });
});
