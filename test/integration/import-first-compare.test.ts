import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnergyAnalyticsService, type Period } from '../../src/energy/analytics-service.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import type { ReadingStore } from '../../src/storage/port.js';
import { benchConfig, benchSites } from '../bench/api/fixture.js';
import { importBenchYear } from '../bench/api/import-case.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Issue 13, point 6: after `npm run cli -- import` of a year of history (each site's meter index
 * and outdoor temperatures, the real LEAD/GEPIII buildings of test/fixtures, CC BY-SA), the
 * service's first comparison finds everything it needs in the store's rollups: it reads no raw
 * reading, no day mark, fits no baseline, and gives the figures of a full recompute from the
 * readings. Run against real DuckDB and real influxd, through the CLI's import command itself.
 */
const NOW_MS = Date.parse('2017-01-15T12:00:00Z');
const YEAR: Period = { from: '2016-01-01', to: '2016-12-31' };
const sites = benchSites(3);
const config = benchConfig(sites);

/** The store methods that read readings (raw or bucketed), not marks or rollups. */
const RAW_READS = ['readings', 'siteReadings', 'sitesReadings', 'buckets', 'siteBuckets', 'sitesBuckets'] as const;

interface Case {
  label: string;
  setUp: (dir: TempDir) => Promise<{ env: Record<string, string>; open: () => ReadingStore; stop: () => Promise<void> }>;
}

const cases: Case[] = [
  {
    label: 'duckdb',
    setUp: async (dir) => ({ env: { DATA_DIR: join(dir.path, 'data') }, open: () => new DuckDbStore({ dataDir: join(dir.path, 'data') }), stop: async () => undefined }),
  },
  {
    label: 'influxdb',
    setUp: async () => {
      const influxd: InfluxdHandle = await startInfluxd();
      return { env: { INFLUX_URL: influxd.url, INFLUX_DB: 'imported', INFLUX_RETENTION: 'INF' }, open: () => new InfluxStore({ url: influxd.url, database: 'imported', retention: 'INF' }), stop: () => influxd.stop() };
    },
  },
];

describe.each(cases)('the first comparison after a CLI import on $label', ({ setUp }) => {
  let dir: TempDir;
  let open: () => ReadingStore;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = await createTempDir('sbe-import-compare-');
    const s = await setUp(dir);
    open = s.open;
    stop = s.stop;
    const figures = await importBenchYear(dir, sites, s.env);
    expect(figures.imports).toBe(2 * sites.length);
    expect(figures.rollupsMs).not.toBeNull();
  }, 300_000);
  afterAll(async () => {
    await stop?.();
    await dir?.remove();
  });

  it('reads no raw reading and no day mark, fits no baseline, and gives the figures of a full recompute', async () => {
    const store = open();
    await store.start();
    try {
      const calls = new Map<string, number>();
      const counted = new Proxy(store, {
        get: (target, prop) => {
          const v = Reflect.get(target, prop) as unknown;
          if (typeof v !== 'function') return v;
          return (...a: unknown[]) => {
            calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
            return (v as (...x: unknown[]) => unknown).apply(target, a);
          };
        },
      });
      const first = new EnergyAnalyticsService({ config, query: counted, rollups: counted, now: () => NOW_MS });
      const served = await first.compare(YEAR);
      await first.rollupsSettled();
      // Each site: its meter's year, its temperatures' year, its baseline, all served.
      expect(first.rollupStats()!.computed).toBe(0);
      expect(first.rollupStats()!.served).toBe(3 * sites.length);
      expect(first.rollupStats()!.rewritten.size).toBe(0);
      expect(RAW_READS.map((m) => [m, calls.get(m) ?? 0])).toEqual(RAW_READS.map((m) => [m, 0]));
      expect(calls.get('dayMarks') ?? 0).toBe(0);
      expect(calls.get('putRollups') ?? 0).toBe(0);
      expect(calls.get('sitesRollups')).toBe(1);
      expect(calls.get('seriesMarks')).toBe(1);

      const raw = new EnergyAnalyticsService({ config, query: store, now: () => NOW_MS });
      const reference = await raw.compare(YEAR);
      expect(served).toEqual(reference);
      expect(served.kpis.filter((k) => k.status === 'ok').length).toBeGreaterThan(0);
      for (const [i, k] of served.kpis.entries()) {
        expect(k.finalEnergyKWh, k.site).toBe(reference.kpis[i]!.finalEnergyKWh);
        expect((await first.baseline(k.site)).result, k.site).toEqual((await raw.baseline(k.site)).result);
      }
    } finally {
      await store.stop();
    }
  }, 300_000);
});
