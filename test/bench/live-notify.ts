/**
 * What relaying live values through PostgreSQL LISTEN/NOTIFY costs (src/cluster/live-relay.ts):
 * two relays on Debian's postgres, B told of stored readings at a given rate over distinct series
 * (as its share of a shared subscription), A delivering them to its hub. Prints, per rate, the
 * NOTIFYs per second, payload bytes per second, WAL bytes per second written by PostgreSQL, and the
 * delay from B's "stored" to A's delivery (which includes the 100 ms fold).
 * Run: npx tsx test/bench/live-notify.ts
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { LiveRelay } from '../../src/cluster/live-relay.js';
import { EventBus } from '../../src/events/event-bus.js';
import type { Reading } from '../../src/model/reading.js';
import { createLogger } from '../../src/observability/logger.js';
import { startPostgres } from '../helpers/postgres.js';

const logger = createLogger('silent');
const RATES = [100, 1_000, 10_000]; // readings stored per second by instance B
const SERIES = 20_000; // distinct (device, quantity) pairs: 10,000 devices with 2 quantities
const SECONDS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

function postgresCpuMs(port: number): number {
  // Every backend and auxiliary process of this server: utime + stime from /proc (ticks of 10 ms).
  const pids = execFileSync('pgrep', ['-f', '--', `-p ${port} `], { encoding: 'utf8' }).trim().split('\n');
  const children = pids.flatMap((p) => { try { return execFileSync('pgrep', ['-P', p], { encoding: 'utf8' }).trim().split('\n'); } catch { return []; } });
  let ticks = 0;
  for (const pid of new Set([...pids, ...children])) {
    try {
      const f = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // ended meanwhile
    }
  }
  return ticks * 10;
}

const server = await startPostgres();
try {
  const url = await server.createDatabase('live_bench');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const lsn = async () => BigInt(String((await admin.query("SELECT pg_current_wal_lsn() - '0/0' AS b")).rows[0].b));
  console.log(`live relay through LISTEN/NOTIFY, postgres ${(await admin.query('SHOW server_version')).rows[0].server_version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const rate of RATES) {
    const busB = new EventBus();
    const sentAt = new Map<string, number>();
    const delays: number[] = [];
    let delivered = 0;
    const a = new LiveRelay({ connectionString: url, instance: 'a', events: new EventBus(), logger, deliver: (rs) => {
      const now = performance.now();
      for (const r of rs) {
        delivered += 1;
        const t = sentAt.get(`${r.device}/${r.tsMs}`);
        if (t !== undefined) delays.push(now - t);
      }
    } });
    const b = new LiveRelay({ connectionString: url, instance: 'b', events: busB, logger, deliver: () => undefined });
    await a.start();
    await b.start();
    const wal0 = await lsn();
    const cpu0 = postgresCpuMs(server.port);
    const started = performance.now();
    let n = 0;
    // Batches every 20 ms, as the durable writer's commits would come.
    while (performance.now() - started < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate) - n;
      const batch: Reading[] = [];
      for (let k = 0; k < due; k++, n++) {
        const r: Reading = { site: `site-${n % 500}`, device: `compteur-${n % SERIES}`, quantity: 'power_w', tsMs: Date.UTC(2026, 11, 1) + n, value: n % 997 };
        sentAt.set(`${r.device}/${r.tsMs}`, performance.now());
        batch.push(r);
      }
      if (batch.length > 0) busB.emit('readingsStored', { readings: batch });
      await sleep(20);
    }
    const elapsedS = (performance.now() - started) / 1000;
    await sleep(1_000);
    const wal = Number((await lsn()) - wal0);
    const cpu = postgresCpuMs(server.port) - cpu0;
    await b.stop();
    await a.stop();
    console.log(
      `${rate} readings/s stored by B: ${(b.counts.sent / elapsedS).toFixed(1)} payloads/s, ${delivered} values delivered to A of ${n} (latest per series per 100 ms), ` +
        `WAL ${(wal / elapsedS / 1024).toFixed(1)} KiB/s, postgres CPU ${((cpu / (elapsedS * 1000)) * 100).toFixed(1)} % of a core, ` +
        `stored -> delivered p50 ${pct(delays, 50).toFixed(0)} ms, p99 ${pct(delays, 99).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms`,
    );
  }
  await admin.end();
} finally {
  await server.stop();
}
