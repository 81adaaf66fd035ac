import { AlertLifecycle, emptyOutcome, type LifecycleOutcome } from '../alerts/lifecycle.js';
import type { AlertKey } from '../alerts/model.js';
import type { StateStore } from '../alerts/state-port.js';
import { QUANTITIES } from '../config/quantities.js';
import { HOUR_MS } from '../energy/local-time.js';
import type { Reading } from '../model/reading.js';
import type { Logger } from '../observability/logger.js';
import type { ReadingQuery } from '../storage/port.js';
import { IDLE, stepMachine, type ConditionState, type Transition } from './condition-machine.js';
import { loadRuleInput } from './input-source.js';
import type { Cadence, RuleDataSources, RuleInputKind } from './rule-type.js';
import { SeriesCache, type RuleReadingSource, type SeriesCacheOptions } from './series-cache.js';
import { MeterHourlyShare } from './shared-hourly.js';
import type { RuleBinding } from './subjects.js';
import { TurnSlicer } from './turn-slicer.js';

/** What is persisted per alert key between evaluations (rule_state). */
export interface PersistedRuleState {
  machine: ConditionState;
}

export interface EvaluatorOptions {
  bindings: readonly RuleBinding[];
  query: ReadingQuery;
  /** Leader-only writes when several instances run (src/cluster/leader-gate.ts fencedState). */
  state: Pick<StateStore, 'read' | 'transaction'>;
  lifecycle: AlertLifecycle;
  logger?: Logger;
  /** The analytics, for rule types that judge against the weather-normalised baseline. */
  energy?: RuleDataSources['energy'];
  /** How far back a first evaluation (or one after downtime) judges. Default 24 h. */
  maxCatchUpMs?: number;
  /** How far back late data can make a window be judged again. Default 7 days. */
  maxRejudgeMs?: number;
  /** Nothing is judged before this instant (a backtest's start). */
  notBeforeMs?: number;
  /**
   * Readings kept between cycles (src/rules/series-cache.ts), so a cycle reads only what is new;
   * `false` reads everything from the store every cycle (same judgements, slower).
   */
  seriesCache?: SeriesCacheOptions | false;
}

export interface EvaluationSummary {
  cadence: Cadence;
  nowMs: number;
  bindings: number;
  judgements: number;
  failures: number;
  outcome: LifecycleOutcome;
}

export function bindingKey(b: RuleBinding): AlertKey {
  return { site: b.subject.site.id, device: b.subject.device.id, rule: b.ruleKey };
}

/** How far behind the clock live rules judge. */
export const LIVE_SETTLE_MS = 15_000;

/** Rules that read a meter's hourly consumption through the storage port: a cycle computes it once per meter (shared-hourly.ts). */
const sharesHourly = (b: RuleBinding) => b.rule.def.input === 'hourly' && !b.rule.def.load && QUANTITIES[b.subject.quantity].kind === 'cumulative';
const hourlyKey = (b: RuleBinding) => `${b.subject.site.id}\u0000${b.subject.device.id}\u0000${b.subject.quantity}\u0000${b.rule.def.cadence}`;

const keyString = (k: AlertKey) => `${k.site}\u0000${k.device}\u0000${k.rule}`;

/**
 * Evaluates rules at an instant given by the caller (the scheduler's clock, or a backtest's fake
 * one): each binding judges what it has not judged yet, up to `nowMs` (live rules) or the last
 * complete hour (hourly rules), steps its condition machine, and the new machine states and the
 * alert changes of the whole cycle are committed in one transaction.
 *
 * Late data: readings stored for a window already judged mark their bindings dirty; the next
 * cycle judges again from there, starting from the alert the key already has, so an episode seen
 * twice stays one alert (the lifecycle ignores an episode that started before the last resolve).
 */
export class RuleEvaluator {
  private readonly byCadence = new Map<Cadence, RuleBinding[]>();
  private readonly dirtyFrom = new Map<string, number>();
  private readonly bindingsBySeries = new Map<string, RuleBinding[]>();
  private readonly cache: SeriesCache | null;
  /** Longest lookback of the rules that read a meter's hourly consumption, per series and cadence (MeterHourlyShare). */
  private readonly widestHourlyLookback = new Map<string, number>();

