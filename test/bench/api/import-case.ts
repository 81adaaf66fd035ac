import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { importCommand } from '../../../src/cli/commands/import.js';
import type { Reading } from '../../../src/model/reading.js';
import type { TempDir } from '../../helpers/tmp.js';
import { benchSiteObjects, yearReadings, type BenchSite } from './fixture.js';

/** What importing the benchmark's year through `npm run cli -- import` cost. */
export interface ImportFigures {
  imports: number;
  /** Wall time of every import, one after the other (each opens and closes the store, as the CLI does). */
  totalMs: number;
  /** Of it, what the imports printed for their rollup step (import-rollups.ts); null when they had none. */
  rollupsMs: number | null;
  readings: number;
}

function csvOf(readings: readonly Reading[]): string {
  // String(number) is the shortest spelling that reads back as the same double (ECMA-262 Number::toString).
  return `timestamp,value\n${readings.map((r) => `${new Date(r.tsMs).toISOString()},${String(r.value)}`).join('\n')}\n`;
}

/**
 * Imports each site's year (its meter's index and its outdoor temperatures, as `--values index`
 * rows) through the CLI's import command, in this process, with the environment a user would set
 * (DATA_DIR, or INFLUX_URL and INFLUX_DB): the real first use of a store filled from history files.
 * The store must not be open elsewhere (DuckDB locks its file).
 */
export async function importBenchYear(dir: TempDir, sites: readonly BenchSite[], env: Record<string, string>): Promise<ImportFigures> {
  const configPath = join(dir.path, 'sites.yaml');
  await writeFile(configPath, stringify({ sites: benchSiteObjects(sites) }));
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const figures: ImportFigures = { imports: 0, totalMs: 0, rollupsMs: 0, readings: 0 };
  try {
    for (const s of sites) {
      const year = yearReadings(s);
      for (const [device, quantity] of [['meter', 'energy_kwh'], ['weather', 'temperature_c']] as const) {
        const rows = year.filter((r) => r.device === device && r.quantity === quantity);
        const file = join(dir.path, `${s.id}-${device}.csv`);
        await writeFile(file, csvOf(rows));
        const out: string[] = [];
        const errors: string[] = [];
        const t0 = performance.now();
        const code = await importCommand({ site: s.id, device, quantity, values: 'index', file, config: configPath }, (l) => out.push(l), (l) => errors.push(l));
        figures.totalMs += performance.now() - t0;
        if (code !== 0) throw new Error(`import of ${s.id}/${device} exited ${code}: ${errors.join('; ')}`);
        // An import without the rollup step (the code before it) is timed all the same: rollupsMs null.
        const rollups = out.find((l) => l.includes('rollups for the comparison'));
        if (!rollups) figures.rollupsMs = null;
        else if (figures.rollupsMs !== null) figures.rollupsMs += Number(/\((\d+) ms\)/.exec(rollups)?.[1] ?? NaN);
        figures.imports++;
        figures.readings += rows.length;
      }
    }
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  figures.totalMs = Math.round(figures.totalMs);
  return figures;
}
