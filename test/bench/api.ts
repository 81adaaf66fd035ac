/**
 * API benchmark (issue 13, point 6): the three read-speed figures, over each real store, with a
 * year (2016) of hourly data per site, through the real Fastify app and its auth plugin.
 *   npm run bench:api [-- --sites 20] [--store duckdb|influx|both] [--runs 5] [--loads 4] [--json out.json]
 * Figures printed, per store:
 * (a) the overview in Debian's chromium (playwright-core) on loopback: the first load of a freshly
 *     built app, then reloads; "interactive" is when every site card is filled and the last API
 *     answer of the page (the live stream excepted) has arrived, on the page's clock;
 * (b) a year of hourly buckets for one site (/series every=1h), of an index (energy_kwh) and of an
 *     instantaneous quantity (temperature_c): median and max of --runs requests;
 * (c) /api/compare over a year: COLD on a first start (a freshly built app and analytics service,
 *     the store reopened, nothing fitted or read yet, no rollups in the store: every site-year read
 *     raw), then COLD after a restart (the same, with the rollups the first start kept in the store,
 *     src/energy/rollups.ts), the same call again (answer cache), another period
 *     (years read and baselines fitted by the first call), then as the service runs: the
 *     background warm-up at start (baselines and default periods) and the first call after it, then
 *     the first call after 11 idle minutes (past the caches' age), with the refresh ahead at 6 min;
 * (d) the same year imported from CSV files by the CLI's import command (in this process, one
 *     file per site and series, each import keeping the rollups of what it imported:
 *     src/energy/import-rollups.ts), then the first comparison of a freshly started app.
 * InfluxDB is Debian's influxd, started on random ports by test/helpers/influxd.ts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
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
import { importBenchYear, type ImportFigures } from './api/import-case.js';
import { DASHBOARD_DIR, measureOverview, type OverviewLoad } from './api/overview.js';

const { values: args } = parseArgs({
  options: {
    sites: { type: 'string', default: '20' },
    store: { type: 'string', default: 'both' },
    runs: { type: 'string', default: '5' },
    loads: { type: 'string', default: '4' },
    json: { type: 'string' },
  },
});
const siteCount = Number(args.sites);
const runs = Number(args.runs);
const loads = Number(args.loads);
if (!Number.isInteger(siteCount) || siteCount < 1) throw new Error(`--sites must be a positive integer, got ${args.sites}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${args.runs}`);
if (!Number.isInteger(loads) || loads < 1) throw new Error(`--loads must be a positive integer, got ${args.loads}`);
if (!['duckdb', 'influx', 'both'].includes(args.store!)) throw new Error(`--store must be duckdb, influx or both, got ${args.store}`);

const sites = benchSites(siteCount);
const config = benchConfig(sites);
/** The analytics' clock: a fortnight after the data year, so 2016 is a past, cached year. */
const NOW_MS = Date.parse('2017-01-15T12:00:00Z');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - t0), value };
}

interface StoreFigures {
  store: string;
  sites: number;
  readings: number;
  overview: OverviewLoad[];
  seriesIndexYearMs: { median: number; max: number; buckets: number };
  seriesInstantYearMs: { median: number; max: number; buckets: number };
  compareColdMs: number;
  compareColdRestartMs: number;
  rollupsServed: number;
  rollupsComputed: number;
  compareRepeatMs: number;
  compareOtherPeriodMs: number;
  warmUpMs: number;
  compareAfterWarmUpMs: number;
  refreshAheadMs: number;
  compareAfterIdleMs: number;
  compareRanked: number;
  loadAverage: { atOverview: string; atSeries: string; atCompare: string; atImport: string };
  importCase: (ImportFigures & { compareMs: number; served: number; computed: number; ranked: number }) | null;
}

const fill = (store: ReadingStore) => fillBenchStore(store, sites);

