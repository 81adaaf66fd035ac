/**
 * What the stores spend on the cold comparison's store calls (issue 13, point 6): on InfluxDB one
 * query per series against batched forms, and the floor of a first start, the raw readings of
 * every site-year read (on both stores).
 *   npx tsx test/bench/api-cold-queries.ts [--sites 20]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import { createTempDir } from '../helpers/tmp.js';
import { startInfluxd } from '../helpers/influxd.js';
import { benchSites, fillBenchStore } from './api/fixture.js';

const { values: args } = parseArgs({ options: { sites: { type: 'string', default: '20' } } });
const sites = benchSites(Number(args.sites));
const influxd = await startInfluxd();
const store = new InfluxStore({ url: influxd.url, database: 'bench', retention: 'INF' });
const q = async (text: string, method: 'GET' | 'POST' = 'GET') => {
  const params = new URLSearchParams({ db: 'bench', epoch: 'ms' });
  const t0 = performance.now();
  let res: Response;
  if (method === 'GET') res = await fetch(`${influxd.url}/query?${params}&q=${encodeURIComponent(text)}`);
  else res = await fetch(`${influxd.url}/query?${params}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ q: text }) });
  const body = await res.text();
  const parsed = JSON.parse(body) as { results: Array<{ series?: unknown[]; error?: string }> };
  if (parsed.results.some((r) => r.error)) throw new Error(body.slice(0, 300));
  return { ms: performance.now() - t0, bytes: body.length, statements: parsed.results.length, series: parsed.results.reduce((s, r) => s + (r.series?.length ?? 0), 0) };
};
try {
  await store.start();
  await fillBenchStore(store, sites);
  const from = Date.parse('2016-01-01T00:00:00Z') - 3_600_000;
  const to = Date.parse('2017-01-01T00:00:00Z') + 6 * 3_600_000;
  const series = sites.flatMap((s) => [['meter', 'energy_kwh'], ['weather', 'temperature_c']].map(([d, qn]) => ({ site: s.id, device: d!, quantity: qn! })));
  const one = (s: { site: string; device: string; quantity: string }, aggs = 'count("value") AS "count", mean("value") AS "mean"', group = 'GROUP BY time(1d) fill(none)') =>
    `SELECT ${aggs} FROM "readings" WHERE "site" = '${s.site}' AND "device" = '${s.device}' AND "quantity" = '${s.quantity}' AND time >= ${from}ms AND time < ${to}ms ${group}`;
  console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    for (const s of series) await q(one(s));
    const sequential = performance.now() - t;
    t = performance.now();
    await Promise.all(series.map((s) => q(one(s))));
    const parallel = performance.now() - t;
    const multi = await q(series.map((s) => one(s)).join('; '), 'POST');
    const siteOr = sites.map((s) => `"site" = '${s.id}'`).join(' OR ');
    const grouped = await q(`SELECT count("value") AS "count", mean("value") AS "mean" FROM "readings" WHERE (${siteOr}) AND (("device" = 'meter' AND "quantity" = 'energy_kwh') OR ("device" = 'weather' AND "quantity" = 'temperature_c')) AND time >= ${from}ms AND time < ${to}ms GROUP BY time(1d), "site", "device", "quantity" fill(none)`, 'POST');
    const countOnly = await q(series.map((s) => one(s, 'count("value") AS "count"')).join('; '), 'POST');
    const noDays = await q(series.map((s) => one(s, 'count("value") AS "count", mean("value") AS "mean"', '')).join('; '), 'POST');
    const raw = await q(series.map((s) => one(s, '"value"', '')).join('; '), 'POST');
    t = performance.now();
    for (const s of series) await q(one(s, '"value"', ''));
    const rawSeq = performance.now() - t;
    const dayMarksMulti = await q(series.map((s) => one(s, 'count("value") AS "count", mean("value") AS "mean", min("value") AS "min", max("value") AS "max", first("value") AS "first", last("value") AS "last"', "GROUP BY time(1d) fill(none) tz('Europe/Paris')")).join('; '), 'POST');
    console.log(
      `round ${round}: ${series.length} series marks one by one ${Math.round(sequential)} ms, all at once in parallel ${Math.round(parallel)} ms, ` +
        `one call of ${multi.statements} statements ${Math.round(multi.ms)} ms, one GROUP BY tag statement ${Math.round(grouped.ms)} ms (${grouped.series} series), ` +
        `count only ${Math.round(countOnly.ms)} ms, count+mean without days ${Math.round(noDays.ms)} ms; raw readings of all: one call ${Math.round(raw.ms)} ms (${(raw.bytes / 1e6).toFixed(1)} MB), one by one ${Math.round(rawSeq)} ms; day marks of all in one call ${Math.round(dayMarksMulti.ms)} ms`,
    );
  }
  console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // The same raw reads through each store's port (what a first start's spans read, Reading objects built).
  const dir = await createTempDir('sbe-bench-cold-q-');
  const duck = new DuckDbStore({ dataDir: dir.path });
  try {
    await duck.start();
    await fillBenchStore(duck, sites);
    for (let round = 0; round < 2; round++) {
      const line: string[] = [];
      for (const [label, st] of [['duckdb', duck], ['influxdb', store]] as const) {
        let t = performance.now();
        let n = 0;
        for (const s of series) n += (await st.readings({ ...s, quantity: s.quantity as 'energy_kwh', fromMs: from, toMs: to })).length;
        const seq = performance.now() - t;
        t = performance.now();
        await Promise.all(series.map((s) => st.readings({ ...s, quantity: s.quantity as 'energy_kwh', fromMs: from, toMs: to })));
        line.push(`${label} ${n} readings of ${series.length} series-years one by one ${Math.round(seq)} ms, all at once ${Math.round(performance.now() - t)} ms`);
      }
      console.log(`raw floor, round ${round}: ${line.join('; ')}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    }
  } finally {
    await duck.stop();
    await dir.remove();
  }
} finally {
  await store.stop();
  await influxd.stop();
}
