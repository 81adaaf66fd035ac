/**
 * How long each step of DuckDbStore's write path holds the main thread (its synchronous part),
 * alone and while another connection runs reads: the compare-load profile (2026-12-01) had
 * `flushSync` and `DuckDBConnection.run` as the largest self times on the main thread.
 * Also the event loop's delay over the run (perf_hooks.monitorEventLoopDelay), with the staging
 * table filled by the appender or by an INSERT ... VALUES with parameters (--mode values).
 *   npx tsx test/bench/loop/write-sync-probe.ts [--batches 400] [--reads] [--size 4] [--mode appender|values|unnest|lists]
 */
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { BOOLEAN, DOUBLE, DuckDBInstance, LIST, VARCHAR, listValue } from '@duckdb/node-api';
import { createTempDir } from '../../helpers/tmp.js';
import { CREATE_READINGS, CREATE_STAGING, INSERT_LISTS, INSERT_STAGED, STAGING_TABLE } from '../../../src/storage/duckdb/schema.js';
import { stagingChunks } from '../../../src/storage/duckdb/staging.js';
import type { Reading } from '../../../src/model/reading.js';

const { values: a } = parseArgs({ options: { batches: { type: 'string', default: '400' }, reads: { type: 'boolean', default: false }, size: { type: 'string', default: '4' }, mode: { type: 'string', default: 'appender' } } });
const dir = await createTempDir('sbe-write-sync-');
const instance = await DuckDBInstance.create(join(dir.path, 'r.duckdb'));
const writer = await instance.connect();
const reader = await instance.connect();
await writer.run(CREATE_READINGS);
await writer.run(CREATE_STAGING);
// A year of hourly readings for 10 series, for the reads to scan.
await writer.run(`INSERT INTO readings SELECT 's' || (i % 10), 'd', 'energy_kwh', make_timestamptz(1451606400000000 + (i // 10) * 3600000000), i, false FROM range(87600) t(i)`);
let stop = false;
const readLoop = async () => {
  while (!stop) await reader.runAndReadAll(`SELECT site, time_bucket(INTERVAL '1 day', ts) d, sum(value) FROM readings GROUP BY ALL`);
};
const reads = a.reads ? readLoop() : Promise.resolve();
const steps = new Map<string, number[]>();
const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
  const t = performance.now();
  const p = f();
  (steps.get(name) ?? steps.set(name, []).get(name)!).push(performance.now() - t);
  return p;
};
let ts = Date.UTC(2017, 0, 1);
const lists = await writer.prepare(INSERT_LISTS);
const unnest = await writer.prepare(`INSERT INTO ${STAGING_TABLE} SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), unnest($6)`);
const size = Number(a.size);
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const t0 = performance.now();
const batchMs: number[] = [];
for (let b = 0; b < Number(a.batches); b++) {
  const batchStart = performance.now();
  const batch: Reading[] = Array.from({ length: size }, (_, i) => ({ site: 'live', device: 'tgbt', quantity: i % 2 ? 'power_w' : 'energy_kwh', tsMs: (ts += 20), value: b }));
  if (a.mode === 'lists') {
    // DuckDbStore's path for small batches that replace nothing: one statement, no staging.
    await timed('bind lists', () => lists.bind([listValue(batch.map((r) => r.site)), listValue(batch.map((r) => r.device)), listValue(batch.map((r) => r.quantity)), listValue(batch.map((r) => r.tsMs)), listValue(batch.map((r) => r.value)), listValue(batch.map((r) => r.tsFromServer === true))], [LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR), LIST(DOUBLE), LIST(DOUBLE), LIST(BOOLEAN)]));
    await timed('run lists', () => lists.run());
    batchMs.push(performance.now() - batchStart);
    continue;
  }
  await timed('DELETE staging', () => writer.run(`DELETE FROM ${STAGING_TABLE}`));
  if (a.mode === 'unnest') {
    await timed('bind lists', () => unnest.bind([listValue(batch.map((r) => r.site)), listValue(batch.map((r) => r.device)), listValue(batch.map((r) => r.quantity)), listValue(batch.map((r) => r.tsMs)), listValue(batch.map((r) => r.value)), listValue(batch.map((r) => r.tsFromServer === true))], [LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR), LIST(DOUBLE), LIST(DOUBLE), LIST(BOOLEAN)]));
    await timed('run unnest', () => unnest.run());
  } else if (a.mode === 'values') {
    const sql = `INSERT INTO ${STAGING_TABLE} VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`;
    await timed('INSERT VALUES', () => writer.run(sql, batch.flatMap((r) => [r.site, r.device, r.quantity, r.tsMs, r.value, r.tsFromServer === true])));
  } else {
    const appender = await timed('createAppender', () => writer.createAppender(STAGING_TABLE));
    for (const chunk of stagingChunks(batch)) appender.appendDataChunk(chunk);
    await timed('flushSync', () => appender.flushSync());
    await timed('closeSync', () => appender.closeSync());
  }
  await timed('BEGIN', () => writer.run('BEGIN TRANSACTION'));
  await timed('INSERT', () => writer.run(INSERT_STAGED));
  await timed('COMMIT', () => writer.run('COMMIT'));
  batchMs.push(performance.now() - batchStart);
}
const elapsedMs = performance.now() - t0;
loop.disable();
stop = true;
await reads;
const sortedBatchMs = [...batchMs].sort((x, y) => x - y);
const q = (p: number) => sortedBatchMs[Math.min(sortedBatchMs.length - 1, Math.floor(p * sortedBatchMs.length))]!.toFixed(1);
console.log(`mode ${a.mode}, ${a.batches} batches of ${size}${a.reads ? ', reads running' : ''}: ${(elapsedMs / Number(a.batches)).toFixed(2)} ms per batch (p50 ${q(0.5)} ms, p99 ${q(0.99)} ms); event-loop delay p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
const pct = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
for (const [name, xs] of steps) console.log(`${name.padEnd(16)} sync part: p50 ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms, total ${xs.reduce((t, x) => t + x, 0).toFixed(0)} ms`);
lists.destroySync();
unnest.destroySync();
writer.closeSync();
reader.closeSync();
instance.closeSync();
await dir.remove();