async function benchStore(kind: 'duckdb' | 'influx'): Promise<StoreFigures> {
  let dir: TempDir | undefined;
  let overviewDir: TempDir | undefined;
  let influxd: InfluxdHandle | undefined;
  // (a) has a store of its own, filled alike: the overview fits baselines and keeps rollups, and
  // (c)'s first start must find none.
  let forOverview = true;
  const open = (): ReadingStore =>
    kind === 'duckdb'
      ? new DuckDbStore({ dataDir: (forOverview ? overviewDir : dir)!.path })
      : new InfluxStore({ url: influxd!.url, database: forOverview ? 'bench_overview' : 'bench', retention: 'INF' });
  if (kind === 'duckdb') {
    dir = await createTempDir('sbe-bench-api-');
    overviewDir = await createTempDir('sbe-bench-api-overview-');
  } else influxd = await startInfluxd();
  let store = open();
  const auth = await benchAccounts(config, Date.now);
  let importDir: TempDir | undefined;
  let figures: StoreFigures;
  try {
    await store.start();
    const readings = await fill(store);
    // Cold: the store reopened (DuckDB's buffer cache dropped), a new app and a new analytics service.
    const reopen = async () => {
      await store.stop();
      store = open();
      await store.start();
    };
    const build = (energy: EnergyAnalyticsService, now: () => number, dashboard = false) =>
      buildApp({
        config, store, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now, energy,
        analyticsWarmUp: false, accounts: auth.accounts, analyticsPerMinute: 100_000, ...(dashboard ? { dashboardDir: DASHBOARD_DIR } : {}),
      });

    // (a) The overview as a browser loads it, on the real clock (today's readings are recent).
    await reopen();
    const live = await build(new EnergyAnalyticsService({ config, query: store, rollups: store }), Date.now, true);
    let overview: OverviewLoad[];
    const atOverview = load();
    try {
      const url = await live.listen({ host: '127.0.0.1', port: 0 });
      overview = await measureOverview(url, auth.login, siteCount, loads);
    } finally {
      await live.close();
    }

    // (b) and (c) on the analytics' clock, as the API's admin, on their own store.
    await store.stop();
    forOverview = false;
    store = open();
    await store.start();
    await fill(store);
    await reopen();
    let energy = new EnergyAnalyticsService({ config, query: store, rollups: store, now: () => NOW_MS });
    let app = await build(energy, () => NOW_MS);
    try {
      const get = async (url: string) => {
        const res = await app.inject({ url, headers: { authorization: `Bearer ${auth.adminToken}` } });
        if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
        return res.json<{ sites?: Array<{ rank: number | null }>; buckets?: unknown[] }>();
      };
      const atCompare = load();
      const cold = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      // A restart: what the first start derived is in the store's rollups, nothing in memory.
      await energy.rollupsSettled();
      await app.close();
      await reopen();
      energy = new EnergyAnalyticsService({ config, query: store, rollups: store, now: () => NOW_MS });
      app = await build(energy, () => NOW_MS);
      const coldRestart = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      const rollupStats = energy.rollupStats()!;
      const repeat = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      const other = await timed(() => get('/api/compare?from=2016-04-01&to=2016-09-30'));
      // As the service runs: a new app whose analytics were warmed in the background at start.
      await app.close();
      await reopen();
      const clock = { ms: NOW_MS };
      const running = new EnergyAnalyticsService({ config, query: store, rollups: store, now: () => clock.ms });
      app = await build(running, () => clock.ms);
      const warmUp = await timed(() => running.warmUp());
      const afterWarmUp = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      // Idle for 11 minutes (past the caches' 10-minute age), with the background refresh at 6 when
      // the service has one (the app's timer, run here by hand on the benchmark's clock).
      clock.ms += 6 * 60_000;
      const refresh = await timed(async () => {
        if ('refreshAhead' in running) await (running as { refreshAhead(): Promise<unknown> }).refreshAhead();
      });
      clock.ms += 5 * 60_000;
      const afterIdle = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      const atSeries = load();
      const series = async (quantity: string) => {
        const device = quantity === 'energy_kwh' ? 'meter' : 'weather';
        const times: number[] = [];
        let buckets = 0;
        for (let i = 0; i < runs; i++) {
          const r = await timed(() => get(`/api/sites/s00/series?device=${device}&quantity=${quantity}&from=2016-01-01&to=2017-01-01&every=1h`));
          times.push(r.ms);
          buckets = r.value.buckets?.length ?? 0;
        }
        return { median: median(times), max: Math.max(...times), buckets };
      };
      figures = {
        store: kind,
        sites: siteCount,
        readings,
        overview,
        seriesIndexYearMs: await series('energy_kwh'),
        seriesInstantYearMs: await series('temperature_c'),
        compareColdMs: cold.ms,
        compareColdRestartMs: coldRestart.ms,
        rollupsServed: rollupStats.served,
        rollupsComputed: rollupStats.computed,
        compareRepeatMs: repeat.ms,
        compareOtherPeriodMs: other.ms,
        warmUpMs: warmUp.ms,
        compareAfterWarmUpMs: afterWarmUp.ms,
        refreshAheadMs: refresh.ms,
        compareAfterIdleMs: afterIdle.ms,
        compareRanked: cold.value.sites?.filter((s) => s.rank !== null).length ?? 0,
        loadAverage: { atOverview, atSeries, atCompare, atImport: '' },
        importCase: null,
      };
    } finally {
      await app.close();
    }
    // (d) A store filled through the CLI's import (which keeps the rollups of what it imported),
    // then the service's first comparison: the real first use with history files.
    await store.stop();
    importDir = await createTempDir('sbe-bench-api-import-');
    const atImport = load();
    const imported = await importBenchYear(importDir, sites, kind === 'duckdb' ? { DATA_DIR: join(importDir.path, 'data') } : { INFLUX_URL: influxd!.url, INFLUX_DB: 'bench_import', INFLUX_RETENTION: 'INF' });
    store = kind === 'duckdb' ? new DuckDbStore({ dataDir: join(importDir.path, 'data') }) : new InfluxStore({ url: influxd!.url, database: 'bench_import', retention: 'INF' });
    await store.start();
    const afterImport = new EnergyAnalyticsService({ config, query: store, rollups: store, now: () => NOW_MS });
    app = await build(afterImport, () => NOW_MS);
    try {
      const res = await timed(() => app.inject({ url: '/api/compare?from=2016-01-01&to=2016-12-31', headers: { authorization: `Bearer ${auth.adminToken}` } }));
      if (res.value.statusCode !== 200) throw new Error(`/api/compare after the import: HTTP ${res.value.statusCode} ${res.value.body.slice(0, 300)}`);
      const stats = afterImport.rollupStats()!;
      const ranked = res.value.json<{ sites: Array<{ rank: number | null }> }>().sites.filter((x) => x.rank !== null).length;
      figures.importCase = { ...imported, compareMs: res.ms, served: stats.served, computed: stats.computed, ranked };
      figures.loadAverage.atImport = atImport;
    } finally {
      await app.close();
    }
    return figures;
  } finally {
    await store.stop();
    await auth.stop();
    await dir?.remove();
    await overviewDir?.remove();
    await importDir?.remove();
    await influxd?.stop();
  }
}

