import type { RuleScheduler } from '../rules/scheduler.js';
import { LIVE_SETTLE_MS } from '../rules/evaluator.js';

const DAY_MS = 86_400_000;

export interface CatchUpReport {
  cycles: number;
  opened: number;
  seconds: number;
}

/**
 * Judges a history that was just published, as the live scheduler would have judged it hour by
 * hour: one cycle of each cadence per `stepMs` from `fromMs` to `toMs`, at that step's instant.
 * The rule types are causal, so a week judged in one cycle gives the verdicts of 168 hourly ticks
 * (src/rules/backtest.ts relies on the same); `stepMs` must not exceed the evaluator's catch-up
 * span (24 h unless the service was started with `rulesMaxCatchUpMs`). Each cycle reads the
 * rules' lookback again, so fewer, longer steps are faster. Alerts open in the live state store,
 * and their mails go through the live outbox.
 */
export async function catchUpRules(scheduler: RuleScheduler, fromMs: number, toMs: number, stepMs = DAY_MS): Promise<CatchUpReport> {
  const t0 = performance.now();
  let cycles = 0;
  let opened = 0;
  for (let t = fromMs; t < toMs; ) {
    t = Math.min(t + stepMs, toMs);
    const hourly = await scheduler.run('hourly', undefined, t);
    // Live rules judge up to `now - settle`: shift their clock so they judge up to t as well.
    const live = await scheduler.run('minute', undefined, t === toMs ? t : t + LIVE_SETTLE_MS);
    cycles += 2;
    opened += (hourly?.outcome.opened.length ?? 0) + (live?.outcome.opened.length ?? 0);
  }
  return { cycles, opened, seconds: (performance.now() - t0) / 1000 };
}
