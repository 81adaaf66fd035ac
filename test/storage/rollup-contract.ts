/**
 * The rollup part of the storage contract (port.ts RollupStore): both adapters keep the
 * analytics' rollups verbatim, apart from the readings, replace a part written again, and keep
 * them across a restart. Run from describeStorageContract, on the same real store.
 */
import { expect, it } from 'vitest';
import type { ReadingStore, RollupPart } from '../../src/storage/port.js';
import type { StoreUnderTest } from './contract.js';

const DAY_MS = 86_400_000;
const T0 = Date.parse('2026-05-10T00:00:00.000Z');

let counter = 0;
const uniqueSite = (tag: string) => `rollup-${tag}-${++counter}-${Date.now().toString(36)}`;
const sorted = (rows: Array<RollupPart & { name: string }>) => [...rows].sort((a, b) => `${a.name}\u0001${a.part}`.localeCompare(`${b.name}\u0001${b.part}`));

export function rollupContractTests(sut: () => StoreUnderTest, setStore: (s: ReadingStore) => void): void {
  it('marks each local day of a series, the same on every call, changed by an added or a replaced reading of that day only', async () => {
    const { store } = sut();
    const site = uniqueSite('marks');
    const zone = 'Europe/Paris';
    // 2026-05-10 00:00 in Paris is 2026-05-09T22:00Z: three local days of hourly readings.
    const start = Date.parse('2026-05-09T22:00:00Z');
    const hourly = Array.from({ length: 72 }, (_, i) => ({ site, device: 'm', quantity: 'energy_kwh' as const, tsMs: start + i * 3_600_000, value: 1000 + i * 0.1 + (i % 7) / 3 }));
    await store.write(hourly);
    const q = { site, device: 'm', quantity: 'energy_kwh' as const, fromMs: start, toMs: start + 3 * DAY_MS, timezone: zone };
    const before = await store.dayMarks(q);
    expect(before.map((m) => [m.startMs, m.count])).toEqual([0, 1, 2].map((d) => [start + d * DAY_MS, 24]));
    for (let i = 0; i < 3; i++) expect(await store.dayMarks(q)).toEqual(before);
    // A late reading on the second day, then a replaced value on the third.
    await store.write([{ site, device: 'm', quantity: 'energy_kwh', tsMs: start + DAY_MS + 5 * 60_000, value: 1002.5 }]);
    await store.write([{ ...hourly[60]!, value: hourly[60]!.value + 0.001 }]);
    const after = await store.dayMarks(q);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]!.count).toBe(25);
    expect(after[1]!.mark).not.toBe(before[1]!.mark);
    expect(after[2]!.count).toBe(24);
    expect(after[2]!.mark).not.toBe(before[2]!.mark);
    // Only readings in [fromMs, toMs) are marked.
    expect(await store.dayMarks({ ...q, fromMs: start + DAY_MS, toMs: start + 2 * DAY_MS })).toEqual([after[1]]);
  });

  it('marks a whole range of a series, the same on every call, changed by an added or a replaced reading in it only', async () => {
    const { store } = sut();
    const site = uniqueSite('series-mark');
    const start = Date.parse('2026-05-09T22:00:00Z');
    const hourly = Array.from({ length: 72 }, (_, i) => ({ site, device: 'm', quantity: 'energy_kwh' as const, tsMs: start + i * 3_600_000, value: 1000 + i * 0.1 + (i % 7) / 3 }));
    await store.write(hourly);
    const q = { site, device: 'm', quantity: 'energy_kwh' as const, fromMs: start, toMs: start + 2 * DAY_MS };
    const later = { ...q, fromMs: start + 2 * DAY_MS, toMs: start + 3 * DAY_MS };
    const before = await store.seriesMark(q);
    const laterBefore = await store.seriesMark(later);
    for (let i = 0; i < 3; i++) expect(await store.seriesMark(q)).toBe(before);
    expect(laterBefore).not.toBe(before);
    // Nothing in range, and a series that does not exist: a mark, not an error, and not the same as one with readings.
    const empty = await store.seriesMark({ ...q, fromMs: start - 5 * DAY_MS, toMs: start - 4 * DAY_MS });
    expect(await store.seriesMark({ ...q, device: 'absent' })).toBe(empty);
    expect(empty).not.toBe(before);
    // A replaced value inside the range changes it; the later range is not affected.
    await store.write([{ ...hourly[30]!, value: hourly[30]!.value + 0.001 }]);
    const replaced = await store.seriesMark(q);
    expect(replaced).not.toBe(before);
    expect(await store.seriesMark(later)).toBe(laterBefore);
    // A late reading inside the range changes it; one at its end (excluded) does not.
    await store.write([{ site, device: 'm', quantity: 'energy_kwh', tsMs: start + 5 * 60_000, value: 1000.05 }]);
    const added = await store.seriesMark(q);
    expect(added).not.toBe(replaced);
    await store.write([{ site, device: 'm', quantity: 'energy_kwh', tsMs: q.toMs + 60_000, value: 1004.9 }]);
    expect(await store.seriesMark(q)).toBe(added);
    expect(await store.seriesMark(later)).not.toBe(laterBefore);
  });

  it('marks several series at once, each with the very mark seriesMark gives it, in the order asked', async () => {
    const { store } = sut();
    // Site ids with what must be escaped or bound: quotes, a backslash, a semicolon (the batch separator on InfluxDB).
    const sites = [uniqueSite('marks-a'), `${uniqueSite('marks-b')} o'brien; "x" \\ z`];
    const start = Date.parse('2026-05-09T22:00:00Z');
    const readings = sites.flatMap((site, k) =>
      (['m', 'w'] as const).flatMap((device) => Array.from({ length: 48 }, (_, i) => ({ site, device, quantity: device === 'm' ? ('energy_kwh' as const) : ('temperature_c' as const), tsMs: start + i * 3_600_000, value: 100 * k + i * 0.7 + (device === 'w' ? 0.25 : 0) }))),
    );
    await store.write(readings);
    const range = { fromMs: start, toMs: start + 2 * DAY_MS };
    const selectors = [
      ...sites.flatMap((site) => [{ site, device: 'm', quantity: 'energy_kwh' as const, ...range }, { site, device: 'w', quantity: 'temperature_c' as const, ...range }]),
      { site: sites[0]!, device: 'm', quantity: 'energy_kwh' as const, fromMs: start + DAY_MS, toMs: start + 2 * DAY_MS },
      { site: sites[0]!, device: 'absent', quantity: 'energy_kwh' as const, ...range },
      { site: sites[1]!, device: 'm', quantity: 'energy_kwh' as const, fromMs: start - 5 * DAY_MS, toMs: start - 4 * DAY_MS },
      { site: sites[0]!, device: 'm', quantity: 'energy_kwh' as const, ...range },
    ];
    const singles = await Promise.all(selectors.map((q) => store.seriesMark(q)));
    expect(new Set(singles.slice(0, 5)).size).toBe(5);
    expect(await store.seriesMarks(selectors)).toEqual(singles);
    expect(await store.seriesMarks([])).toEqual([]);
    // More than one store call holds (InfluxDB: 25 statements per POST; DuckDB: 200 selectors per query), still in order.
    const many = Array.from({ length: 210 }, (_, i) => selectors[(i * 7) % selectors.length]!);
    expect(await store.seriesMarks(many)).toEqual(many.map((q) => singles[selectors.indexOf(q)]));
    // A late reading of one series changes its mark in the batch, and no other.
    await store.write([{ site: sites[1]!, device: 'w', quantity: 'temperature_c', tsMs: start + 90 * 60_000, value: 12.5 }]);
    const after = await store.seriesMarks(selectors);
    expect(after.map((m, i) => m === singles[i])).toEqual(selectors.map((_, i) => i !== 3));
    expect(after[3]).toBe(await store.seriesMark(selectors[3]!));
  });

  it('reads the rollups of several sites at once, each part with its site, as rollups gives them site by site', async () => {
    const { store } = sut();
    const sites = [uniqueSite('sites-a'), `${uniqueSite('sites-b')} l'école; "b" \\ z`, uniqueSite('sites-c')];
    const name = 'c|meter "main"|energy_kwh|2026';
    for (const [k, site] of sites.entries()) {
      await store.putRollups(site, name, [
        { part: 'header', atMs: T0, mark: `h${k}`, payload: `{"k":${k}}` },
        { part: '2026-05', atMs: T0, mark: `m${k}`, payload: 'p;"q"' },
      ]);
      await store.putRollups(site, 'b|fit', [{ part: 'value', atMs: T0, mark: `b${k}`, payload: '{}' }]);
    }
    const requests = [
      { site: sites[0]!, names: [name, 'b|fit'] },
      { site: sites[1]!, names: [name] },
      { site: sites[2]!, names: [] },
      { site: uniqueSite('sites-none'), names: [name] },
    ];
    const got = await store.sitesRollups(requests);
    const bySite = (site: string) => sorted(got.filter((r) => r.site === site).map(({ site: _s, ...r }) => r));
    expect(got.length).toBe(5);
    expect(bySite(sites[0]!)).toEqual(sorted(await store.rollups(sites[0]!, [name, 'b|fit'])));
    expect(bySite(sites[1]!)).toEqual(sorted(await store.rollups(sites[1]!, [name])));
    expect(bySite(sites[1]!).map((r) => r.mark)).toEqual(['m1', 'h1']);
    expect(await store.sitesRollups([])).toEqual([]);
    expect(await store.sitesRollups([{ site: sites[0]!, names: [] }])).toEqual([]);
  });

  it('keeps rollup parts verbatim, per site and name, and out of every reading query', async () => {
    const { store } = sut();
    const site = uniqueSite('verbatim');
    // What a serializer may produce: quotes, backslashes, commas, spaces, = and non-ASCII text.
    const payload = JSON.stringify({ v: [0.1 + 0.2, 1e-300, -0, 12345.678901234567], note: 'a "quoted" \\ back,slash = équipe 🌡' });
    const parts: RollupPart[] = [
      { part: 'header', atMs: T0, mark: 'n=24 sum=1.5|b=3', payload },
      { part: '2026-05-10', atMs: T0, mark: 'day one', payload: '[1,2]' },
      { part: '2026-05-11', atMs: T0 + DAY_MS, mark: 'day two', payload: '[3]' },
    ];
    const name = 'c|tgbt, main|energy_kwh|2026 = "v1"';
    await store.putRollups(site, name, parts);
    await store.putRollups(site, 'other', [{ part: 'fit', atMs: T0, mark: 'm', payload: '{}' }]);
    await store.putRollups(uniqueSite('elsewhere'), name, [{ part: 'header', atMs: T0, mark: 'not mine', payload: '0' }]);
    expect(sorted(await store.rollups(site, [name]))).toEqual(sorted(parts.map((p) => ({ ...p, name }))));
    expect((await store.rollups(site, [name, 'other'])).length).toBe(4);
    expect(await store.rollups(site, ['absent'])).toEqual([]);
    expect(await store.rollups(site, [])).toEqual([]);
    // Never a reading: not counted, not the latest value, not in the site's readings.
    expect(await store.count({ site })).toBe(0);
    expect(await store.latest(site)).toEqual([]);
    expect(await store.siteReadings({ site, fromMs: T0 - DAY_MS, toMs: T0 + 3 * DAY_MS })).toEqual([]);
  });

  it('replaces a part written again and keeps the others, across a restart', async () => {
    const site = uniqueSite('replace');
    const name = 'baseline|2025-01-01|2025-12-31';
    await sut().store.putRollups(site, name, [
      { part: 'a', atMs: T0, mark: 'm1', payload: 'p1' },
      { part: 'b', atMs: T0 + DAY_MS, mark: 'm1', payload: 'p1' },
    ]);
    await sut().store.putRollups(site, name, [{ part: 'a', atMs: T0, mark: 'm2', payload: 'p2' }]);
    const want = [
      { name, part: 'a', atMs: T0, mark: 'm2', payload: 'p2' },
      { name, part: 'b', atMs: T0 + DAY_MS, mark: 'm1', payload: 'p1' },
    ];
    expect(sorted(await sut().store.rollups(site, [name]))).toEqual(want);
    const restart = sut().restart;
    if (restart) setStore(await restart());
    expect(sorted(await sut().store.rollups(site, [name]))).toEqual(want);
  });
}
