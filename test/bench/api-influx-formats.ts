/**
 * Probe (issue 13 point 6): does influxd 1.6.7 answer a year of raw readings faster in CSV or
 * MessagePack than in JSON? Times the same statements with each Accept header, and curl beside.
 *   npx tsx test/bench/api-influx-formats.ts [--sites 20]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import { startInfluxd } from '../helpers/influxd.js';
import { benchSites, fillBenchStore } from './api/fixture.js';

const { values: args } = parseArgs({ options: { sites: { type: 'string', default: '20' } } });
const sites = benchSites(Number(args.sites));
const influxd = await startInfluxd();
const store = new InfluxStore({ url: influxd.url, database: 'bench', retention: 'INF' });
try {
  await store.start();
  await fillBenchStore(store, sites);
  const from = Date.parse('2016-01-01T00:00:00Z') - 3_600_000;
  const to = Date.parse('2017-01-01T00:00:00Z') + 6 * 3_600_000;
  const one = (site: string, device: string, quantity: string) =>
    `SELECT "value", "ts_from_server" FROM "readings" WHERE "site" = '${site}' AND "device" = '${device}' AND "quantity" = '${quantity}' AND time >= ${from}ms AND time < ${to}ms`;
  const statements = sites.flatMap((s) => [one(s.id, 'meter', 'energy_kwh'), one(s.id, 'weather', 'temperature_c')]);
  const post = async (accept: string, qs: string[]) => {
    const t0 = performance.now();
    const res = await fetch(`${influxd.url}/query?db=bench&epoch=ms`, { method: 'POST', headers: { accept, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ q: qs.join(';\n') }) });
    const buf = Buffer.from(await res.arrayBuffer());
    const tBody = performance.now() - t0;
    return { status: res.status, type: res.headers.get('content-type'), bytes: buf.length, ms: tBody, buf };
  };
  console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (let round = 0; round < 3; round++) {
    const line: string[] = [];
    for (const accept of ['application/json', 'application/csv', 'application/x-msgpack']) {
      const r = await post(accept, statements);
      let parseMs = 0;
      if (accept === 'application/json') {
        const t = performance.now();
        JSON.parse(r.buf.toString('utf8'));
        parseMs = performance.now() - t;
      } else if (accept === 'application/csv') {
        const t = performance.now();
        const text = r.buf.toString('utf8');
        let n = 0;
        for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++;
        parseMs = performance.now() - t;
        void n;
      }
      line.push(`${accept} HTTP ${r.status} ${r.type} ${(r.bytes / 1e6).toFixed(1)} MB in ${Math.round(r.ms)} ms${parseMs ? ` (+ ${Math.round(parseMs)} ms to parse/split)` : ''}`);
    }
    // Two calls of half the statements at once (influxd runs a call's statements one after another).
    const half = Math.ceil(statements.length / 2);
    let t = performance.now();
    await Promise.all([post('application/json', statements.slice(0, half)), post('application/json', statements.slice(half))]);
    line.push(`JSON in 2 parallel calls ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    await Promise.all([post('application/csv', statements.slice(0, half)), post('application/csv', statements.slice(half))]);
    line.push(`CSV in 2 parallel calls ${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    await Promise.all(Array.from({ length: 4 }, (_, k) => post('application/csv', statements.slice((k * statements.length) / 4, ((k + 1) * statements.length) / 4))));
    line.push(`CSV in 4 parallel calls ${Math.round(performance.now() - t)} ms`);
    console.log(`round ${round}: ${line.join('; ')}`);
  }
  // curl, outside Node, for the one-call JSON and CSV.
  for (const accept of ['application/json', 'application/csv']) {
    const out = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}', '-H', `Accept: ${accept}`, '--data-urlencode', `q=${statements.join(';\n')}`, `${influxd.url}/query?db=bench&epoch=ms`]).toString();
    console.log(`curl ${accept}: ${out}`);
  }
  console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  await store.stop();
  await influxd.stop();
}