  constructor(private readonly options: EvaluatorOptions) {
    this.cache = options.seriesCache === false ? null : new SeriesCache(options.query, options.seriesCache ?? {});
    for (const b of options.bindings) {
      const list = this.byCadence.get(b.rule.def.cadence) ?? [];
      list.push(b);
      this.byCadence.set(b.rule.def.cadence, list);
      const series = `${b.subject.site.id}\u0000${b.subject.device.id}`;
      this.bindingsBySeries.set(series, [...(this.bindingsBySeries.get(series) ?? []), b]);
      if (sharesHourly(b)) {
        const k = hourlyKey(b);
        this.widestHourlyLookback.set(k, Math.max(this.widestHourlyLookback.get(k) ?? 0, b.rule.def.lookbackMs(b.rule.params as never)));
      }
    }
  }

  bindings(cadence?: Cadence): readonly RuleBinding[] {
    return cadence ? (this.byCadence.get(cadence) ?? []) : this.options.bindings;
  }

  /** Told of stored readings: those older than what a binding judged make it judge again. */
  noteStored(readings: readonly Reading[]): void {
    this.cache?.noteStored(readings);
    for (const r of readings) {
      const bound = this.bindingsBySeries.get(`${r.site}\u0000${r.device}`);
      if (!bound) continue;
      for (const b of bound) {
        const k = keyString(bindingKey(b));
        const prev = this.dirtyFrom.get(k);
        if (prev === undefined || r.tsMs < prev) this.dirtyFrom.set(k, r.tsMs);
      }
    }
  }

  async evaluate(nowMs: number, cadence: Cadence, sites?: ReadonlySet<string>): Promise<EvaluationSummary> {
    const bindings = (this.byCadence.get(cadence) ?? []).filter((b) => !sites || sites.has(b.subject.site.id));
    // Live rules judge up to a few seconds ago, so that readings still on their way are not missed;
    // later ones make their window be judged again (noteStored).
    const toMs = cadence === 'hourly' ? Math.floor(nowMs / HOUR_MS) * HOUR_MS : nowMs - LIVE_SETTLE_MS;
    const results: Array<{ binding: RuleBinding; key: AlertKey; machine: ConditionState; transitions: Transition[] }> = [];
    let judgements = 0;
    let failures = 0;
    const cycle = this.cache?.cycle(cadence, nowMs);
    const source = cycle?.source ?? this.options.query;
    cycle?.prefetch(new Set(bindings.map((b) => b.subject.site.id)));
    const hourly = new MeterHourlyShare(source);
    // Judged in slices of a few ms, each in its own turn of the event loop (turn-slicer.ts). Readings
    // stored meanwhile are noted for the next cycle (noteStored), as they were already while a cold
    // cycle awaited the store: toMs is fixed above, and a window judged too early is judged again.
    const slicer = new TurnSlicer();
    try {
      for (const binding of bindings) {
        await slicer.pause();
        try {
          const key = bindingKey(binding);
          const r = await this.judgeBinding(binding, key, nowMs, toMs, source, hourly);
          if (!r) continue;
          judgements += r.judged;
          results.push({ binding, key, machine: r.machine, transitions: r.transitions });
        } catch (err) {
          failures += 1;
          this.options.logger?.error({ err, rule: binding.rule.id, site: binding.subject.site.id, device: binding.subject.device.id }, 'rule evaluation failed');
        }
      }
    } finally {
      cycle?.end();
    }
    const outcome = emptyOutcome();
    if (results.length > 0) {
      await this.options.state.transaction(async (tx) => {
        // No pause in here: the embedded state store's reads share the connection, and a turn given
        // away inside the open transaction would let an HTTP read see uncommitted alert changes.
        for (const r of results) {
          await tx.putRuleState(r.key, { machine: r.machine } satisfies PersistedRuleState, nowMs);
          if (r.transitions.length === 0) continue;
          const { rule, subject } = r.binding;
          await this.options.lifecycle.apply(
            tx,
            {
              key: r.key, site: subject.site, ruleType: rule.type, quantity: subject.quantity, severity: rule.severity, unit: rule.def.unit(subject),
              summary: rule.description ?? rule.def.describe(rule.params as never, subject), cooldownMs: rule.cooldownMs, notifyOnResolve: rule.notifyOnResolve,
            },
            r.transitions,
            outcome,
          );
        }
        await this.options.lifecycle.flush(tx, nowMs);
      });
    }
    return { cadence, nowMs, bindings: bindings.length, judgements, failures, outcome };
  }

