import { createReadStream } from 'node:fs';
import { importCsv } from '../../../src/cli/import/import-csv.js';
import { configSchema, type AppConfig } from '../../../src/config/schema.js';
import { HOUR_MS } from '../../../src/energy/local-time.js';
import { runBacktest, type BacktestAlert } from '../../../src/rules/backtest.js';
import { loadRules } from '../../../src/rules/load-rules.js';
import { defaultRegistry } from '../../../src/rules/registry.js';
import { DuckDbStore } from '../../../src/storage/duckdb/duckdb-store.js';
import { createTempDir } from '../../helpers/tmp.js';
import type { LabelledBuilding } from './lead-data.js';
import type { Episode } from './score.js';

/**
 * Part (a) through the real engine: each building's hourly kWh is imported the way a user would
 * (`npm run cli -- import --values interval`: src/cli/import turns interval kWh into a cumulative
 * index) into a throw-away embedded DuckDB store, then `runBacktest` runs the shipped defaults
 * (`loadRules` without a file, `defaultRegistry()`) with the live evaluator and lifecycle.
 * The import reads only the time and kWh columns of the meter file: the labels never reach the
 * store, and the store is deleted afterwards.
 */
export interface EngineBuildingRun {
  id: string;
  /** Every alert of the backtest, every rule (energy, counter integrity, silent device). */
  alerts: BacktestAlert[];
  /** The alerts as scored episodes [start, resolved), an open one ending with the data. */
  episodes: Episode[];
  bindings: number;
  evaluations: number;
  failures: number;
  importMs: number;
  backtestMs: number;
}

const siteId = (b: LabelledBuilding) => `b${b.id}`;

export function engineConfig(list: readonly LabelledBuilding[]): AppConfig {
  return configSchema.parse({
    sites: list.map((b) => ({
      id: siteId(b),
      name: `LEAD/GEPIII building ${b.id}`,
      usage: b.primaryUse === 'Office' ? 'office' : b.primaryUse === 'Education' ? 'education' : 'other',
      floorAreaM2: b.floorAreaM2,
      timezone: b.series.timezone,
      country: b.series.calendar.country,
      // No calendar published: the default one (Mon–Fri 08:00–18:00, the country's holidays), as the old driver.
      devices: [{ id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'bench-secret' }],
    })),
  });
}

export async function runEngineBacktests(list: readonly LabelledBuilding[], options: { stepMs?: number; log?: (line: string) => void } = {}): Promise<EngineBuildingRun[]> {
  const config = engineConfig(list);
  const rules = loadRules({ config, registry: defaultRegistry(), env: {} });
  const dir = await createTempDir('sbe-bench-rules-');
  const store = new DuckDbStore({ dataDir: dir.path });
  const runs: EngineBuildingRun[] = [];
  try {
    await store.start();
    for (const b of list) {
      const t0 = performance.now();
      const report = await importCsv(
        { config, store, input: createReadStream(b.meterFile), now: Date.now },
        { site: siteId(b), device: 'meter', quantity: 'energy_kwh', values: 'interval', timestampColumn: 'timestamp_utc', valueColumn: 'kwh' },
      );
      if (report.rejected.length > 0) throw new Error(`building ${b.id}: import rejected ${report.rejected.length} line(s), first: ${JSON.stringify(report.rejected[0])}`);
      const t1 = performance.now();
      const fromMs = b.series.startMs;
      const toMs = fromMs + b.series.values.length * HOUR_MS;
      const result = await runBacktest({ config, rules, query: store, site: siteId(b), fromMs, toMs, ...(options.stepMs !== undefined ? { stepMs: options.stepMs } : {}) });
      const t2 = performance.now();
      runs.push({
        id: b.id,
        alerts: result.alerts,
        episodes: result.alerts.map((a) => ({ rule: a.rule, startMs: Date.parse(a.start), endMs: a.end === null ? toMs : Date.parse(a.end) })),
        bindings: result.bindings,
        evaluations: result.evaluations,
        failures: result.failures,
        importMs: t1 - t0,
        backtestMs: t2 - t1,
      });
      options.log?.(`  building ${b.id}: imported ${report.readings} readings in ${((t1 - t0) / 1000).toFixed(1)} s, backtest ${((t2 - t1) / 1000).toFixed(1)} s (${result.bindings} bindings, ${result.evaluations} evaluations, ${result.alerts.length} alerts)`);
    }
  } finally {
    await store.stop();
    await dir.remove();
  }
  return runs;
}
