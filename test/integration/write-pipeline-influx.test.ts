import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import type { Reading } from '../../src/model/reading.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import { DurableWriter, type DurableWriterOptions } from '../../src/storage/write-pipeline.js';
import { freePort, startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';

/**
 * The durable write path against a real influxd (Debian 1.6.7, random loopback ports):
 * kill -9 of the database mid-stream, kill -9 of our own process mid-spool, and points
 * InfluxDB refuses for good (beyond the retention policy).
 */
const MINUTE_MS = 60_000;

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const series = (site: string, n: number, t0: number): Reading[] =>
  Array.from({ length: n }, (_, i) => ({ site, device: 'd', quantity: 'power_w', tsMs: t0 + i * 1000, value: i / 4 }));

describe('DurableWriter over a real InfluxDB', () => {
  let influxd: InfluxdHandle;
  let dataDir: string;
  const t0 = Date.now() - 30 * MINUTE_MS - ((Date.now() - 30 * MINUTE_MS) % 1000);

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.stop();
  });

  const openWriter = async (options: Partial<DurableWriterOptions> & { retention?: string } = {}) => {
    dataDir = await mkdtemp(join(tmpdir(), 'sbe-write-pipeline-it-'));
    const store = new InfluxStore({ url: influxd.url, database: 'energy', retention: options.retention ?? 'INF', requestTimeoutMs: 2000 });
    await store.start();
    const writer = new DurableWriter({ store, dataDir, logger: createLogger('silent'), retryBaseMs: 20, retryMaxMs: 200, ...options });
    await writer.start();
    onTestFinished(async () => {
      await writer.stop();
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    return { store, writer };
  };

  it('acknowledges from the spool through a kill -9 of influxd and replays everything after its restart', async () => {
    const { store, writer } = await openWriter();
    const all = series('outage', 15_000, t0);
    const send = (readings: Reading[]) => Promise.all(Array.from({ length: readings.length / 10 }, (_, i) => writer.write(readings.slice(i * 10, i * 10 + 10))));

    await send(all.slice(0, 5000));
    expect(writer.status().storeUp).toBe(true);
    await influxd.kill9();
    await send(all.slice(5000, 10_000)); // resolves: fsynced to the spool
    expect(writer.status()).toMatchObject({ storeUp: false, spoolReadings: 5000 });

    await influxd.restart();
    await send(all.slice(10_000)); // behind any still spooled (the replay may already have drained them)
    await waitFor(() => writer.status().spoolReadings === 0, 30_000, 'spool drained');
    expect(writer.status().storeUp).toBe(true);
    expect(writer.status().replayedReadings).toBeGreaterThanOrEqual(5000);
    const stored = await store.readings({ site: 'outage', device: 'd', quantity: 'power_w', fromMs: t0, toMs: t0 + 15_000_000 });
    expect(stored.map((r) => [r.tsMs, r.value])).toEqual(all.map((r) => [r.tsMs, r.value]));
  });

  it('replays the spool of a writer process killed with SIGKILL: every acknowledged reading is stored', async () => {
    const { store, writer } = await openWriter({ retryBaseMs: 5 });
    await writer.stop(); // only its data dir is used here, by the child then by a new writer
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./write-pipeline-crash-child.ts', import.meta.url)), dataDir, deadUrl, String(t0)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Set<number>();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ack ')) acked.add(Number(line.slice(4)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor(() => acked.size >= 2000 || child.exitCode !== null, 45_000, `2000 acks from the child (stderr: ${stderr})`);
    } finally {
      child.kill('SIGKILL'); // mid-append, most likely: no flush, no stop()
    }
    await exited;
    expect(acked.size).toBeGreaterThanOrEqual(2000);

    const restarted = new DurableWriter({ store, dataDir, logger: createLogger('silent'), retryBaseMs: 20, retryMaxMs: 200 });
    onTestFinished(() => restarted.stop());
    await restarted.start();
    expect(restarted.status().spoolReadings).toBeGreaterThanOrEqual(acked.size * 10);
    await waitFor(() => restarted.status().spoolReadings === 0, 30_000, 'replay of the crashed spool');
    const highest = Math.max(...acked);
    const stored = await store.readings({ site: 'crash', device: 'd', quantity: 'power_w', fromMs: t0, toMs: t0 + (highest + 1) * 10_000 });
    const storedMessages = new Map<number, number>();
    for (const r of stored) storedMessages.set(r.value, (storedMessages.get(r.value) ?? 0) + 1);
    const missing = [...acked].filter((n) => storedMessages.get(n) !== 10);
    expect(missing).toEqual([]);
  });

  it('dead-letters the points InfluxDB drops as beyond the retention policy, and stores the rest', async () => {
    const { store, writer } = await openWriter({ retention: '1h' });
    const recent = series('retention', 40, Date.now() - 10 * MINUTE_MS);
    const old = series('retention', 3, Date.now() - 3 * 60 * MINUTE_MS);
    const batch = [...recent.slice(0, 20), old[0], ...recent.slice(20), old[1], old[2]] as Reading[];
    await writer.write(batch);

    const lines = (await readFile(join(dataDir, 'dead-letter.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { reading: Reading; reason: string });
    expect(lines.map((l) => l.reading.tsMs).sort()).toEqual(old.map((r) => r.tsMs).sort());
    expect(lines[0]?.reason).toContain('points beyond retention policy');
    expect(writer.status().deadLetters).toBe(3);
    expect(await store.count({ site: 'retention' })).toBe(40);
  });
});
