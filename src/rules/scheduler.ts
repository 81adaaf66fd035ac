import { schedule, type ScheduledTask } from 'node-cron';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../observability/logger.js';
import type { Reading } from '../model/reading.js';
import type { ServicePart } from '../parts.js';
import type { EvaluationSummary, RuleEvaluator } from './evaluator.js';
import type { Cadence } from './rule-type.js';

/** Cron expressions of the two cadences. Hourly runs 2 min past the hour so the hour's last readings are in. */
export const CADENCE_CRON: Record<Cadence, string> = {
  minute: '* * * * *',
  hourly: '2 * * * *',
};

/**
 * Late data stored by other instances (src/cluster/late-marks.ts): taken before a cycle, `done`
 * once the cycle has committed, so that a failed cycle leaves them for the next.
 */
export interface LateData {
  take(): Promise<{ readings: readonly Reading[]; done: () => Promise<void> }>;
}

export interface RuleSchedulerOptions {
  evaluator: RuleEvaluator;
  /** The site ids per IANA zone: each zone gets its own cron tasks, run in that zone. */
  sitesByZone: ReadonlyMap<string, ReadonlySet<string>>;
  now: () => number;
  logger: Logger;
  events?: Pick<EventBus, 'on'>;
  onCycle?: (summary: EvaluationSummary) => void;
  /** Several instances: what the others stored late (one instance: none, `readingsStored` tells all). */
  lateData?: LateData;
}

/**
 * Runs the evaluator on node-cron, in each site's time zone, with no overlapping runs: a cycle
 * still running when the next is due makes that one skip (node-cron `noOverlap`), and the two
 * cadences of one zone are chained so they never run at the same time either. The clock comes
 * from `now`, so the same evaluator runs under a fake clock in tests and backtests.
 */
export class RuleScheduler implements ServicePart {
  readonly name = 'rule-scheduler';
  private tasks: ScheduledTask[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private unsubscribe: (() => void) | null = null;
  private lastSummary: Partial<Record<Cadence, EvaluationSummary>> = {};
  /**
   * Earliest stored reading per series since the last cycle. The evaluator only needs the earliest
   * (to cut its cache and judge late windows again), so the ingest hot path pays three map
   * lookups per reading, and the evaluator is told once per cycle.
   */
  private readonly pending = new Map<string, Map<string, Map<string, Reading>>>();

  constructor(private readonly options: RuleSchedulerOptions) {}

  async start(): Promise<void> {
    if (this.tasks.length > 0) return;
    this.unsubscribe = this.options.events?.on('readingsStored', ({ readings }) => this.note(readings)) as (() => void) | null ?? null;
    for (const [timezone, sites] of this.options.sitesByZone) {
      for (const cadence of Object.keys(CADENCE_CRON) as Cadence[]) {
        if (this.options.evaluator.bindings(cadence).length === 0) continue;
        this.tasks.push(schedule(CADENCE_CRON[cadence], () => this.run(cadence, sites), { timezone, noOverlap: true, name: `rules-${cadence}-${timezone}` }));
      }
    }
  }

  /**
   * Readings another instance stored (src/cluster/live-relay.ts: the latest per series per
   * 100 ms), noted as this instance's own: the evaluator's series cache holds readings up to the
   * cycle's instant, and one the other instance stores just after that fetch, within the settle
   * delay (so not marked late), would otherwise never be read by this leader's cycles.
   */
  noteStoredElsewhere(readings: readonly Reading[]): void {
    // Only while started, as with this instance's own readings: a follower would otherwise pile up
    // every series' earliest time and judge days again at its first cycle as leader (its cache
    // starts empty then, and reads the store).
    if (this.unsubscribe) this.note(readings);
  }

  private note(readings: readonly Reading[]): void {
    for (const r of readings) {
      let bySite = this.pending.get(r.site);
      if (!bySite) this.pending.set(r.site, (bySite = new Map()));
      let byDevice = bySite.get(r.device);
      if (!byDevice) bySite.set(r.device, (byDevice = new Map()));
      const seen = byDevice.get(r.quantity);
      if (seen === undefined || r.tsMs < seen.tsMs) byDevice.set(r.quantity, r);
    }
  }

  /** Hands the evaluator what was stored since the last cycle. */
  private flushPending(): void {
    if (this.pending.size === 0) return;
    const earliest: Reading[] = [];
    for (const bySite of this.pending.values()) for (const byDevice of bySite.values()) for (const r of byDevice.values()) earliest.push(r);
    this.pending.clear();
    this.options.evaluator.noteStored(earliest);
  }

  /**
   * One cycle now, queued behind any running one (also used by tests and the CLI). `atMs` runs it
   * at an earlier instant instead: the demo walks a freshly published history day by day, each
   * cycle judging at most the evaluator's catch-up span, so that what happened in it is alerted.
   */
  run(cadence: Cadence, sites?: ReadonlySet<string>, atMs?: number): Promise<EvaluationSummary | undefined> {
    const next = this.chain.then(async () => {
      this.flushPending();
      const started = Date.now();
      try {
        const late = await this.options.lateData?.take();
        if (late && late.readings.length > 0) this.options.evaluator.noteStored(late.readings);
        const summary = await this.options.evaluator.evaluate(atMs ?? this.options.now(), cadence, sites);
        this.lastSummary[cadence] = summary;
        this.options.onCycle?.(summary);
        // Not deleted: taken again next cycle, judged again, the same outcome.
        await late?.done().catch((err: unknown) => this.options.logger.warn({ err }, 'late-data marks judged but not deleted'));
        const { opened, resolved, reopened } = summary.outcome;
        if (opened.length + resolved.length + reopened.length > 0 || summary.failures > 0) {
          this.options.logger.info({ cadence, bindings: summary.bindings, opened: opened.length, reopened: reopened.length, resolved: resolved.length, failures: summary.failures, ms: Date.now() - started }, 'rules evaluated');
        }
        return summary;
      } catch (err) {
        this.options.logger.error({ err, cadence }, 'rule evaluation cycle failed');
        return undefined;
      }
    });
    this.chain = next;
    return next;
  }

  status(): { lastCycles: Partial<Record<Cadence, { nowMs: number; bindings: number; failures: number }>> } {
    const out: Partial<Record<Cadence, { nowMs: number; bindings: number; failures: number }>> = {};
    for (const [c, s] of Object.entries(this.lastSummary) as [Cadence, EvaluationSummary][]) out[c] = { nowMs: s.nowMs, bindings: s.bindings, failures: s.failures };
    return { lastCycles: out };
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const t of this.tasks) await t.destroy();
    this.tasks = [];
    await this.chain;
  }
}
