/**
 * Rules quality benchmark (issue 8), part (a): the shipped default rules run through the real
 * engine (`runBacktest`: the live evaluator and alert lifecycle on a fake clock) over the six real
 * buildings of the developer data set, each imported into an embedded DuckDB store as a user would
 * import it, and scored hour by hour against their LEAD1.0 labels. The labels are read from
 * `--data` at run time and never copied (their licence is unclear).
 * The figures of the earlier stand-in driver (detectors and condition machine called directly,
 * test/bench/rules/driver.ts) are printed beside them for one release, so any difference shows.
 *   npm run bench:rules [-- --data ../shared/data] [--buildings 118,439] [--json out.json]
 * Targets: overall F1 ≥ 0.45 with at most 2 false alert events per building-month.
 * The drift rule (`daily-drift`) is an event detector: it says on which day a sustained excess is
 * caught, not which hours are anomalous, and LEAD labels no drift. The hour-level F1 is the hourly
 * rules'; the drift rule is printed apart (its signals, false per building-month) and, so nothing
 * is hidden, the union with its episodes counted hour by hour.
 * Part (b), the speed of one evaluation cycle, is test/bench/rules-cycle.ts (`npm run bench:rules-cycle`).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ENERGY_RULES } from '../../src/rules/detectors/calibrated-defaults.js';
import { machineLoad } from './rules/machine.js';
import { runRulesDaily } from './rules/driver.js';
import { runEngineBacktests } from './rules/engine-driver.js';
import { loadLabelledBuildings } from './rules/lead-data.js';
import { addScores, labelledEventCoverage, rates, scoreEpisodes, type Episode, type LabelledEvent, type Score } from './rules/score.js';

export interface QualityBenchOptions {
  dataDir: string;
  buildings?: readonly string[];
  /** Weeks at the start left out of the second set of figures (the detectors learn from trailing weeks). */
  warmUpWeeks?: number;
  /** The backtest's clock step (default: runBacktest's, one day). */
  stepMs?: number;
  log?: (line: string) => void;
}

export interface BuildingResult {
  id: string;
  /** The engine, the hourly energy rules (the calibrated ones, as the old driver scored). */
  all: Score;
  /** The engine, the hourly rules and the drift rule's episodes counted hour by hour. */
  withDrift: Score;
  /** The drift rule alone. */
  drift: Score;
  afterWarmUp: Score;
  /** The engine, every shipped default rule (silent device and counter integrity too). */
  allDefaults: Score;
  /** The old stand-in driver, same energy rules. */
  oldDriver: Score;
  byRule: Record<string, Score>;
  missed: LabelledEvent[];
  episodes: Episode[];
  /** Alerts of the other default rules (not energy): rule -> count. */
  otherAlerts: Record<string, number>;
  flaps: number;
  backtestMs: number;
  importMs: number;
  bindings: number;
}

export interface QualityBenchResult {
  buildings: BuildingResult[];
  overall: Score;
  overallWithDrift: Score;
  overallDrift: Score;
  overallAfterWarmUp: Score;
  overallAllDefaults: Score;
  overallOldDriver: Score;
  byRule: Record<string, Score>;
}

const ENERGY_RULE_IDS = new Set(DEFAULT_ENERGY_RULES.map((r) => r.id));
/** Event rules: scored apart from the hour-level union (see the header). */
const EVENT_RULE_TYPES = new Set(['daily-drift']);
const HOURLY_RULES = DEFAULT_ENERGY_RULES.filter((r) => !EVENT_RULE_TYPES.has(r.type));
const HOURLY_RULE_IDS = new Set(HOURLY_RULES.map((r) => r.id));

export async function runQualityBench(options: QualityBenchOptions): Promise<QualityBenchResult> {
  const warmUpMs = (options.warmUpWeeks ?? 4) * 7 * 86_400_000;
  const buildings = loadLabelledBuildings(options.dataDir, options.buildings);
  const runs = await runEngineBacktests(buildings, { ...(options.stepMs !== undefined ? { stepMs: options.stepMs } : {}), ...(options.log ? { log: options.log } : {}) });
  const results: BuildingResult[] = buildings.map((b, i) => {
    const run = runs[i]!;
    if (run.failures > 0) throw new Error(`building ${b.id}: ${run.failures} evaluation failures in the backtest`);
    const truth = { startMs: b.series.startMs, labels: b.labels };
    const energyEpisodes = run.episodes.filter((e) => ENERGY_RULE_IDS.has(e.rule));
    const episodes = energyEpisodes.filter((e) => HOURLY_RULE_IDS.has(e.rule));
    const byRule: Record<string, Score> = {};
    for (const id of ENERGY_RULE_IDS) byRule[id] = scoreEpisodes(energyEpisodes.filter((e) => e.rule === id), truth);
    const otherAlerts: Record<string, number> = {};
    for (const a of run.alerts) if (!ENERGY_RULE_IDS.has(a.rule)) otherAlerts[a.rule] = (otherAlerts[a.rule] ?? 0) + 1;
    return {
      id: b.id,
      all: scoreEpisodes(episodes, truth),
      withDrift: scoreEpisodes(energyEpisodes, truth),
      drift: scoreEpisodes(energyEpisodes.filter((e) => !HOURLY_RULE_IDS.has(e.rule)), truth),
      afterWarmUp: scoreEpisodes(episodes, truth, { fromMs: b.series.startMs + warmUpMs }),
      allDefaults: scoreEpisodes(run.episodes, truth),
      oldDriver: scoreEpisodes(runRulesDaily(b.series, HOURLY_RULES), truth),
      byRule,
      missed: labelledEventCoverage(episodes, truth).filter((e) => e.coveredShare < 0.5),
      episodes,
      otherAlerts,
      flaps: run.alerts.reduce((n, a) => n + a.flaps, 0),
      backtestMs: run.backtestMs,
      importMs: run.importMs,
      bindings: run.bindings,
    };
  });
  const byRule: Record<string, Score> = {};
  for (const id of ENERGY_RULE_IDS) byRule[id] = addScores(results.map((x) => x.byRule[id]!));
  return {
    buildings: results,
    overall: addScores(results.map((r) => r.all)),
    overallWithDrift: addScores(results.map((r) => r.withDrift)),
    overallDrift: addScores(results.map((r) => r.drift)),
    overallAfterWarmUp: addScores(results.map((r) => r.afterWarmUp)),
    overallAllDefaults: addScores(results.map((r) => r.allDefaults)),
    overallOldDriver: addScores(results.map((r) => r.oldDriver)),
    byRule,
  };
}