  private async judgeBinding(binding: RuleBinding, key: AlertKey, nowMs: number, toMs: number, source: RuleReadingSource, hourly: MeterHourlyShare) {
    const { rule, subject } = binding;
    const persisted = (await this.options.state.read.ruleState(key)) as PersistedRuleState | null;
    let machine: ConditionState = persisted?.machine ?? { ...IDLE };
    const floor = Math.max(nowMs - (this.options.maxCatchUpMs ?? 24 * HOUR_MS), this.options.notBeforeMs ?? -Infinity);
    const align = (ms: number) => (rule.def.cadence === 'hourly' ? Math.floor(ms / HOUR_MS) * HOUR_MS : ms);
    let fromMs = align(Math.max(machine.judgedToMs ?? floor, floor));
    const kStr = keyString(key);
    const dirty = this.dirtyFrom.get(kStr);
    /** An open alert whose episode began inside the replay: the replay must meet it again or end it. */
    let replayedAlert: { startMs: number } | null = null;
    if (dirty !== undefined) {
      this.dirtyFrom.delete(kStr);
      if (machine.judgedToMs !== null && dirty < machine.judgedToMs) {
        // Judge again from early enough that a pending duration is rebuilt from the data itself.
        const replayFrom = Math.min(dirty, machine.phase === 'pending' && machine.sinceMs !== null ? machine.sinceMs : dirty) - rule.forMs - rule.clearForMs;
        fromMs = align(Math.max(replayFrom, nowMs - (this.options.maxRejudgeMs ?? 7 * 24 * HOUR_MS), this.options.notBeforeMs ?? -Infinity));
        const active = await this.options.state.read.activeAlert(key);
        // An alert whose episode began before the replay carries on; one that began inside it is
        // met again by the replay's own open, which the lifecycle turns into an update.
        machine = active && active.startMs <= fromMs
          ? { phase: 'active', sinceMs: active.startMs, clearSinceMs: null, judgedToMs: fromMs, measured: active.measured, expected: active.expected }
          : { ...IDLE, judgedToMs: fromMs };
        if (active && active.startMs > fromMs) replayedAlert = active;
      }
    }
    if (fromMs >= toMs) return null;
    const readFrom = fromMs - rule.def.lookbackMs(rule.params as never);
    const input = rule.def.load
      ? await rule.def.load({ query: this.options.query, ...(this.options.energy ? { energy: this.options.energy } : {}) }, subject, readFrom, toMs)
      : sharesHourly(binding)
        ? await hourly.load(subject, readFrom, toMs, fromMs - (this.widestHourlyLookback.get(hourlyKey(binding)) ?? 0))
        : await loadRuleInput(rule.def.input as Exclude<RuleInputKind, 'daily-site'>, source, subject, readFrom, toMs);
    const judged = rule.def.judge(input as never, rule.params as never, fromMs, toMs, subject);
    const stepped = stepMachine(machine, judged, { forMs: rule.forMs, clearForMs: rule.clearForMs, ...(rule.maxGapMs !== null ? { maxGapMs: rule.maxGapMs } : {}) });
    if (replayedAlert && !stepped.transitions.some((t) => t.kind === 'open')) {
      // Late data showed the alert's episode did not last `for` after all. Still pending: it is the
      // same condition, carried on as the alert's; over: the alert resolves. Left alone, an idle
      // machine would never resolve it (nothing but an active machine does).
      if (stepped.state.phase === 'pending') stepped.state = { ...stepped.state, phase: 'active', sinceMs: replayedAlert.startMs };
      else if (stepped.state.phase === 'idle') stepped.transitions.push({ kind: 'resolve', atMs: stepped.state.judgedToMs ?? toMs, measured: null, expected: null });
    }
    // Judged up to toMs even where nothing could be judged (no data): the window is not read again
    // unless late data arrives for it.
    const next: ConditionState = { ...stepped.state, judgedToMs: Math.max(stepped.state.judgedToMs ?? toMs, toMs) };
    return { machine: next, transitions: stepped.transitions, judged: judged.length };
  }
}