function print(f: StoreFigures): void {
  const o = f.overview;
  const [first, ...reloads] = o;
  console.log('');
  console.log(`API benchmark, ${f.store}: ${f.sites} sites, ${f.readings} readings (a year of hourly data each, and the last 26 h every 5 min)`);
  console.log(`  (a) overview, first load                ${Math.round(first!.interactiveMs)} ms interactive (cards filled ${Math.round(first!.cardsFilledMs)} ms, last API answer ${Math.round(first!.lastApiAnswerMs)} ms, ${first!.apiRequests} API requests, slowest ${Math.round(first!.slowestApi.ms)} ms ${first!.slowestApi.path}; target < 1000 ms)`);
  const done = (r: OverviewLoad) => (r.completeMs === null ? 'not within 60 s' : `${Math.round(r.completeMs)} ms`);
  console.log(`      first load: first API request sent at ${Math.round(first!.firstApiRequestMs)} ms; ${first!.overviewSpanMs.count} /api/overview sent at ${Math.round(first!.overviewSpanMs.firstSentMs)} ms, answered at ${Math.round(first!.overviewSpanMs.lastAnsweredMs)} ms; every figure final (none computing) at ${done(first!)}`);
  if (reloads.length) console.log(`  (a) overview, reloads                   ${reloads.map((r) => Math.round(r.interactiveMs)).join(', ')} ms interactive; every figure final at ${reloads.map(done).join(', ')}`);
  console.log(`      load average then                   ${f.loadAverage.atOverview}`);
  console.log(`  (b) /series energy_kwh every=1h, a year ${f.seriesIndexYearMs.median} ms median, ${f.seriesIndexYearMs.max} ms max (${f.seriesIndexYearMs.buckets} buckets; target < 200 ms)`);
  console.log(`  (b) /series temperature_c 1h, a year    ${f.seriesInstantYearMs.median} ms median, ${f.seriesInstantYearMs.max} ms max (${f.seriesInstantYearMs.buckets} buckets; target < 200 ms)`);
  console.log(`      load average then                   ${f.loadAverage.atSeries}`);
  console.log(`  (c) /api/compare, a year, COLD, 1st start ${f.compareColdMs} ms (${f.compareRanked} sites ranked; no rollups in the store yet: every site-year read raw)`);
  console.log(`  (c) /api/compare, a year, COLD, restart ${f.compareColdRestartMs} ms (rollups kept by the first start: ${f.rollupsServed} served, ${f.rollupsComputed} computed; target < 1000 ms)`);
  console.log(`  (c) /api/compare, same call again       ${f.compareRepeatMs} ms (answer cache)`);
  console.log(`  (c) /api/compare, another period        ${f.compareOtherPeriodMs} ms (years read and baselines fitted by the cold call)`);
  console.log(`  (c) warm-up at start (background)       ${f.warmUpMs} ms`);
  console.log(`  (c) /api/compare, a year, after warm-up ${f.compareAfterWarmUpMs} ms (first call of a new app)`);
  console.log(`  (c) refresh ahead at 6 min (background) ${f.refreshAheadMs} ms`);
  console.log(`  (c) /api/compare after 11 idle minutes  ${f.compareAfterIdleMs} ms (caches past their 10-minute age unless refreshed ahead)`);
  console.log(`      load average then                   ${f.loadAverage.atCompare} on ${cpus().length} cores`);
  const i = f.importCase;
  if (i) {
    console.log(`  (d) CLI import of the year, ${i.imports} files ${i.totalMs} ms in all (${i.readings} readings; ${i.rollupsMs === null ? 'no rollup step in the import' : `of it the rollups kept by each import: ${i.rollupsMs} ms`})`);
    console.log(`  (d) /api/compare, a year, COLD, 1st start after the import ${i.compareMs} ms (${i.ranked} sites ranked; rollups ${i.served} served, ${i.computed} computed; target < 1000 ms)`);
    console.log(`      load average then                   ${f.loadAverage.atImport}`);
  }
}

const results: StoreFigures[] = [];
for (const kind of args.store === 'both' ? (['duckdb', 'influx'] as const) : [args.store as 'duckdb' | 'influx']) {
  const f = await benchStore(kind);
  results.push(f);
  print(f);
}
if (args.json) await writeFile(args.json, JSON.stringify(results, null, 2));
