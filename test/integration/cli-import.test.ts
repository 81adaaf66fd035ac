import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildAppWithAccounts } from '../unit/api/helpers.js';
import { loadConfigFile } from '../../src/config/load.js';
import { EnergyAnalyticsService } from '../../src/energy/analytics-service.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { idleIngestDeps } from '../helpers/app-deps.js';
import { runCli } from '../helpers/cli-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildings, leadConfig } from '../unit/energy/helpers/lead-fixtures.js';

// Real hourly data of the LEAD/GEPIII buildings (test/fixtures/lead-gepiii, CC BY-SA), imported
// through the real CLI process, then read through the analytics API as a site manager would.
const FIXTURES = fileURLToPath(new URL('../fixtures/lead-gepiii/', import.meta.url));
const BUILDINGS = buildings();

let dir: TempDir;
let configPath: string;

const cli = (args: string[]) => runCli(args, { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath }, 60_000);

async function withStore<T>(use: (store: DuckDbStore) => Promise<T>): Promise<T> {
  const store = new DuckDbStore({ dataDir: join(dir.path, 'data') });
  await store.start();
  try {
    return await use(store);
  } finally {
    await store.stop();
  }
}

beforeAll(async () => {
  dir = await createTempDir('sbe-cli-import-');
  configPath = join(dir.path, 'sites.yaml');
  // The same sites as the analytics tests, written as YAML for the CLI to read.
  await writeFile(configPath, stringify(leadConfig(BUILDINGS)));
});

afterAll(async () => {
  await dir?.remove();
});

