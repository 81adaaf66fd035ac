/**
 * Where the first /api/compare after a CLI import spends its time (issue 13, point 6, bench:api
 * case (d)), against the same store after a restart: the bench:api year imported by the CLI's
 * import command (test/bench/api/import-case.ts), then a freshly built app's comparison with every
 * store call timed and the rollups served or computed, then a restart (store reopened, new app)
 * and the comparison again, then --repeat more restarts. With --cpu-prof FILE, a CPU profile of
 * the first comparison after the import.
 *   npx tsx test/bench/api-import-profile.ts [--sites 20] [--store influx|duckdb] [--repeat 2] [--cpu-prof out.cpuprofile]
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/api/app.js';
import { EnergyAnalyticsService } from '../../src/energy/analytics-service.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import type { ReadingStore } from '../../src/storage/port.js';
import { idleIngestDeps } from '../helpers/app-deps.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { createTempDir } from '../helpers/tmp.js';
import { benchAccounts } from './api/bench-accounts.js';
import { benchConfig, benchSites } from './api/fixture.js';
import { importBenchYear } from './api/import-case.js';
import { printCalls, timedStore } from './api/timed-store.js';

const { values: args } = parseArgs({
  options: {
    sites: { type: 'string', default: '20' },
    store: { type: 'string', default: 'influx' },
    repeat: { type: 'string', default: '2' },
    'cpu-prof': { type: 'string' },
    /** Which comparison --cpu-prof profiles: 0 the first after the import, 1 the one after the first restart… */
    'prof-round': { type: 'string', default: '0' },
    /** Seconds to wait after the import before the first comparison (influxd compacts what was written in the background). */
    'settle-s': { type: 'string', default: '0' },
  },
});
const siteCount = Number(args.sites);
const repeat = Number(args.repeat);
if (!Number.isInteger(siteCount) || siteCount < 1) throw new Error(`--sites must be a positive integer, got ${args.sites}`);
if (!Number.isInteger(repeat) || repeat < 0) throw new Error(`--repeat must be a non-negative integer, got ${args.repeat}`);
if (args.store !== 'duckdb' && args.store !== 'influx') throw new Error(`--store must be duckdb or influx, got ${args.store}`);
const sites = benchSites(siteCount);
const config = benchConfig(sites);
const NOW_MS = Date.parse('2017-01-15T12:00:00Z');
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
/** CPU time (user + system) influxd has used so far, ms (/proc/PID/stat, fields 14 and 15, in clock ticks of 10 ms). */
const influxdCpuMs = (): number | null => {
  const pid = influxd?.pid();
  if (!pid) return null;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const settleMs = Number(args['settle-s']) * 1000;

const dir = await createTempDir('sbe-bench-import-prof-');
let influxd: InfluxdHandle | undefined;
if (args.store === 'influx') influxd = await startInfluxd();
const env: Record<string, string> = args.store === 'duckdb' ? { DATA_DIR: join(dir.path, 'data') } : { INFLUX_URL: influxd!.url, INFLUX_DB: 'bench_import', INFLUX_RETENTION: 'INF' };
const open = (): ReadingStore => (args.store === 'duckdb' ? new DuckDbStore({ dataDir: join(dir.path, 'data') }) : new InfluxStore({ url: influxd!.url, database: 'bench_import', retention: 'INF' }));
const auth = await benchAccounts(config, Date.now);
try {
  const imported = await importBenchYear(dir, sites, env);
  console.log(`${args.store}, ${siteCount} sites: ${imported.imports} imports ${imported.totalMs} ms (rollup steps ${imported.rollupsMs} ms), load ${load()}`);
  if (settleMs > 0) {
    const c0 = influxdCpuMs();
    await sleep(settleMs);
    console.log(`waited ${settleMs / 1000} s: influxd used ${c0 === null ? '-' : influxdCpuMs()! - c0} ms of CPU meanwhile`);
  }
  let lastCalls: Array<{ method: string; args: unknown[] }> = [];
  for (let round = 0; round <= repeat; round++) {
    const store = open();
    await store.start();
    const timed = timedStore(store);
    const energy = new EnergyAnalyticsService({ config, query: timed.proxy, rollups: timed.proxy, now: () => NOW_MS });
    const app = await buildApp({ config, store: timed.proxy, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => NOW_MS, energy, analyticsWarmUp: false, accounts: auth.accounts, analyticsPerMinute: 100_000 });
    const session = new Session();
    const profiling = round === Number(args['prof-round']) && args['cpu-prof'] !== undefined;
    if (profiling) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    const cpu0 = influxdCpuMs();
    const own0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await app.inject({ url: '/api/compare?from=2016-01-01&to=2016-12-31', headers: { authorization: `Bearer ${auth.adminToken}` } });
    const ms = performance.now() - t0;
    const influxCpu = cpu0 === null ? null : influxdCpuMs()! - cpu0;
    const own = process.cpuUsage(own0);
    const ownMs = Math.round((own.user + own.system) / 1000);
    if (profiling) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(args['cpu-prof']!, JSON.stringify(profile));
      session.disconnect();
    }
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
    const stats = energy.rollupStats()!;
    const rewritten = [...stats.rewritten].map(([k, parts]) => `${k} [${parts.join(',')}]`);
    console.log(`${round === 0 ? 'first compare after the import' : `after restart ${round}`}: ${Math.round(ms)} ms (${res.body.length} bytes; rollups ${stats.served} served, ${stats.computed} computed${rewritten.length ? `; rewritten: ${rewritten.slice(0, 6).join('; ')}${rewritten.length > 6 ? ` … ${rewritten.length} in all` : ''}` : ''}); some store call in flight ${Math.round(timed.busyMs())} ms${influxCpu === null ? '' : `; influxd CPU ${influxCpu} ms`}; this process's CPU ${ownMs} ms; load ${load()}`);
    printCalls(timed.byMethod);
    await energy.rollupsSettled();
    await app.close();
    lastCalls = timed.calls;
    await store.stop();
  }
  // The last round's store calls again, one at a time: what each costs alone, in wall time and in influxd's CPU.
  const store = open();
  await store.start();
  try {
    for (let pass = 0; pass < 2; pass++) {
      for (const c of lastCalls) {
        const cpu0 = influxdCpuMs();
        const t = performance.now();
        await (store as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[c.method]!(...c.args);
        const ms = performance.now() - t;
        const cpu = cpu0 === null ? null : influxdCpuMs()! - cpu0;
        console.log(`  alone, pass ${pass}: ${c.method} (${Array.isArray(c.args[0]) ? `${c.args[0].length} asked` : 'one'}) ${Math.round(ms)} ms${cpu === null ? '' : `, influxd CPU ${cpu} ms`}`);
      }
    }
  } finally {
    await store.stop();
  }
} finally {
  await auth.stop();
  await dir.remove();
  await influxd?.stop();
}
