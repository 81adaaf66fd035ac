/**
 * Micro-benchmark of the durable write pipeline's own overhead (not a test).
 *   npm run bench:write --  [readings=2000000] [perMessage=10] [window=5000]
 * 1. An instant in-memory store: readings/s through write() -> batch -> store -> resolve.
 * 2. The store unavailable: readings/s acknowledged from the fsynced spool (this disk).
 * 3. Replay of that spool into the instant store.
 * `window` models the broker's unacknowledged QoS 1 messages in flight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import type { Reading } from '../../src/model/reading.js';
import type { ReadingWriter } from '../../src/storage/port.js';
import { StoreUnavailableError } from '../../src/storage/errors.js';
import { DurableWriter } from '../../src/storage/write-pipeline.js';

const total = Number(process.argv[2] ?? 2_000_000);
const perMessage = Number(process.argv[3] ?? 10);
const window = Number(process.argv[4] ?? 5000);

class InstantStore implements ReadingWriter {
  stored = 0;
  batches = 0;
  down = false;
  async write(readings: readonly Reading[]): Promise<void> {
    if (this.down) throw new StoreUnavailableError('bench: store down');
    this.stored += readings.length;
    this.batches += 1;
  }
}

async function pump(writer: DurableWriter, count: number, t0: number): Promise<number> {
  const started = performance.now();
  let sent = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const sendOne = (): void => {
      if (sent >= count) return;
      const base = sent;
      sent += perMessage;
      const readings: Reading[] = [];
      for (let i = 0; i < perMessage; i++) readings.push({ site: 'bench', device: `d${base % 97}`, quantity: 'power_w', tsMs: t0 + base + i, value: i });
      writer.write(readings).then(() => {
        done += perMessage;
        if (done >= count) resolve();
        else sendOne();
      }, reject);
    };
    for (let i = 0; i < window; i++) sendOne();
  });
  return (performance.now() - started) / 1000;
}

const dataDir = await mkdtemp(join(tmpdir(), 'sbe-bench-write-'));
try {
  const store = new InstantStore();
  const writer = new DurableWriter({ store, dataDir, logger: createLogger('error'), retryBaseMs: 5, retryMaxMs: 50 });
  await writer.start();
  const rss0 = process.memoryUsage().rss;
  const seconds = await pump(writer, total, 0);
  const rss1 = process.memoryUsage().rss;
  console.log(`instant store: ${total} readings in ${seconds.toFixed(2)} s = ${Math.round(total / seconds).toLocaleString('en')} readings/s, ${store.batches} batches (mean ${Math.round(store.stored / store.batches)}), RSS +${Math.round((rss1 - rss0) / 1e6)} MB`);

  const spooled = Math.min(total, 500_000);
  store.down = true;
  const spoolSeconds = await pump(writer, spooled, 1e12);
  const bytes = writer.status().spoolBytes;
  console.log(`store down, to the fsynced spool: ${spooled} readings in ${spoolSeconds.toFixed(2)} s = ${Math.round(spooled / spoolSeconds).toLocaleString('en')} readings/s, ${(bytes / spooled).toFixed(1)} bytes/reading on disk`);

  const replayStart = performance.now();
  const before = store.stored;
  store.down = false;
  while (writer.status().spoolReadings > 0) await new Promise((r) => setTimeout(r, 5));
  const replaySeconds = (performance.now() - replayStart) / 1000;
  console.log(`replay into the instant store: ${store.stored - before} readings in ${replaySeconds.toFixed(2)} s = ${Math.round((store.stored - before) / replaySeconds).toLocaleString('en')} readings/s`);
  await writer.stop();
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
