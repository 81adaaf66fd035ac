/**
 * What the store calls of a cold comparison cost InfluxDB (issue 13, point 6): the bench:api year
 * imported by the CLI, then the rollups read in several forms (per series or per byte?) and the
 * series marks of the whole check grouped by several windows, each timed with influxd's CPU.
 *   npx tsx test/bench/api-influx-check-variants.ts [--sites 20]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startInfluxd } from '../helpers/influxd.js';
import { createTempDir } from '../helpers/tmp.js';
import { benchSites } from './api/fixture.js';
import { importBenchYear } from './api/import-case.js';

const { values: args } = parseArgs({ options: { sites: { type: 'string', default: '20' } } });
const sites = benchSites(Number(args.sites));
const influxd = await startInfluxd();
const dir = await createTempDir('sbe-bench-rollup-variants-');
const cpu = () => {
  const f = readFileSync(`/proc/${influxd.pid()}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const q = async (statements: string[], db = 'bench_import_rollups') => {
  const c0 = cpu();
  const t0 = performance.now();
  const res = await fetch(`${influxd.url}/query?db=${db}&epoch=ms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ q: statements.join(';\n') }) });
  const body = await res.text();
  const parsed = JSON.parse(body) as { results: Array<{ series?: unknown[]; error?: string }> };
  if (parsed.results.some((r) => r.error)) throw new Error(body.slice(0, 300));
  return `${Math.round(performance.now() - t0)} ms, influxd CPU ${cpu() - c0} ms, ${(body.length / 1e6).toFixed(2)} MB, ${parsed.results.reduce((s, r) => s + (r.series?.length ?? 0), 0)} series`;
};
try {
  await importBenchYear(dir, sites, { INFLUX_URL: influxd.url, INFLUX_DB: 'bench_import', INFLUX_RETENTION: 'INF' });
  const names = await q(['SHOW TAG VALUES FROM "analytics_rollups" WITH KEY = "name"']);
  console.log(`tag values of name: ${names}`);
  const perSite = (fields: string, group = 'GROUP BY "name", "part"') => sites.map((s) => `SELECT ${fields} FROM "analytics_rollups" WHERE "site" = '${s.id}' AND ("name" =~ /^[cbt]\\|/) ${group}`);
  const from = Date.parse('2016-01-01T00:00:00Z') - 86_400_000;
  const to = Date.parse('2017-01-01T00:00:00Z') + 86_400_000;
  const marks = (aggs: string, group: string) =>
    sites.flatMap((s) => [['meter', 'energy_kwh'], ['weather', 'temperature_c']].map(([d, qn]) => `SELECT ${aggs} FROM "readings" WHERE "site" = '${s.id}' AND "device" = '${d}' AND "quantity" = '${qn}' AND time >= ${from}ms AND time < ${to}ms ${group}`));
  // As the store sends them (influx-store.ts selectBatches): two calls of half the statements, at once.
  const halves = async (statements: string[]) => {
    const half = Math.ceil(statements.length / 2);
    const c0 = cpu();
    const t0 = performance.now();
    await Promise.all([q(statements.slice(0, half), 'bench_import'), q(statements.slice(half), 'bench_import')]);
    return `${Math.round(performance.now() - t0)} ms, influxd CPU ${cpu() - c0} ms`;
  };
  for (let round = 0; round < 3; round++) {
    console.log(`round ${round}`);
    for (const group of ['GROUP BY time(1d) fill(none)', 'GROUP BY time(7d) fill(none)', 'GROUP BY time(31d) fill(none)', '']) {
      console.log(`  series marks count+mean ${(group || 'no GROUP BY').padEnd(30)} ${await halves(marks('count("value") AS "count", mean("value") AS "mean"', group))}`);
    }
    console.log(`  series marks count only 1d                              ${await halves(marks('count("value") AS "count"', 'GROUP BY time(1d) fill(none)'))}`);
    console.log(`  series marks count+sum 1d                               ${await halves(marks('count("value") AS "count", sum("value") AS "sum"', 'GROUP BY time(1d) fill(none)'))}`);
    console.log(`  mark+payload per site, GROUP BY name, part, one call:   ${await q(perSite('"mark", "payload"'))}`);
    console.log(`  mark only, same:                                         ${await q(perSite('"mark"'))}`);
    console.log(`  mark+payload+name+part as columns, no GROUP BY:          ${await q(perSite('"mark", "payload", "name", "part"', ''))}`);
    console.log(`  headers only (part = 'header'):                          ${await q(sites.map((s) => `SELECT "mark", "payload" FROM "analytics_rollups" WHERE "site" = '${s.id}' AND "part" = 'header' GROUP BY "name", "part"`))}`);
  }
} finally {
  await dir.remove();
  await influxd.stop();
}
