import { describe, expect, it } from 'vitest';
import { IDLE, stepMachine, type ConditionState, type Transition } from '../../../src/rules/condition-machine.js';
import type { Judgement } from '../../../src/rules/judgement.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 9, 0);

/** A point judgement at minute `m` (as the threshold type gives: [t, t + 1 ms)). */
function at(m: number, trigger: boolean, clear = !trigger, measured: number | null = trigger ? 1600 : 1000): Judgement {
  const startMs = T0 + m * MIN;
  return { startMs, endMs: startMs + 1, trigger, clear, measured, expected: 1500 };
}

/** Steps one judgement per call, as successive evaluation cycles would, and collects the transitions. */
function run(judgements: Judgement[], options = { forMs: 15 * MIN, clearForMs: 10 * MIN }, start: ConditionState = { ...IDLE }) {
  let state = start;
  const transitions: Transition[] = [];
  for (const j of judgements) {
    const r = stepMachine(state, [j], options);
    state = r.state;
    transitions.push(...r.transitions);
  }
  return { state, transitions };
}

const minutes = (from: number, to: number, f: (m: number) => Judgement) => Array.from({ length: to - from + 1 }, (_, i) => f(from + i));

describe('stepMachine: trigger duration (for) and clear duration (clearFor)', () => {
  it('opens once the trigger has held for `for`, starting at the first triggering interval', () => {
    const early = run(minutes(0, 14, (m) => at(m, true)));
    expect(early.transitions).toEqual([]);
    expect(early.state).toMatchObject({ phase: 'pending', sinceMs: T0 });
    const r = run(minutes(0, 15, (m) => at(m, true)));
    expect(r.transitions).toEqual([{ kind: 'open', startMs: T0, atMs: T0 + 15 * MIN + 1, measured: 1600, expected: 1500 }]);
    expect(r.state.phase).toBe('active');
  });

  it('gives the same transitions whether judgements come one cycle at a time or all at once', () => {
    const js = [...minutes(0, 30, (m) => at(m, true)), ...minutes(31, 50, (m) => at(m, false))];
    const oneByOne = run(js);
    const atOnce = stepMachine({ ...IDLE }, js, { forMs: 15 * MIN, clearForMs: 10 * MIN });
    expect(atOnce.transitions).toEqual(oneByOne.transitions);
    expect(oneByOne.transitions.map((t) => t.kind)).toEqual(['open', 'resolve']);
  });

  it('a clear interval before `for` is reached resets the pending duration', () => {
    const r = run([...minutes(0, 10, (m) => at(m, true)), at(11, false), ...minutes(12, 26, (m) => at(m, true))]);
    expect(r.transitions).toEqual([]);
    expect(r.state).toMatchObject({ phase: 'pending', sinceMs: T0 + 12 * MIN });
    const later = run([at(27, true)], undefined, r.state);
    expect(later.transitions).toMatchObject([{ kind: 'open', startMs: T0 + 12 * MIN }]);
  });

  it('resolves only once the clear condition has held for `clearFor`', () => {
    const active = run(minutes(0, 15, (m) => at(m, true))).state;
    const nine = run(minutes(16, 25, (m) => at(m, false)), undefined, active);
    expect(nine.transitions).toEqual([]);
    expect(nine.state).toMatchObject({ phase: 'clearing', clearSinceMs: T0 + 16 * MIN });
    const ten = run([at(26, false)], undefined, nine.state);
    expect(ten.transitions).toMatchObject([{ kind: 'resolve', atMs: T0 + 26 * MIN + 1 }]);
    expect(ten.state).toMatchObject({ phase: 'idle', sinceMs: null, clearSinceMs: null });
  });

  it('a trigger while clearing returns to active without a new open', () => {
    const active = run(minutes(0, 15, (m) => at(m, true))).state;
    const r = run([...minutes(16, 20, (m) => at(m, false)), at(21, true), ...minutes(22, 31, (m) => at(m, false))], undefined, active);
    expect(r.transitions).toEqual([]);
    expect(r.state).toMatchObject({ phase: 'clearing', clearSinceMs: T0 + 22 * MIN });
  });

  it('the in-between zone (neither trigger nor clear) keeps each state as it is', () => {
    const between = (m: number) => at(m, false, false, 1350);
    // idle stays idle
    expect(run(minutes(0, 60, between))).toMatchObject({ transitions: [], state: { phase: 'idle' } });
    // active stays active: a value hovering under the threshold but above clearAt does not resolve
    const active = run(minutes(0, 15, (m) => at(m, true))).state;
    const hover = run(minutes(16, 200, between), undefined, active);
    expect(hover.transitions).toEqual([]);
    expect(hover.state.phase).toBe('active');
    // clearing interrupted by the in-between zone goes back to active: clearFor must be continuous
    const clearing = run(minutes(16, 20, (m) => at(m, false)), undefined, active).state;
    const back = run([between(21), ...minutes(22, 30, (m) => at(m, false))], undefined, clearing);
    expect(back.transitions).toEqual([]);
    expect(back.state).toMatchObject({ phase: 'clearing', clearSinceMs: T0 + 22 * MIN });
  });

  it('pending in the in-between zone keeps accumulating only while triggering (in-between is not trigger)', () => {
    const r = run([...minutes(0, 10, (m) => at(m, true)), at(11, false, false, 1350)]);
    expect(r.state.phase).toBe('idle');
  });

  it('keeps the worst figure of the episode and reports it as an update', () => {
    const r = run([...minutes(0, 15, (m) => at(m, true)), at(16, true, false, 2100), at(17, true, false, 1800)]);
    expect(r.transitions.map((t) => t.kind)).toEqual(['open', 'update']);
    expect(r.transitions[1]).toMatchObject({ measured: 2100 });
    expect(r.state.measured).toBe(2100);
  });

  it('skips judgements it has judged already (a cycle replayed after a crash)', () => {
    const js = minutes(0, 20, (m) => at(m, true));
    const first = stepMachine({ ...IDLE }, js, { forMs: 15 * MIN, clearForMs: 0 });
    const again = stepMachine(first.state, js, { forMs: 15 * MIN, clearForMs: 0 });
    expect(first.transitions).toHaveLength(1);
    expect(again.transitions).toEqual([]);
    expect(again.state).toEqual(first.state);
  });

  it('for: 0 opens on the first triggering interval; clearFor: 0 resolves on the first clear one', () => {
    const r = run([at(0, true), at(1, false)], { forMs: 0, clearForMs: 0 });
    expect(r.transitions.map((t) => t.kind)).toEqual(['open', 'resolve']);
  });

  describe('gaps', () => {
    it('with maxGapMs, judgements further apart break a pending duration', () => {
      const options = { forMs: 15 * MIN, clearForMs: 10 * MIN, maxGapMs: 5 * MIN };
      const r = run([at(0, true), at(4, true), at(14, true), at(18, true), at(22, true), at(26, true), at(29, true)], options);
      // the 10 min gap (4 -> 14) restarts the duration at 14; 15 min later (29) it opens
      expect(r.transitions).toMatchObject([{ kind: 'open', startMs: T0 + 14 * MIN, atMs: T0 + 29 * MIN + 1 }]);
    });

    it('a gap never resolves an active alert, nor opens a new one (missing data is not a verdict)', () => {
      const options = { forMs: 15 * MIN, clearForMs: 10 * MIN, maxGapMs: 5 * MIN };
      const active = run(minutes(0, 15, (m) => at(m, true)), options).state;
      const r = run([at(120, true), at(121, true)], options, active);
      expect(r.transitions.filter((t) => t.kind !== 'update')).toEqual([]);
      expect(r.state.phase).toBe('active');
    });

    it('hours with no judgement at all (no data) neither raise nor clear', () => {
      const H = 3_600_000;
      const hour = (h: number, trigger: boolean): Judgement => ({ startMs: T0 + h * H, endMs: T0 + (h + 1) * H, trigger, clear: !trigger, measured: trigger ? 0 : 50, expected: 50 });
      const r = run([hour(0, true), hour(1, true), hour(5, false)], { forMs: 4 * H, clearForMs: 1 * H });
      // two triggering hours, then a gap of three hours: "for 4 h" is reached only by the clock,
      // but a clear verdict arrives first, so nothing opens.
      expect(r.transitions).toEqual([]);
      expect(r.state.phase).toBe('idle');
    });
  });
});
