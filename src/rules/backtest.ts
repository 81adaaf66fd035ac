import { AlertLifecycle } from '../alerts/lifecycle.js';
import type { Alert } from '../alerts/model.js';
import type { AppConfig } from '../config/schema.js';
import { EnergyAnalyticsService } from '../energy/analytics-service.js';
import { HOUR_MS } from '../energy/local-time.js';
import type { ReadingQuery } from '../storage/port.js';
import { SqliteStateStore } from '../storage/state/sqlite-state-store.js';
import { LIVE_SETTLE_MS, RuleEvaluator } from './evaluator.js';
import type { LoadedRules } from './load-rules.js';
import { bindRules } from './subjects.js';

/** One line of a backtest: an alert that would have opened. */
export interface BacktestAlert {
  site: string;
  device: string;
  rule: string;
  severity: Alert['severity'];
  /** When the condition began. */
  start: string;
  /** When it resolved, or null if still open at the end of the backtest. */
  end: string | null;
  measured: number | null;
  expected: number | null;
  unit: string;
  flaps: number;
}

export interface BacktestOptions {
  config: AppConfig;
  rules: LoadedRules;
  query: ReadingQuery;
  site: string;
  fromMs: number;
  toMs: number;
  /**
   * Clock step. The live scheduler ticks hourly (and every minute for live rules); the rule types
   * are causal, so judging a day of hours in one tick gives the verdicts of 24 hourly ticks, and
   * the default 1 day step makes a year of history a few hundred evaluations.
   */
  stepMs?: number;
}

export interface BacktestResult {
  alerts: BacktestAlert[];
  evaluations: number;
  bindings: number;
  failures: number;
}

/**
 * Runs the rules over stored history with the live evaluator and lifecycle, on a fake clock and a
 * throw-away in-memory state store: nothing of the live state is read or written.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const site = options.config.sites.find((s) => s.id === options.site);
  if (!site) throw new Error(`unknown site "${options.site}"`);
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  try {
    const bindings = bindRules(options.config, options.rules.configured, options.rules.defaults).filter((b) => b.subject.site.id === site.id);
    const energy = new EnergyAnalyticsService({ config: options.config, query: options.query });
    const evaluator = new RuleEvaluator({ bindings, query: options.query, energy, state, lifecycle: new AlertLifecycle(), notBeforeMs: options.fromMs, maxCatchUpMs: Number.POSITIVE_INFINITY,
      // Nothing writes during a backtest: cached readings never need a refill.
      seriesCache: { maxAgeMs: Number.POSITIVE_INFINITY } });
    const step = options.stepMs ?? 24 * HOUR_MS;
    let evaluations = 0;
    let failures = 0;
    for (let t = options.fromMs; t < options.toMs; ) {
      t = Math.min(t + step, options.toMs);
      const hourly = await evaluator.evaluate(t, 'hourly');
      // Live rules judge up to `now - settle`: shift their clock so they judge up to t as well.
      const live = await evaluator.evaluate(t + LIVE_SETTLE_MS, 'minute');
      evaluations += 2;
      failures += hourly.failures + live.failures;
    }
    const alerts = await state.read.alerts({ sites: [site.id], limit: 1_000_000 });
    return {
      alerts: alerts
        .sort((a, b) => a.startMs - b.startMs || a.id - b.id)
        .map((a) => ({
          site: a.site, device: a.device, rule: a.rule, severity: a.severity, start: new Date(a.startMs).toISOString(),
          end: a.resolvedMs === null ? null : new Date(a.resolvedMs).toISOString(), measured: a.measured, expected: a.expected, unit: a.unit, flaps: a.flapCount,
        })),
      evaluations,
      bindings: bindings.length,
      failures,
    };
  } finally {
    await state.stop();
  }
}

