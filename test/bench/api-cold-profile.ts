/**
 * Where a cold /api/compare after a restart spends its time (issue 13, point 6 (c)): the
 * bench:api fixture (a year of hourly data per site), a first comparison that leaves its rollups
 * in the store, a restart (store reopened, new app and analytics), then the cold comparison with
 * every store call timed (count, total and longest per method, and how much of the wall time some
 * store call was in flight) and, with --cpu-prof FILE, a CPU profile of that call alone.
 *   npx tsx test/bench/api-cold-profile.ts [--sites 20] [--store duckdb|influx] [--cpu-prof out.cpuprofile [--profile-first]] [--warm-up]
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
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
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { benchAccounts } from './api/bench-accounts.js';
import { benchConfig, benchSites, fillBenchStore } from './api/fixture.js';
import { printCalls, timedStore, type CallStats } from './api/timed-store.js';

const { values: args } = parseArgs({
  options: {
    sites: { type: 'string', default: '20' },
    store: { type: 'string', default: 'duckdb' },
    'cpu-prof': { type: 'string' },
    /** Profile the first start's comparison (every site-year read raw) instead of the one after the restart. */
    'profile-first': { type: 'boolean', default: false },
    /** The first start's app warms its analytics up at start, as the service does (baselines and the default period, in the background), and the comparison is asked at once beside it. */
    'warm-up': { type: 'boolean', default: false },
  },
});
const siteCount = Number(args.sites);
if (!Number.isInteger(siteCount) || siteCount < 1) throw new Error(`--sites must be a positive integer, got ${args.sites}`);
if (args.store !== 'duckdb' && args.store !== 'influx') throw new Error(`--store must be duckdb or influx, got ${args.store}`);
const sites = benchSites(siteCount);
const config = benchConfig(sites);
const NOW_MS = Date.parse('2017-01-15T12:00:00Z');

let dir: TempDir | undefined;
let influxd: InfluxdHandle | undefined;
const open = (): ReadingStore => (args.store === 'duckdb' ? new DuckDbStore({ dataDir: dir!.path }) : new InfluxStore({ url: influxd!.url, database: 'bench', retention: 'INF' }));
if (args.store === 'duckdb') dir = await createTempDir('sbe-bench-cold-');
else influxd = await startInfluxd();
let store = open();
const auth = await benchAccounts(config, Date.now);
try {
  await store.start();
  await fillBenchStore(store, sites);
  const build = async (st: ReadingStore, warmUp = false) => {
    const energy = new EnergyAnalyticsService({ config, query: st, rollups: st, now: () => NOW_MS });
    const app = await buildApp({ config, store: st, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => NOW_MS, energy, analyticsWarmUp: warmUp, accounts: auth.accounts, analyticsPerMinute: 100_000 });
    // onReady starts the warm-up in the background (src/api/routes/analytics.ts).
    if (warmUp) await app.ready();
    return { energy, app };
  };
  const compare = async (app: Awaited<ReturnType<typeof build>>['app']) => {
    const t0 = performance.now();
    const res = await app.inject({ url: '/api/compare?from=2016-01-01&to=2016-12-31', headers: { authorization: `Bearer ${auth.adminToken}` } });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
    return { ms: performance.now() - t0, bytes: res.body.length };
  };
  const timedFirst = timedStore(store);
  const first = await build(timedFirst.proxy, args['warm-up']);
  const session = new Session();
  const profiling = (when: 'first' | 'restart') => args['cpu-prof'] !== undefined && (when === 'first') === args['profile-first'];
  const startProfile = async (when: 'first' | 'restart') => {
    if (!profiling(when)) return;
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  };
  const stopProfile = async (when: 'first' | 'restart') => {
    if (!profiling(when)) return;
    const { profile } = await session.post('Profiler.stop');
    await writeFile(args['cpu-prof']!, JSON.stringify(profile));
    session.disconnect();
  };
  await startProfile('first');
  const firstRun = await compare(first.app);
  await stopProfile('first');
  console.log(`${args.store}, ${siteCount} sites: first start ${Math.round(firstRun.ms)} ms (no rollups stored yet${args['warm-up'] ? '; the warm-up at start running beside it' : ''}); some store call in flight ${Math.round(timedFirst.busyMs())} ms of it`);
  printCalls(timedFirst.byMethod);
  await first.energy.rollupsSettled();
  await first.app.close();
  await store.stop();
  store = open();
  await store.start();
  const timed = timedStore(store);
  const cold = await build(timed.proxy);
  await startProfile('restart');
  const coldRun = await compare(cold.app);
  await stopProfile('restart');
  const stats = cold.energy.rollupStats()!;
  console.log(`${args.store}, ${siteCount} sites: first start ${Math.round(firstRun.ms)} ms; COLD after restart ${Math.round(coldRun.ms)} ms (${coldRun.bytes} bytes; rollups ${stats.served} served, ${stats.computed} computed); load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`  some store call in flight ${Math.round(timed.busyMs())} ms of the ${Math.round(coldRun.ms)}`);
  printCalls(timed.byMethod);
  await cold.app.close();
  // The same store calls again after another restart, one at a time: what each costs alone, for
  // the first start's reads (its rollup writes left out) and for the restart's.
  for (const [label, calls] of [['first start', timedFirst.calls], ['restart', timed.calls]] as const) {
    await store.stop();
    store = open();
    await store.start();
    const alone = new Map<string, CallStats>();
    const t0 = performance.now();
    for (const c of calls) {
      const t = performance.now();
      await (store as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[c.method]!(...c.args);
      const ms = performance.now() - t;
      const s = alone.get(c.method) ?? { calls: 0, totalMs: 0, maxMs: 0 };
      s.calls++;
      s.totalMs += ms;
      s.maxMs = Math.max(s.maxMs, ms);
      alone.set(c.method, s);
    }
    console.log(`  the ${label}'s ${calls.length} read calls one at a time after another restart: ${Math.round(performance.now() - t0)} ms`);
    for (const [method, s] of [...alone].sort((a, b) => b[1].totalMs - a[1].totalMs)) {
      console.log(`  ${method.padEnd(24)} ${String(s.calls).padStart(4)} calls, ${Math.round(s.totalMs)} ms in all, longest ${Math.round(s.maxMs)} ms, mean ${(s.totalMs / s.calls).toFixed(1)} ms`);
    }
  }
} finally {
  await store.stop();
  await auth.stop();
  await dir?.remove();
  await influxd?.stop();
}