const f3 = (x: number) => x.toFixed(3);

function row(label: string, s: Score): string {
  const r = rates(s);
  return `${label.padEnd(26)} P ${f3(r.precision)}  R ${f3(r.recall)}  F1 ${f3(r.f1)}  events ${String(s.events).padStart(4)}  false ${String(s.falseEvents).padStart(4)}  false/month ${r.falseEventsPerMonth.toFixed(2)}`;
}

function short(s: Score): string {
  const r = rates(s);
  return `F1 ${f3(r.f1)} (P ${f3(r.precision)} R ${f3(r.recall)}) false/month ${r.falseEventsPerMonth.toFixed(2)}`;
}

export function printQualityBench(result: QualityBenchResult, print: (line: string) => void = console.log): void {
  print('Hour-level scores of the default energy rules (union of rules), whole year, through the engine (runBacktest):');
  for (const b of result.buildings) print(row(`  building ${b.id}`, b.all));
  print(row('  overall', result.overall));
  print('The drift rule (an event per drift; LEAD labels none, so a signal touching no labelled hour is false):');
  for (const b of result.buildings) print(`  building ${b.id.padEnd(6)} signals ${b.drift.events}, false ${b.drift.falseEvents}, flagged hours ${b.drift.truePositiveHours + b.drift.falsePositiveHours}`);
  print(row('  drift alone', result.overallDrift));
  print(row('  hourly + drift (hours)', result.overallWithDrift));
  print('Engine vs the old stand-in driver (detectors + condition machine called directly), same energy rules:');
  for (const b of result.buildings) print(`  building ${b.id.padEnd(6)} engine ${short(b.all)} | old driver ${short(b.oldDriver)}`);
  print(`  overall         engine ${short(result.overall)} | old driver ${short(result.overallOldDriver)}`);
  print('Every shipped default rule (energy + counter integrity + silent device), engine:');
  for (const b of result.buildings) {
    const other = Object.entries(b.otherAlerts).map(([r, n]) => `${r} ${n}`).join(', ') || 'none';
    print(`${row(`  building ${b.id}`, b.allDefaults)}  (other alerts: ${other}; flaps ${b.flaps})`);
  }
  print(row('  overall', result.overallAllDefaults));
  print('Same energy rules, first 4 weeks excluded (the profiles learn from trailing weeks: little is judged at first):');
  for (const b of result.buildings) print(row(`  building ${b.id}`, b.afterWarmUp));
  print(row('  overall', result.overallAfterWarmUp));
  print('Each rule alone, whole year, all buildings:');
  for (const [id, s] of Object.entries(result.byRule)) print(row(`  ${id}`, s));
  print('Labelled events less than half covered:');
  for (const b of result.buildings) {
    const list = b.missed.map((e) => `${new Date(e.startMs).toISOString().slice(0, 13)}Z ${e.hours} h (${Math.round(e.coveredShare * 100)} %)`);
    print(`  building ${b.id}: ${list.length === 0 ? 'none' : list.join(', ')}`);
  }
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { data: { type: 'string', default: '../shared/data' }, buildings: { type: 'string' }, json: { type: 'string' } },
  });
  console.log(`Machine at start: ${machineLoad()}`);
  const started = performance.now();
  const result = await runQualityBench({ dataDir: resolve(args.data!), ...(args.buildings ? { buildings: args.buildings.split(',') } : {}), log: console.log });
  printQualityBench(result);
  const backtestS = result.buildings.reduce((s, b) => s + b.backtestMs, 0) / 1000;
  console.log(`Backtests ${backtestS.toFixed(1)} s for ${result.buildings.length} building-years (${(backtestS / Math.max(1, result.buildings.length)).toFixed(1)} s each), whole run ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`Machine at end: ${machineLoad()}`);
  if (args.json) {
    const slim = { ...result, buildings: result.buildings.map(({ episodes: _e, ...b }) => b) };
    await writeFile(args.json, JSON.stringify(slim, null, 2));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
