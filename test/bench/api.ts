/**
 * API benchmark (issue 13, point 6): what the dashboard asks for, timed through the real Fastify
 * app (app.inject) over each real store, with a year of hourly data per site.
 *   npm run bench:api [-- --sites 20] [--store duckdb|influx|both] [--runs 5] [--json out.json]
 * Figures printed:
 * - /api/compare over a year, cold (a freshly built app and analytics service, the store reopened,
 *   no warm-up), then for another period (the years read and baselines fitted then come from the
 *   energy/ caches), then the first call of a new app after the background baseline warm-up;
 * - a year of hourly buckets for one site (/series every=1h), of an index (energy_kwh) and of an
 *   instantaneous quantity (temperature_c): median and max of --runs requests.
 * Sites are the six LEAD/GEPIII buildings of test/fixtures (real 2016 data, CC BY-SA), each
 * replayed with its own scale so that no two fits are the same. InfluxDB is Debian's influxd,
 * started on random ports by test/helpers/influxd.ts.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/api/app.js';
import { configSchema } from '../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../src/energy/analytics-service.js';
import type { Reading } from '../../src/model/reading.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import type { ReadingStore } from '../../src/storage/port.js';
import { idleIngestDeps } from '../helpers/app-deps.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildings, hours, readingsOf, type Building } from '../unit/energy/helpers/lead-fixtures.js';

const { values: args } = parseArgs({
  options: { sites: { type: 'string', default: '20' }, store: { type: 'string', default: 'both' }, runs: { type: 'string', default: '5' }, json: { type: 'string' } },
});
const siteCount = Number(args.sites);
const runs = Number(args.runs);
if (!Number.isInteger(siteCount) || siteCount < 1) throw new Error(`--sites must be a positive integer, got ${args.sites}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${args.runs}`);
if (!['duckdb', 'influx', 'both'].includes(args.store!)) throw new Error(`--store must be duckdb, influx or both, got ${args.store}`);

const templates = buildings();
const sites = Array.from({ length: siteCount }, (_, i) => ({
  id: `s${String(i).padStart(2, '0')}`,
  template: templates[i % templates.length]! as Building,
  scale: 0.7 + ((i * 37) % 61) / 100,
}));
const config = configSchema.parse({
  sites: sites.map((s) => ({
    id: s.id,
    name: `Bench ${s.id} (LEAD ${s.template.id})`,
    usage: 'office',
    floorAreaM2: Math.round(s.template.floorAreaM2 * s.scale),
    timezone: s.template.timezone,
    country: s.template.country,
    outdoorTemperature: { device: 'weather' },
    baseline: { from: '2016-01-01', to: '2016-12-31' },
    decretTertiaire: { referenceYear: 2016, referenceConsumptionKWh: Math.round(s.template.annualKWh * s.scale * 1.05) },
    devices: [
      { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'bench-secret' },
      { id: 'weather', kind: 'weather-station', quantities: ['temperature_c'], secret: 'bench-secret' },
    ],
  })),
});

function siteReadings(s: (typeof sites)[number]): Reading[] {
  const rows = hours(s.template.id).map((r) => ({ ...r, kwh: r.kwh === null ? null : r.kwh * s.scale }));
  return readingsOf(s.template, rows).map((r) => ({ ...r, site: s.id }));
}

const NOW_MS = Date.parse('2017-01-15T12:00:00Z');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

interface StoreFigures {
  store: string;
  sites: number;
  readings: number;
  compareColdMs: number;
  compareOtherPeriodMs: number;
  warmUpMs: number;
  compareAfterWarmUpMs: number;
  loadAverage: string;
  compareRanked: number;
  seriesIndexYearMs: { median: number; max: number; buckets: number };
  seriesInstantYearMs: { median: number; max: number; buckets: number };
}

async function benchStore(kind: 'duckdb' | 'influx'): Promise<StoreFigures> {
  let dir: TempDir | undefined;
  let influxd: InfluxdHandle | undefined;
  const open = (): ReadingStore => (kind === 'duckdb' ? new DuckDbStore({ dataDir: dir!.path }) : new InfluxStore({ url: influxd!.url, database: 'bench', retention: 'INF' }));
  if (kind === 'duckdb') dir = await createTempDir('sbe-bench-api-');
  else influxd = await startInfluxd();
  let store = open();
  try {
    await store.start();
    let readings = 0;
    for (const s of sites) {
      const rs = siteReadings(s);
      for (let i = 0; i < rs.length; i += 20_000) await store.write(rs.slice(i, i + 20_000));
      readings += rs.length;
    }
    // Cold: the store reopened (DuckDB's buffer cache dropped), a new app and a new analytics service.
    await store.stop();
    store = open();
    await store.start();
    const build = (energy: EnergyAnalyticsService) =>
      buildApp({ config, store, ...idleIngestDeps(), metrics: createMetrics(), logger: createLogger('silent'), now: () => NOW_MS, energy, analyticsWarmUp: false });
    let app = await build(new EnergyAnalyticsService({ config, query: store, now: () => NOW_MS }));
    try {
      const get = async (url: string) => {
        const res = await app.inject(url);
        if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode} ${res.body.slice(0, 300)}`);
        return res.json<{ sites?: Array<{ rank: number | null }>; buckets?: unknown[] }>();
      };
      const cold = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      const other = await timed(() => get('/api/compare?from=2016-04-01&to=2016-09-30'));
      // As the service runs: a new app whose baselines were fitted in the background at start.
      await app.close();
      const energy = new EnergyAnalyticsService({ config, query: store, now: () => NOW_MS });
      app = await build(energy);
      const warmUp = await timed(() => energy.warmUp());
      const afterWarmUp = await timed(() => get('/api/compare?from=2016-01-01&to=2016-12-31'));
      const series = async (quantity: string) => {
        const device = quantity === 'energy_kwh' ? 'meter' : 'weather';
        const times: number[] = [];
        let buckets = 0;
        for (let i = 0; i < runs; i++) {
          const r = await timed(() => get(`/api/sites/s00/series?device=${device}&quantity=${quantity}&from=2016-01-01&to=2017-01-01&every=1h`));
          times.push(r.ms);
          buckets = r.value.buckets?.length ?? 0;
        }
        return { median: Math.round(median(times)), max: Math.round(Math.max(...times)), buckets };
      };
      return {
        store: kind,
        loadAverage: loadavg().map((l) => l.toFixed(1)).join(' '),
        sites: siteCount,
        readings,
        compareColdMs: Math.round(cold.ms),
        compareOtherPeriodMs: Math.round(other.ms),
        warmUpMs: Math.round(warmUp.ms),
        compareAfterWarmUpMs: Math.round(afterWarmUp.ms),
        compareRanked: cold.value.sites?.filter((s) => s.rank !== null).length ?? 0,
        seriesIndexYearMs: await series('energy_kwh'),
        seriesInstantYearMs: await series('temperature_c'),
      };
    } finally {
      await app.close();
    }
  } finally {
    await store.stop();
    await dir?.remove();
    await influxd?.stop();
  }
}

const results: StoreFigures[] = [];
for (const kind of args.store === 'both' ? (['duckdb', 'influx'] as const) : [args.store as 'duckdb' | 'influx']) {
  const f = await benchStore(kind);
  results.push(f);
  console.log('');
  console.log(`API benchmark, ${f.store}: ${f.sites} sites, ${f.readings} readings (a year of hourly data each)`);
  console.log(`  /api/compare, a year, cold             ${f.compareColdMs} ms (${f.compareRanked} sites ranked; target < 1000 ms)`);
  console.log(`  /api/compare, another period           ${f.compareOtherPeriodMs} ms (years read and baselines fitted by the call above)`);
  console.log(`  baseline warm-up (background at start) ${f.warmUpMs} ms`);
  console.log(`  /api/compare, a year, after warm-up    ${f.compareAfterWarmUpMs} ms (first call of a new app)`);
  console.log(`  machine load average (1, 5, 15 min)    ${f.loadAverage} on ${cpus().length} cores`);
  console.log(`  /series energy_kwh every=1h, a year    ${f.seriesIndexYearMs.median} ms median, ${f.seriesIndexYearMs.max} ms max (${f.seriesIndexYearMs.buckets} buckets; target < 200 ms)`);
  console.log(`  /series temperature_c every=1h, a year ${f.seriesInstantYearMs.median} ms median, ${f.seriesInstantYearMs.max} ms max (${f.seriesInstantYearMs.buckets} buckets)`);
}
if (args.json) await writeFile(args.json, JSON.stringify(results, null, 2));
