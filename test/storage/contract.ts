/**
 * The storage contract: every ReadingStore (embedded DuckDB, InfluxDB v1) must pass
 * these tests unchanged. Call it from an integration test with a factory that starts a
 * real, empty store:
 *
 *   describeStorageContract('duckdb', async () => ({ store, restart, cleanup }));
 *
 * The factory is called once per suite; tests isolate themselves with unique site names,
 * so the store is never shared with data from another test. `restart` (optional) stops the
 * store and returns a new one on the same data; the suite then keeps using the new one.
 *
 * Conventions fixed here so that both stores answer the same way:
 * - readings() and readingAtOrBefore() return `tsFromServer` as a boolean (false when the
 *   reading was written without the flag).
 * - Sub-day widths are aligned to the epoch in UTC whatever `timezone` says (InfluxQL
 *   `GROUP BY time()` without tz()); `1d` buckets start at local midnights of `timezone`
 *   (23 and 25 hour days included). A bucket's startMs is its aligned start even when the
 *   query range starts inside it; only readings in [fromMs, toMs) are aggregated.
 * - Test values are multiples of 0.25 so every sum is exact in binary floating point:
 *   means are compared with toBe, not with a tolerance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuantityName } from '../../src/config/quantities.js';
import type { Reading } from '../../src/model/reading.js';
import { rollupContractTests } from './rollup-contract.js';
import { BUCKET_WIDTH_MS, BUCKET_WIDTHS, type Bucket, type BucketWidth, type ReadingStore } from '../../src/storage/port.js';

export interface StoreUnderTest {
  store: ReadingStore;
  restart?: () => Promise<ReadingStore>;
  cleanup: () => Promise<void>;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const T0 = Date.parse('2026-05-10T00:00:00.000Z');

let siteCounter = 0;
/** A site id no other test uses, with characters a store must keep verbatim. */
function uniqueSite(tag: string): string {
  siteCounter += 1;
  return `contract-${tag}-${siteCounter}-${Date.now().toString(36)}`;
}

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function reading(site: string, device: string, quantity: QuantityName, tsMs: number, value: number, tsFromServer?: boolean): Reading {
  return tsFromServer === undefined ? { site, device, quantity, tsMs, value } : { site, device, quantity, tsMs, value, tsFromServer };
}

/** What a store returns for a written reading. */
function normalized(r: Reading): Reading {
  return { ...r, tsFromServer: r.tsFromServer === true };
}

/** Irregular readings (ms offsets, gaps) over ~26 h; values are multiples of 0.25 in [-100, 500). */
function irregularSeries(site: string, device: string, quantity: QuantityName, seed: number): Reading[] {
  const rand = prng(seed);
  const out: Reading[] = [];
  let ts = T0 + 17;
  const end = T0 + 26 * HOUR_MS;
  while (ts < end) {
    const inGap = ts >= T0 + 5 * HOUR_MS && ts < T0 + 8 * HOUR_MS + 20 * MINUTE_MS;
    if (!inGap) out.push(reading(site, device, quantity, ts, Math.floor(rand() * 2400) / 4 - 100));
    ts += 1 + Math.floor(rand() * 20 * MINUTE_MS);
  }
  return out;
}

/** Reference bucketing with epoch alignment (sub-day widths, and `1d` in UTC). */
function expectedBuckets(readings: readonly Reading[], widthMs: number, fromMs: number, toMs: number): Bucket[] {
  const groups = new Map<number, Reading[]>();
  for (const r of readings) {
    if (r.tsMs < fromMs || r.tsMs >= toMs) continue;
    const start = Math.floor(r.tsMs / widthMs) * widthMs;
    const group = groups.get(start) ?? [];
    group.push(r);
    groups.set(start, group);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([startMs, group]) => aggregate(startMs, group));
}

function aggregate(startMs: number, group: readonly Reading[]): Bucket {
  const sorted = [...group].sort((a, b) => a.tsMs - b.tsMs);
  const values = sorted.map((r) => r.value);
  const sum = values.reduce((s, v) => s + v, 0);
  return {
    startMs,
    count: values.length,
    mean: sum / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    first: values[0]!,
    last: values[values.length - 1]!,
  };
}

/** Hourly readings from `fromIso` (inclusive) to `toIso` (exclusive), value = hour index * 0.25. */
function hourly(site: string, fromIso: string, toIso: string): Reading[] {
  const out: Reading[] = [];
  for (let ts = Date.parse(fromIso), i = 0; ts < Date.parse(toIso); ts += HOUR_MS, i += 1) {
    out.push(reading(site, 'meter', 'energy_kwh', ts, i * 0.25));
  }
  return out;
}