describe('npm run cli -- import, on real building data', () => {
  it('reports corrupt lines by number, imports every other line once, and nothing on a dry run', async () => {
    const original = (await readFile(join(FIXTURES, 'building_439.csv'), 'utf8')).trimEnd().split('\n');
    const corrupted = [...original];
    corrupted[100] = corrupted[100]!.replace(/,[^,]*,([^,]*)$/, ',12..5,$1'); // line 101: kwh not a number
    corrupted[2000] = `2016-02-31T00:00:00,2016-02-31T05:00:00Z,${corrupted[2000]!.split(',')[2]},3`; // line 2001: no such date
    corrupted.splice(5000, 0, '"unterminated,2016-07-27T00:00:00Z,1,1'); // line 5001: torn quote
    const file = join(dir.path, 'b439.csv');
    await writeFile(file, `${corrupted.join('\n')}\n`);

    const dry = await cli(['import', '--site', 'b439', '--device', 'meter', '--quantity', 'energy_kwh', '--file', file, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('dry run: would store');
    expect(dry.stderr.split('\n').filter((l) => l.startsWith('line ')).map((l) => Number(l.split(':')[0]!.slice(5)))).toEqual([101, 2001, 5001]);
    await withStore(async (store) => expect(await store.count({ site: 'b439' })).toBe(0));

    const first = await cli(['import', '--site', 'b439', '--device', 'meter', '--quantity', 'energy_kwh', '--file', file]);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('line 101: column kwh: "12..5" is not a number');
    expect(first.stderr).toContain('line 2001: ');
    expect(first.stderr).toContain('line 5001: a quoted field is not closed');
    const storedOnce = await withStore((store) => store.count({ site: 'b439', device: 'meter' }));
    const withValue = original.slice(1).filter((l) => l.split(',')[2] !== '').length;
    // One index point per row with a value (two rows were corrupted) plus the counter's starting point.
    expect(storedOnce).toBe(withValue - 2 + 1);

    const again = await cli(['import', '--site', 'b439', '--device', 'meter', '--quantity', 'energy_kwh', '--file', file]);
    expect(again.code).toBe(2);
    await withStore(async (store) => expect(await store.count({ site: 'b439', device: 'meter' })).toBe(storedOnce));
  });

  it('gives, through the API, each building’s 2016 kWh/m² and the ranking of the reference figures', async () => {
    for (const b of BUILDINGS) {
      const file = join(FIXTURES, `building_${b.id}.csv`);
      if (b.id !== '439') {
        const meter = await cli(['import', '--site', `b${b.id}`, '--device', 'meter', '--quantity', 'energy_kwh', '--file', file]);
        expect(meter.code, meter.stderr).toBe(0);
        expect(meter.stdout).toMatch(/rollups for the comparison: \d+ span\(s\) of 1 site\(s\) read, \d+ computed and stored/);
      }
      const weather = await cli(['import', '--site', `b${b.id}`, '--device', 'weather', '--quantity', 'temperature_c', '--values', 'index', '--value-column', 'temp_c', '--file', file]);
      expect(weather.code, weather.stderr).toBe(0);
    }
    // b439 again from its clean file: the corrupted import left two hours out; this fills them.
    const clean = await cli(['import', '--site', 'b439', '--device', 'meter', '--quantity', 'energy_kwh', '--file', join(FIXTURES, 'building_439.csv')]);
    expect(clean.code, clean.stderr).toBe(0);

    await withStore(async (store) => {
      const config = loadConfigFile(configPath, {});
      const app = (await buildAppWithAccounts({
        config,
        store,
        ...idleIngestDeps(),
        metrics: createMetrics(),
        logger: createLogger('silent'),
        now: () => Date.parse('2017-02-01T00:00:00Z'),
        energy: new EnergyAnalyticsService({ config, query: store }),
      })).app;
      try {
        const body = (await app.inject('/api/compare?from=2016-01-01&to=2016-12-31')).json<{ sites: Array<{ site: string; kWhPerM2: number; rank: number }> }>();
        for (const b of BUILDINGS) {
          const row = body.sites.find((s) => s.site === `b${b.id}`)!;
          expect(Math.abs(row.kWhPerM2 - b.euiKWhPerM2), `building ${b.id}`).toBeLessThanOrEqual(0.0051);
        }
        expect(body.sites.map((s) => s.site)).toEqual([...BUILDINGS].sort((a, b) => a.euiKWhPerM2 - b.euiKWhPerM2).map((b) => `b${b.id}`));
        const baseline = (await app.inject('/api/sites/b254/baseline?from=2016-06-01&to=2016-06-30')).json<{ accepted: boolean; fitQuality: { monthly: { cvRmsePct: number; nmbePct: number } } }>();
        expect(baseline.accepted).toBe(true);
        expect(baseline.fitQuality.monthly.cvRmsePct).toBeLessThanOrEqual(15);
        // Each import kept the rollups of what it imported (src/energy/import-rollups.ts): the
        // first comparison of a service started now reads no raw year, and gives the same figures.
        const now = () => Date.parse('2017-02-01T00:00:00Z');
        const year = { from: '2016-01-01', to: '2016-12-31' };
        const afterImport = new EnergyAnalyticsService({ config, query: store, rollups: store, now });
        expect(await afterImport.compare(year)).toEqual(await new EnergyAnalyticsService({ config, query: store, now }).compare(year));
        expect(afterImport.rollupStats()).toMatchObject({ computed: 0, served: 3 * config.sites.length });
      } finally {
        await app.close();
      }
    });
  }, 240_000); // one CLI process (tsx, DuckDB) per import, one after the other: over a minute on the loaded 2-core machine
});

describe('the other CLI commands', () => {
  it('check-config names every problem and exits 1, or summarises a valid file', async () => {
    const ok = await cli(['check-config']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid, 6 site(s), 12 device(s)');
    const bad = join(dir.path, 'bad.yaml');
    await writeFile(bad, 'sites:\n  - id: x\n    name: X\n    usage: palace\n    floorAreaM2: 0\n    devices: []\n');
    const refused = await cli(['check-config', '--config', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('sites[0].usage');
    expect(refused.stderr).toContain('sites[0].floorAreaM2');
    expect(refused.stderr).toContain('sites[0].devices');
  });

  it('hash-secret prints a hash the configuration accepts, and mosquitto-files writes passwd and acl', async () => {
    const hashed = await cli(['hash-secret', '--secret', 'a-long-device-secret']);
    expect(hashed.code).toBe(0);
    expect(hashed.stdout.trim()).toMatch(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    const outDir = join(dir.path, 'mosquitto');
    const files = await cli(['mosquitto-files', '--out', outDir]);
    expect(files.code, files.stderr).toBe(0);
    const passwd = await readFile(join(outDir, 'passwd'), 'utf8');
    expect(passwd.trim().split('\n')).toHaveLength(12);
    expect(passwd).toContain('b118/meter:$7$');
    const acl = await readFile(join(outDir, 'acl'), 'utf8');
    expect(acl).toContain('user b118/meter');
    expect(acl).toContain('topic readwrite sites/b118/devices/meter');
    expect(acl.split('\n\n').find((block) => block.includes('user b118/meter'))).not.toContain('b254');
    const missing = await cli(['import', '--site', 'b118']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--device is required');
  });
});
