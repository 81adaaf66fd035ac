import type { Judgement } from './judgement.js';

/**
 * Turns a rule's judgements into alert episodes, with a trigger duration and a clear duration
 * (hysteresis): an alert opens once the trigger condition has held for `forMs`, and resolves once
 * the clear condition has held for `clearForMs`. Between the two nothing changes, so a value that
 * hovers around a threshold does not flap (Grafana #6202, #30119).
 * The state is plain data: it is persisted after every evaluation, so "for 15 min" survives a restart.
 */
export interface ConditionState {
  phase: 'idle' | 'pending' | 'active' | 'clearing';
  /** Start of the condition (pending or active): the alert's start. */
  sinceMs: number | null;
  /** Start of the clear condition while clearing. */
  clearSinceMs: number | null;
  /** End of the window judged so far (the evaluator moves it on even when nothing was judged). */
  judgedToMs: number | null;
  /** End of the last interval that had a judgement (data): a gap is measured from it. */
  lastJudgedMs?: number | null;
  /** Figures of the worst interval of the current episode. */
  measured: number | null;
  expected: number | null;
}

export const IDLE: ConditionState = { phase: 'idle', sinceMs: null, clearSinceMs: null, judgedToMs: null, measured: null, expected: null };

export interface MachineOptions {
  forMs: number;
  clearForMs: number;
  /** Judgements further apart than this break a pending duration (a gap is not "for 15 min"). */
  maxGapMs?: number;
}

export type Transition =
  | { kind: 'open'; startMs: number; atMs: number; measured: number | null; expected: number | null }
  | { kind: 'update'; atMs: number; measured: number | null; expected: number | null }
  | { kind: 'resolve'; atMs: number; measured: number | null; expected: number | null };

/** Worse = further past what was expected, in the direction of the trigger. */
function worse(j: Judgement, state: ConditionState): boolean {
  if (j.measured === null) return false;
  if (state.measured === null) return true;
  const dj = j.expected === null ? j.measured : j.measured - j.expected;
  const ds = state.expected === null ? state.measured : state.measured - state.expected;
  return Math.abs(dj) > Math.abs(ds);
}

/**
 * Steps the machine over judgements in time order; judgements that end at or before
 * `state.judgedToMs` were judged already and are skipped. Pure: returns the new state and what changed.
 */
export function stepMachine(
  state: ConditionState,
  judgements: readonly Judgement[],
  options: MachineOptions,
): { state: ConditionState; transitions: Transition[] } {
  let s: ConditionState = { ...state };
  const transitions: Transition[] = [];
  for (const j of judgements) {
    if (s.judgedToMs !== null && j.endMs <= s.judgedToMs) continue;
    const last = s.lastJudgedMs ?? s.judgedToMs;
    const gap = options.maxGapMs !== undefined && last !== null && last !== undefined && j.startMs - last > options.maxGapMs;
    if (gap && s.phase === 'pending') s = { ...s, phase: 'idle', sinceMs: null, measured: null, expected: null };
    switch (s.phase) {
      case 'idle':
        if (j.trigger) s = { ...s, phase: 'pending', sinceMs: j.startMs, measured: j.measured, expected: j.expected };
        break;
      case 'pending':
        if (!j.trigger) s = { ...s, phase: 'idle', sinceMs: null, measured: null, expected: null };
        else if (worse(j, s)) s = { ...s, measured: j.measured, expected: j.expected };
        break;
      case 'active':
        if (j.clear && !j.trigger) s = { ...s, phase: 'clearing', clearSinceMs: j.startMs };
        else if (j.trigger && worse(j, s)) {
          s = { ...s, measured: j.measured, expected: j.expected };
          transitions.push({ kind: 'update', atMs: j.endMs, measured: j.measured, expected: j.expected });
        }
        break;
      case 'clearing':
        if (j.trigger) s = { ...s, phase: 'active', clearSinceMs: null };
        else if (!j.clear) s = { ...s, phase: 'active', clearSinceMs: null };
        break;
    }
    if (s.phase === 'pending' && s.sinceMs !== null && j.endMs - s.sinceMs >= options.forMs) {
      s = { ...s, phase: 'active' };
      transitions.push({ kind: 'open', startMs: s.sinceMs!, atMs: j.endMs, measured: s.measured, expected: s.expected });
    }
    if (s.phase === 'clearing' && s.clearSinceMs !== null && j.endMs - s.clearSinceMs >= options.clearForMs) {
      transitions.push({ kind: 'resolve', atMs: j.endMs, measured: j.measured, expected: j.expected });
      s = { ...IDLE };
    }
    s.judgedToMs = j.endMs;
    s.lastJudgedMs = j.endMs;
  }
  return { state: s, transitions };
}
