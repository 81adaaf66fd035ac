/**
 * Child process for write-pipeline-influx.test.ts: a DurableWriter whose InfluxDB is
 * unreachable, so every batch goes to the spool. It prints `ack <n>` once message n's
 * write() resolved (the point where ingest would PUBACK) and runs until it is SIGKILLed.
 * argv: dataDir, unreachable store URL, first timestamp (ms).
 */
import { createLogger } from '../../src/observability/logger.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import { DurableWriter } from '../../src/storage/write-pipeline.js';
import type { Reading } from '../../src/model/reading.js';

const [dataDir, url, t0Text] = process.argv.slice(2);
if (!dataDir || !url || !t0Text) throw new Error('usage: write-pipeline-crash-child <dataDir> <storeUrl> <t0Ms>');
const t0 = Number(t0Text);
const store = new InfluxStore({ url, database: 'energy', retention: 'INF', requestTimeoutMs: 1000 });
const writer = new DurableWriter({ store, dataDir, logger: createLogger('silent'), retryBaseMs: 50, retryMaxMs: 200 });
await writer.start();

export const READINGS_PER_MESSAGE = 10;
let next = 0;
const sendOne = (): void => {
  const n = next++;
  const readings: Reading[] = Array.from({ length: READINGS_PER_MESSAGE }, (_, i) => ({
    site: 'crash', device: 'd', quantity: 'power_w', tsMs: t0 + (n * READINGS_PER_MESSAGE + i) * 1000, value: n,
  }));
  writer.write(readings).then(() => {
    process.stdout.write(`ack ${n}\n`);
    sendOne();
  }, (err: unknown) => {
    process.stderr.write(`write ${n} failed: ${String(err)}\n`);
  });
};
// Like a broker with 50 unacknowledged QoS 1 messages in flight.
for (let i = 0; i < 50; i++) sendOne();
process.stdout.write('started\n');
