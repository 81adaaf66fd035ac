/**
 * Rules quality benchmark (issue 8), part (a): the shipped default energy rules, evaluated
 * causally day by day on the six real buildings of the developer data set, scored hour by hour
 * against their LEAD1.0 labels, which are read from `--data` at run time and never copied.
 *   npm run bench:rules [-- --data ../shared/data] [--buildings 118,439] [--json out.json]
 * Targets: overall F1 ≥ 0.45 with at most 2 false alert events per building-month.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_ENERGY_RULES, type DefaultEnergyRule } from '../../src/rules/detectors/calibrated-defaults.js';
import { runRulesDaily } from './rules/driver.js';
import { loadLabelledBuildings } from './rules/lead-data.js';
import { addScores, labelledEventCoverage, rates, scoreEpisodes, type Episode, type LabelledEvent, type Score } from './rules/score.js';

export interface QualityBenchOptions {
  dataDir: string;
  buildings?: readonly string[];
  rules?: readonly DefaultEnergyRule[];
  /** Weeks at the start left out of the second set of figures (the detectors learn from trailing weeks). */
  warmUpWeeks?: number;
}

export interface BuildingResult {
  id: string;
  all: Score;
  afterWarmUp: Score;
  byRule: Record<string, Score>;
  missed: LabelledEvent[];
  episodes: Episode[];
}

export interface QualityBenchResult {
  buildings: BuildingResult[];
  overall: Score;
  overallAfterWarmUp: Score;
  byRule: Record<string, Score>;
}

export function runQualityBench(options: QualityBenchOptions): QualityBenchResult {
  const rules = options.rules ?? DEFAULT_ENERGY_RULES;
  const warmUpMs = (options.warmUpWeeks ?? 4) * 7 * 86_400_000;
  const results: BuildingResult[] = [];
  for (const b of loadLabelledBuildings(options.dataDir, options.buildings)) {
    const episodes = runRulesDaily(b.series, rules);
    const truth = { startMs: b.series.startMs, labels: b.labels };
    const byRule: Record<string, Score> = {};
    for (const r of rules) byRule[r.id] = scoreEpisodes(episodes.filter((e) => e.rule === r.id), truth);
    results.push({
      id: b.id,
      all: scoreEpisodes(episodes, truth),
      afterWarmUp: scoreEpisodes(episodes, truth, { fromMs: b.series.startMs + warmUpMs }),
      byRule,
      missed: labelledEventCoverage(episodes, truth).filter((e) => e.coveredShare < 0.5),
      episodes,
    });
  }
  const byRule: Record<string, Score> = {};
  for (const r of rules) byRule[r.id] = addScores(results.map((x) => x.byRule[r.id]!));
  return { buildings: results, overall: addScores(results.map((r) => r.all)), overallAfterWarmUp: addScores(results.map((r) => r.afterWarmUp)), byRule };
}

function row(label: string, s: Score): string {
  const r = rates(s);
  const f = (x: number) => x.toFixed(3);
  return `${label.padEnd(26)} P ${f(r.precision)}  R ${f(r.recall)}  F1 ${f(r.f1)}  events ${String(s.events).padStart(4)}  false ${String(s.falseEvents).padStart(4)}  false/month ${r.falseEventsPerMonth.toFixed(2)}`;
}

export function printQualityBench(result: QualityBenchResult, print: (line: string) => void = console.log): void {
  print('Hour-level scores of the default energy rules (union of rules), whole year:');
  for (const b of result.buildings) print(row(`  building ${b.id}`, b.all));
  print(row('  overall', result.overall));
  print('Same, first 4 weeks excluded (the profiles learn from trailing weeks: little is judged at first):');
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
  const started = performance.now();
  const result = runQualityBench({ dataDir: resolve(args.data!), ...(args.buildings ? { buildings: args.buildings.split(',') } : {}) });
  printQualityBench(result);
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (args.json) {
    const slim = { ...result, buildings: result.buildings.map(({ episodes: _e, ...b }) => b) };
    await writeFile(args.json, JSON.stringify(slim, null, 2));
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