export function describeStorageContract(label: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`storage contract: ${label}`, () => {
    let sut: StoreUnderTest;
    let store: ReadingStore;

    beforeAll(async () => {
      sut = await makeStore();
      store = sut.store;
    });
    afterAll(async () => {
      await sut?.cleanup();
    });

    it('reports itself healthy, of its own kind', async () => {
      const health = await store.health();
      expect(health.ok).toBe(true);
      expect(health.kind).toBe(store.kind);
    });

    it('round-trips readings in time order with values, ms timestamps and tsFromServer', async () => {
      const site = uniqueSite('roundtrip');
      const written = [
        reading(site, 'tgbt', 'power_w', T0 + 2_000, 1500.5, true),
        reading(site, 'tgbt', 'power_w', T0 + 1, 0),
        reading(site, 'tgbt', 'power_w', T0 + 2, -273.25, false),
        reading(site, 'tgbt', 'power_w', T0 + 999, 1e12),
        reading(site, 'tgbt', 'power_w', T0 + 1_000, 0.1),
        reading(site, 'tgbt', 'power_w', T0 + 1_001, 123456.789, true),
      ];
      await store.write(written);
      const got = await store.readings({ site, device: 'tgbt', quantity: 'power_w', fromMs: T0, toMs: T0 + HOUR_MS });
      expect(got).toEqual([...written].sort((a, b) => a.tsMs - b.tsMs).map(normalized));
    });

    it('accepts an empty batch', async () => {
      await expect(store.write([])).resolves.toBeUndefined();
    });

    it('keeps [fromMs, toMs) strictly: from inclusive, to exclusive', async () => {
      const site = uniqueSite('range');
      await store.write([0, 1, 2, 3].map((i) => reading(site, 'd', 'co2_ppm', T0 + i * 1000, 400 + i)));
      const got = await store.readings({ site, device: 'd', quantity: 'co2_ppm', fromMs: T0 + 1000, toMs: T0 + 3000 });
      expect(got.map((r) => r.tsMs)).toEqual([T0 + 1000, T0 + 2000]);
    });

    it('stores a duplicated reading once, the later value winning (same batch and across batches)', async () => {
      const site = uniqueSite('dup');
      const sel = { site, device: 'd', quantity: 'energy_kwh' as const, fromMs: T0, toMs: T0 + HOUR_MS };
      await store.write([reading(site, 'd', 'energy_kwh', T0, 1), reading(site, 'd', 'energy_kwh', T0 + 5, 7), reading(site, 'd', 'energy_kwh', T0, 2)]);
      expect((await store.readings(sel)).map((r) => [r.tsMs, r.value])).toEqual([[T0, 2], [T0 + 5, 7]]);
      await store.write([reading(site, 'd', 'energy_kwh', T0, 3, true)]);
      await store.write([reading(site, 'd', 'energy_kwh', T0 + 5, 7)]);
      expect(await store.readings(sel)).toEqual([normalized(reading(site, 'd', 'energy_kwh', T0, 3, true)), normalized(reading(site, 'd', 'energy_kwh', T0 + 5, 7))]);
      expect(await store.count({ site })).toBe(2);
    });

    it('lets the later of concurrent calls win: a burst of batches rewriting each other', async () => {
      const site = uniqueSite('burst');
      // 400 batches of 25 readings written at once; batch b rewrites the identities of batch b - 200.
      const batches = Array.from({ length: 400 }, (_, b) =>
        Array.from({ length: 25 }, (_, i): Reading => reading(site, `d${i % 5}`, 'power_w', T0 + (b % 200) * 25 + i, b)),
      );
      await Promise.all(batches.map((batch) => store.write(batch)));
      expect(await store.count({ site })).toBe(200 * 25);
      const values = new Set<number>();
      for (let d = 0; d < 5; d++) {
        for (const r of await store.readings({ site, device: `d${d}`, quantity: 'power_w', fromMs: T0, toMs: T0 + HOUR_MS })) values.add(r.value);
      }
      expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => 200 + i));
    });

    it('lets a small later call win over a large earlier one still being written', async () => {
      const site = uniqueSite('race');
      for (let round = 0; round < 5; round++) {
        const big = Array.from({ length: 20_000 }, (_, i) => reading(site, 'd', 'power_w', T0 + i, round));
        const last = big[big.length - 1]!;
        await Promise.all([store.write(big), store.write([{ ...last, value: round + 0.5 }])]);
        const got = await store.readings({ site, device: 'd', quantity: 'power_w', fromMs: last.tsMs, toMs: last.tsMs + 1 });
        expect(got.map((r) => r.value)).toEqual([round + 0.5]);
      }
    });

    it('returns the latest value of every device and quantity of a site', async () => {
      const site = uniqueSite('latest');
      const other = uniqueSite('latest-other');
      await store.write([
        reading(site, 'a', 'power_w', T0 + 10, 5),
        reading(site, 'a', 'power_w', T0 + 30, 6),
        reading(site, 'a', 'power_w', T0 + 20, 7),
        reading(site, 'a', 'energy_kwh', T0 + 5, 100),
        reading(site, 'b', 'power_w', T0 + 50, -1),
        reading(other, 'a', 'power_w', T0 + 99, 42),
      ]);
      const got = (await store.latest(site)).sort((x, y) => `${x.device}/${x.quantity}`.localeCompare(`${y.device}/${y.quantity}`));
      expect(got).toEqual([
        { device: 'a', quantity: 'energy_kwh', tsMs: T0 + 5, value: 100 },
        { device: 'a', quantity: 'power_w', tsMs: T0 + 30, value: 6 },
        { device: 'b', quantity: 'power_w', tsMs: T0 + 50, value: -1 },
      ]);
    });

    it('finds the latest value of a series that reported minutes ago beside one silent for months, awkward names included', async () => {
      // InfluxDB looks in a recent window first and over all time only for what it did not find there.
      const site = uniqueSite('latest, recent=1');
      const nowMs = Date.now();
      await store.write([
        reading(site, 'live, a=b', 'power_w', nowMs - 10 * 60_000, 11),
        reading(site, 'live, a=b', 'power_w', nowMs - 20 * 60_000, 10),
        reading(site, 'quiet dev\\x', 'power_w', T0 + 30, 7),
        reading(site, 'quiet dev\\x', 'power_w', T0 + 10, 6),
        reading(site, 'live, a=b', 'energy_kwh', T0 + 5, 100),
      ]);
      const byName = (a: { device: string; quantity: string }, b: { device: string; quantity: string }) => `${a.device}/${a.quantity}`.localeCompare(`${b.device}/${b.quantity}`);
      const expected = [
        { device: 'live, a=b', quantity: 'energy_kwh', tsMs: T0 + 5, value: 100 },
        { device: 'live, a=b', quantity: 'power_w', tsMs: nowMs - 10 * 60_000, value: 11 },
        { device: 'quiet dev\\x', quantity: 'power_w', tsMs: T0 + 30, value: 7 },
      ].sort(byName);
      expect((await store.latest(site)).sort(byName)).toEqual(expected);
      const recentOnly = uniqueSite('latest-recent-only');
      await store.write([reading(recentOnly, 'm', 'power_w', nowMs - 60_000, 3)]);
      const both = await store.sitesLatest([site, recentOnly]);
      expect(both.filter((l) => l.site === site).map(({ site: _s, ...l }) => l).sort(byName)).toEqual(expected);
      expect(both.filter((l) => l.site === recentOnly)).toEqual([{ site: recentOnly, device: 'm', quantity: 'power_w', tsMs: nowMs - 60_000, value: 3 }]);
    });

    it('counts with and without filters', async () => {
      const site = uniqueSite('count');
      const before = await store.count();
      await store.write([
        ...[0, 1, 2].map((i) => reading(site, 'a', 'power_w', T0 + i, i)),
        ...[0, 1].map((i) => reading(site, 'a', 'temperature_c', T0 + i, i)),
        ...[0, 1, 2, 3].map((i) => reading(site, 'b', 'power_w', T0 + i, i)),
      ]);
      expect(await store.count({ site })).toBe(9);
      expect(await store.count({ site, device: 'a' })).toBe(5);
      expect(await store.count({ site, quantity: 'power_w' })).toBe(7);
      expect(await store.count({ site, device: 'b', quantity: 'power_w' })).toBe(4);
      expect(await store.count({ site, device: 'b', quantity: 'temperature_c' })).toBe(0);
      expect(await store.count()).toBe(before + 9);
    });

    it('stores a 5,000-reading batch whole', async () => {
      const site = uniqueSite('big');
      const batch = Array.from({ length: 5000 }, (_, i) => reading(site, `dev-${i % 7}`, 'power_w', T0 + i * 1000, i * 0.5));
      await store.write(batch);
      expect(await store.count({ site })).toBe(5000);
      expect(await store.count({ site, device: 'dev-3' })).toBe(batch.filter((r) => r.device === 'dev-3').length);
    });

    it('returns empty results for unknown series', async () => {
      const site = uniqueSite('empty');
      const sel = { site, device: 'none', quantity: 'gas_m3' as const, fromMs: T0, toMs: T0 + HOUR_MS };
      expect(await store.readings(sel)).toEqual([]);
      expect(await store.buckets({ ...sel, every: '1h', timezone: 'Europe/Paris' })).toEqual([]);
      expect(await store.buckets({ ...sel, every: '1d', timezone: 'Europe/Paris' })).toEqual([]);
      expect(await store.latest(site)).toEqual([]);
      expect(await store.count({ site })).toBe(0);
      expect(await store.readingAtOrBefore({ site, device: 'none', quantity: 'gas_m3', atMs: T0 })).toBeNull();
    });

    it('isolates sites, devices and quantities', async () => {
      const s1 = uniqueSite('iso1');
      const s2 = uniqueSite('iso2');
      await store.write([
        reading(s1, 'd1', 'power_w', T0, 1),
        reading(s1, 'd2', 'power_w', T0, 2),
        reading(s1, 'd1', 'energy_kwh', T0, 3),
        reading(s2, 'd1', 'power_w', T0, 4),
      ]);
      const sel = (site: string, device: string, quantity: QuantityName) => ({ site, device, quantity, fromMs: T0, toMs: T0 + 1 });
      expect((await store.readings(sel(s1, 'd1', 'power_w'))).map((r) => r.value)).toEqual([1]);
      expect((await store.readings(sel(s1, 'd2', 'power_w'))).map((r) => r.value)).toEqual([2]);
      expect((await store.readings(sel(s1, 'd1', 'energy_kwh'))).map((r) => r.value)).toEqual([3]);
      expect((await store.readings(sel(s2, 'd1', 'power_w'))).map((r) => r.value)).toEqual([4]);
      expect((await store.buckets({ ...sel(s1, 'd1', 'power_w'), every: '1m', timezone: 'UTC' })).map((b) => b.count)).toEqual([1]);
      expect((await store.readingAtOrBefore({ site: s2, device: 'd1', quantity: 'power_w', atMs: T0 + 5 }))?.value).toBe(4);
    });

    it('reads every series of a site in one call, grouped by series, in time order, [fromMs, toMs) kept', async () => {
      const site = uniqueSite('site-readings');
      const other = uniqueSite('site-readings-other');
      const a = irregularSeries(site, 'a', 'power_w', 11);
      const b = irregularSeries(site, 'b', 'temperature_c', 12);
      const c = irregularSeries(site, 'a', 'energy_kwh', 13);
      await store.write([...b, ...a, ...c, reading(other, 'a', 'power_w', T0 + 3 * HOUR_MS, 1)]);
      const fromMs = T0 + 2 * HOUR_MS;
      const toMs = T0 + 20 * HOUR_MS;
      const got = await store.siteReadings({ site, fromMs, toMs });
      const within = (rs: Reading[]) => rs.filter((r) => r.tsMs >= fromMs && r.tsMs < toMs).map(normalized);
      const bySeries = new Map<string, Reading[]>();
      const order: string[] = [];
      for (const r of got) {
        const k = `${r.device}/${r.quantity}`;
        if (!bySeries.has(k)) order.push(k);
        bySeries.set(k, [...(bySeries.get(k) ?? []), r]);
      }
      // each series once, as one run: grouped, not interleaved
      expect(order).toHaveLength(3);
      expect(new Set(got.map((r) => `${r.device}/${r.quantity}`)).size).toBe(3);
      expect(got.filter((r, i) => i > 0 && `${r.device}/${r.quantity}` !== `${got[i - 1]!.device}/${got[i - 1]!.quantity}`)).toHaveLength(2);
      expect(bySeries.get('a/power_w')).toEqual(within(a));
      expect(bySeries.get('b/temperature_c')).toEqual(within(b));
      expect(bySeries.get('a/energy_kwh')).toEqual(within(c));
      expect(await store.siteReadings({ site, fromMs: toMs, toMs: toMs })).toEqual([]);
      expect(await store.siteReadings({ site: uniqueSite('site-readings-none'), fromMs, toMs })).toEqual([]);
    });

    it('finds the reading at or before an instant for every series of a site in one call', async () => {
      const site = uniqueSite('site-atorbefore');
      await store.write([
        reading(site, 'm', 'energy_kwh', T0 + 1000, 10),
        reading(site, 'm', 'energy_kwh', T0 + 2000, 20, true),
        reading(site, 'm', 'energy_kwh', T0 + 3000, 30),
        reading(site, 'm', 'gas_m3', T0 + 2500, 99),
        reading(site, 'late', 'power_w', T0 + 5000, 7),
        reading(uniqueSite('site-atorbefore-other'), 'm', 'energy_kwh', T0 + 2100, 77),
      ]);
      const at = async (atMs: number) => (await store.siteReadingsAtOrBefore({ site, atMs })).sort((a, b) => `${a.device}/${a.quantity}`.localeCompare(`${b.device}/${b.quantity}`));
      expect(await at(T0 + 2000)).toEqual([normalized(reading(site, 'm', 'energy_kwh', T0 + 2000, 20, true))]);
      expect(await at(T0 + 2999)).toEqual([normalized(reading(site, 'm', 'energy_kwh', T0 + 2000, 20, true)), normalized(reading(site, 'm', 'gas_m3', T0 + 2500, 99))]);
      expect(await at(T0 + 10_000)).toEqual([
        normalized(reading(site, 'late', 'power_w', T0 + 5000, 7)),
        normalized(reading(site, 'm', 'energy_kwh', T0 + 3000, 30)),
        normalized(reading(site, 'm', 'gas_m3', T0 + 2500, 99)),
      ]);
      expect(await at(T0)).toEqual([]);
    });

    it('buckets every series of a site in one call, as buckets() does series by series', async () => {
      const site = uniqueSite('site-buckets');
      const series = [irregularSeries(site, 'a', 'power_w', 21), irregularSeries(site, 'b', 'co2_ppm', 22), irregularSeries(site, 'a', 'temperature_c', 23)];
      await store.write([...series.flat(), reading(uniqueSite('site-buckets-other'), 'a', 'power_w', T0 + HOUR_MS, 3)]);
      const fromMs = T0 + 90 * MINUTE_MS;
      const toMs = T0 + 22 * HOUR_MS;
      for (const every of ['1h', '15m'] as const) {
        const got = await store.siteBuckets({ site, fromMs, toMs, every });
        for (const rs of series) {
          const { device, quantity } = rs[0]!;
          const mine = got.filter((b) => b.device === device && b.quantity === quantity).map(({ device: _d, quantity: _q, ...b }) => b);
          expect(mine).toEqual(expectedBuckets(rs, BUCKET_WIDTH_MS[every], fromMs, toMs));
          expect(mine).toEqual(await store.buckets({ site, device, quantity, fromMs, toMs, every, timezone: 'Europe/Paris' }));
        }
        expect(got).toHaveLength(series.reduce((n, rs) => n + expectedBuckets(rs, BUCKET_WIDTH_MS[every], fromMs, toMs).length, 0));
        // grouped by series, each in time order
        expect(got.every((b, i) => i === 0 || `${b.device}/${b.quantity}` !== `${got[i - 1]!.device}/${got[i - 1]!.quantity}` || b.startMs > got[i - 1]!.startMs)).toBe(true);
      }
      expect(await store.siteBuckets({ site: uniqueSite('site-buckets-none'), fromMs, toMs, every: '1h' })).toEqual([]);
    });

    it('reads, buckets and finds the latest and at-or-before readings of several sites in one call each, as the one-site calls do, grouped by site', async () => {
      const sites = [uniqueSite('sites-a'), uniqueSite("sites-b'quote"), uniqueSite('sites-c')];
      const left = uniqueSite('sites-not-asked');
      const data = sites.flatMap((site, k) => [irregularSeries(site, 'a', 'power_w', 31 + k), irregularSeries(site, 'b', 'energy_kwh', 41 + k)].flat());
      await store.write([...data, ...irregularSeries(left, 'a', 'power_w', 51)]);
      const fromMs = T0 + 2 * HOUR_MS;
      const toMs = T0 + 20 * HOUR_MS;
      // The third site is asked twice and one site has no readings: each is answered once, the empty one with nothing.
      const asked = [sites[1]!, sites[0]!, uniqueSite('sites-none'), sites[2]!, sites[0]!];
      const got = await store.sitesReadings({ sites: asked, fromMs, toMs });
      const siteOrder = got.map((r) => r.site).filter((site, i, all) => i === 0 || all[i - 1] !== site);
      expect([...siteOrder].sort()).toEqual([...sites].sort());
      for (const site of sites) {
        expect(got.filter((r) => r.site === site)).toEqual(await store.siteReadings({ site, fromMs, toMs }));
      }
      expect(got.some((r) => r.site === left)).toBe(false);
      const buckets = await store.sitesBuckets({ sites: asked, fromMs, toMs, every: '1h' });
      expect([...buckets.map((b) => b.site).filter((site, i, all) => i === 0 || all[i - 1] !== site)].sort()).toEqual([...sites].sort());
      for (const site of sites) {
        const mine = buckets.filter((b) => b.site === site).map(({ site: _s, ...b }) => b);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine).toEqual(await store.siteBuckets({ site, fromMs, toMs, every: '1h' }));
      }
      // The newest value and the reading at or before an instant of every series, for several sites at once.
      const latest = await store.sitesLatest(asked);
      expect([...latest.map((l) => l.site).filter((site, i, all) => i === 0 || all[i - 1] !== site)].sort()).toEqual([...sites].sort());
      const byName = (a: { device: string; quantity: string }, b: { device: string; quantity: string }) => `${a.device}/${a.quantity}`.localeCompare(`${b.device}/${b.quantity}`);
      for (const site of sites) {
        expect(latest.filter((l) => l.site === site).map(({ site: _s, ...l }) => l).sort(byName)).toEqual((await store.latest(site)).sort(byName));
      }
      const atMs = T0 + 10 * HOUR_MS;
      const before = await store.sitesReadingsAtOrBefore({ sites: asked, atMs });
      expect(before.length).toBeGreaterThan(0);
      for (const site of sites) {
        expect(before.filter((r) => r.site === site).sort(byName)).toEqual((await store.siteReadingsAtOrBefore({ site, atMs })).sort(byName));
      }
      expect(before.some((r) => r.site === left) || latest.some((l) => l.site === left)).toBe(false);
      expect(await store.sitesLatest([])).toEqual([]);
      expect(await store.sitesReadingsAtOrBefore({ sites: [], atMs })).toEqual([]);
      expect(await store.sitesReadings({ sites: [], fromMs, toMs })).toEqual([]);
      expect(await store.sitesBuckets({ sites: [], fromMs, toMs, every: '1h' })).toEqual([]);
      expect(await store.sitesReadings({ sites, fromMs: toMs, toMs })).toEqual([]);
    });

    it('stores ids with quotes, backslashes, commas, spaces and SQL text verbatim', async () => {
      const nasty = [
        `it's "quoted"`,
        'back\\slash, comma = sign',
        "x'; DROP TABLE readings; --",
        'Cléon bâtiment A',
        '"; DELETE FROM readings WHERE "1"="1',
      ];
      const batch = nasty.flatMap((site, i) => nasty.map((device, j) => reading(site, device, 'power_w', T0 + j, i * 10 + j)));
      await store.write(batch);
      for (const [i, site] of nasty.entries()) {
        expect(await store.count({ site })).toBe(nasty.length);
        for (const [j, device] of nasty.entries()) {
          const got = await store.readings({ site, device, quantity: 'power_w', fromMs: T0, toMs: T0 + HOUR_MS });
          expect(got).toEqual([normalized(reading(site, device, 'power_w', T0 + j, i * 10 + j))]);
        }
        const latest = (await store.latest(site)).map((l) => l.device).sort();
        expect(latest).toEqual([...nasty].sort());
      }
    });

    it('finds the reading at or before an instant', async () => {
      const site = uniqueSite('atorbefore');
      await store.write([
        reading(site, 'm', 'energy_kwh', T0 + 1000, 10),
        reading(site, 'm', 'energy_kwh', T0 + 2000, 20, true),
        reading(site, 'm', 'energy_kwh', T0 + 3000, 30),
        reading(site, 'm', 'gas_m3', T0 + 2500, 99),
        reading(site, 'other', 'energy_kwh', T0 + 2500, 77),
      ]);
      const at = (atMs: number) => store.readingAtOrBefore({ site, device: 'm', quantity: 'energy_kwh', atMs });
      expect(await at(T0 + 999)).toBeNull();
      expect(await at(T0 + 1000)).toEqual(normalized(reading(site, 'm', 'energy_kwh', T0 + 1000, 10)));
      expect(await at(T0 + 2999)).toEqual(normalized(reading(site, 'm', 'energy_kwh', T0 + 2000, 20, true)));
      expect(await at(T0 + 10 * HOUR_MS)).toEqual(normalized(reading(site, 'm', 'energy_kwh', T0 + 3000, 30)));
    });

    describe('buckets', () => {
      let site: string;
      let series: Reading[];
      const from = T0;
      const to = T0 + 26 * HOUR_MS;

      beforeAll(async () => {
        site = uniqueSite('buckets');
        series = irregularSeries(site, 'tgbt', 'power_w', 42);
        // Noise in neighbouring series that must not leak into the buckets.
        await store.write([...series, ...irregularSeries(site, 'tgbt', 'energy_kwh', 7), ...irregularSeries(site, 'other', 'power_w', 9)]);
      });

      const sel = () => ({ site, device: 'tgbt', quantity: 'power_w' as const });

      it.each(BUCKET_WIDTHS.filter((w) => w !== '1d'))('%s buckets are epoch-aligned in UTC whatever the timezone', async (every: BucketWidth) => {
        const expected = expectedBuckets(series, BUCKET_WIDTH_MS[every], from, to);
        expect(expected.length).toBeGreaterThan(1);
        for (const timezone of ['UTC', 'Europe/Paris', 'Asia/Kolkata']) {
          expect(await store.buckets({ ...sel(), fromMs: from, toMs: to, every, timezone })).toEqual(expected);
        }
      });

      it('1d buckets in UTC start at UTC midnights', async () => {
        const expected = expectedBuckets(series, BUCKET_WIDTH_MS['1d'], from, to);
        expect(expected.map((b) => b.startMs)).toEqual([T0, T0 + 24 * HOUR_MS]);
        expect(await store.buckets({ ...sel(), fromMs: from, toMs: to, every: '1d', timezone: 'UTC' })).toEqual(expected);
      });

      it('omits empty buckets (the 3-hour gap)', async () => {
        const got = await store.buckets({ ...sel(), fromMs: from, toMs: to, every: '1h', timezone: 'UTC' });
        const starts = got.map((b) => b.startMs);
        expect(starts).not.toContain(T0 + 6 * HOUR_MS);
        expect(starts).not.toContain(T0 + 7 * HOUR_MS);
        expect(got.every((b) => b.count > 0)).toBe(true);
      });

      it('aggregates a dense series (many readings per bucket) the same way', async () => {
        // Every 7 s for 2 hours: ~500 readings per hour and ~8 per minute, above what the InfluxDB
        // adapter aggregates itself (3 per bucket), so InfluxDB's GROUP BY answers: both paths agree.
        const dense = Array.from({ length: Math.floor((2 * HOUR_MS) / 7000) }, (_, i) => reading(site, 'dense', 'power_w', T0 + 3 + i * 7000, 1000 + ((i * 37) % 101) / 7));
        await store.write(dense);
        for (const every of ['1m', '15m', '1h'] as const) {
          const expected = expectedBuckets(dense, BUCKET_WIDTH_MS[every], T0, T0 + 2 * HOUR_MS);
          const got = await store.buckets({ site, device: 'dense', quantity: 'power_w', fromMs: T0, toMs: T0 + 2 * HOUR_MS, every, timezone: 'UTC' });
          expect(got.map(({ mean: _mean, ...b }) => b), every).toEqual(expected.map(({ mean: _mean, ...b }) => b));
          got.forEach((b, i) => expect(b.mean).toBeCloseTo(expected[i]!.mean, 9));
        }
      });

      it('aggregates only [fromMs, toMs) but keeps aligned bucket starts', async () => {
        const f = from + 7 * MINUTE_MS + 13;
        const t = to - 5 * MINUTE_MS;
        for (const every of ['15m', '1h'] as const) {
          const expected = expectedBuckets(series, BUCKET_WIDTH_MS[every], f, t);
          expect(expected[0]!.startMs).toBeLessThan(f);
          expect(await store.buckets({ ...sel(), fromMs: f, toMs: t, every, timezone: 'UTC' })).toEqual(expected);
        }
      });
    });

    describe('local-day buckets', () => {
      const localDays = async (zone: string, fromIso: string, toIso: string) => {
        const site = uniqueSite('localday');
        const data = hourly(site, fromIso, toIso);
        await store.write(data);
        const got = await store.buckets({ site, device: 'meter', quantity: 'energy_kwh', fromMs: Date.parse(fromIso), toMs: Date.parse(toIso), every: '1d', timezone: zone });
        return { data, got };
      };
      /** Expected buckets from known local-midnight instants (written out, not computed). */
      const expectedFromMidnights = (data: Reading[], midnightsIso: string[]) =>
        midnightsIso.slice(0, -1).map((iso, i) => {
          const start = Date.parse(iso);
          const end = Date.parse(midnightsIso[i + 1]!);
          return aggregate(start, data.filter((r) => r.tsMs >= start && r.tsMs < end));
        });

      it('Europe/Paris spring-forward day (2026-03-29) has 23 hours', async () => {
        const midnights = ['2026-03-27T23:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', '2026-03-30T22:00:00Z'];
        const { data, got } = await localDays('Europe/Paris', midnights[0]!, midnights[3]!);
        expect(got.map((b) => b.count)).toEqual([24, 23, 24]);
        expect(got).toEqual(expectedFromMidnights(data, midnights));
      });

      it('Europe/Paris fall-back day (2026-10-25) has 25 hours', async () => {
        const midnights = ['2026-10-23T22:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '2026-10-26T23:00:00Z'];
        const { data, got } = await localDays('Europe/Paris', midnights[0]!, midnights[3]!);
        expect(got.map((b) => b.count)).toEqual([24, 25, 24]);
        expect(got).toEqual(expectedFromMidnights(data, midnights));
      });

      it('America/New_York days around 2026-03-08 and 2026-11-01', async () => {
        const spring = ['2026-03-07T05:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z'];
        const s = await localDays('America/New_York', spring[0]!, spring[2]!);
        expect(s.got.map((b) => b.count)).toEqual([24, 23]);
        expect(s.got).toEqual(expectedFromMidnights(s.data, spring));
        const fall = ['2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z'];
        const f = await localDays('America/New_York', fall[0]!, fall[1]!);
        expect(f.got).toEqual(expectedFromMidnights(f.data, fall));
        expect(f.got.map((b) => b.count)).toEqual([25]);
      });

      it('a reading exactly at a bucket start belongs to that bucket, 1 ms earlier to the previous one', async () => {
        const site = uniqueSite('edges');
        const parisMidnight = Date.parse('2026-03-28T23:00:00.000Z');
        await store.write([
          reading(site, 'meter', 'energy_kwh', parisMidnight - 1, 1),
          reading(site, 'meter', 'energy_kwh', parisMidnight, 2),
          reading(site, 'meter', 'energy_kwh', parisMidnight + HOUR_MS - 1, 3),
          reading(site, 'meter', 'energy_kwh', parisMidnight + HOUR_MS, 4),
        ]);
        const q = { site, device: 'meter', quantity: 'energy_kwh' as const, fromMs: parisMidnight - HOUR_MS, toMs: parisMidnight + 2 * HOUR_MS };
        const hours = await store.buckets({ ...q, every: '1h', timezone: 'Europe/Paris' });
        expect(hours.map((b) => [b.startMs, b.count, b.first, b.last])).toEqual([
          [parisMidnight - HOUR_MS, 1, 1, 1],
          [parisMidnight, 2, 2, 3],
          [parisMidnight + HOUR_MS, 1, 4, 4],
        ]);
        const days = await store.buckets({ ...q, every: '1d', timezone: 'Europe/Paris' });
        expect(days.map((b) => [b.startMs, b.count, b.first, b.last])).toEqual([
          [Date.parse('2026-03-27T23:00:00.000Z'), 1, 1, 1],
          [parisMidnight, 3, 2, 4],
        ]);
      });

      it('a half-hour zone (Asia/Kolkata, UTC+05:30) starts days at 18:30Z', async () => {
        const midnights = ['2026-05-09T18:30:00Z', '2026-05-10T18:30:00Z', '2026-05-11T18:30:00Z'];
        const { data, got } = await localDays('Asia/Kolkata', '2026-05-09T20:00:00Z', midnights[2]!);
        expect(got).toEqual(expectedFromMidnights(data, midnights));
        expect(got.map((b) => b.count)).toEqual([23, 24]);
      });
    });

    it('keeps everything across a restart', async () => {
      const site = uniqueSite('restart');
      const written = [reading(site, 'd', 'power_w', T0 + 1, 1.25, true), reading(site, 'd', 'power_w', T0 + 2, -2.5)];
      await store.write(written);
      const total = await store.count();
      if (sut.restart) {
        store = await sut.restart();
        sut.store = store;
      }
      expect(await store.count()).toBe(total);
      const sel = { site, device: 'd', quantity: 'power_w' as const, fromMs: T0, toMs: T0 + 3 };
      expect(await store.readings(sel)).toEqual(written.map(normalized));
      // Idempotency holds across the restart too: the redelivered reading replaces the stored one.
      await store.write([reading(site, 'd', 'power_w', T0 + 1, 9.75)]);
      expect(await store.count()).toBe(total);
      expect(await store.readings(sel)).toEqual([normalized(reading(site, 'd', 'power_w', T0 + 1, 9.75)), normalized(written[1]!)]);
    });

    rollupContractTests(
      () => sut,
      (s) => {
        store = s;
        sut.store = s;
      },
    );
  });
}
