import { readdir } from 'node:fs/promises';
import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { SpoolFileSystem } from '../../src/storage/spool/spool.js';
import { DurableWriter } from '../../src/storage/write-pipeline.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { FakeStore } from '../unit/api/fake-store.js';
import { harness } from '../unit/api/helpers.js';
import { buildTestConfig, SECRETS } from '../unit/ingest/fixture-config.js';
import { FakeStore as FakeWriteStore } from '../unit/storage/write-pipeline-fakes.js';

// Disk full under the spool (issue 11 point 6), simulated at the spool's file boundary: the real
// files are created in a temp dir, and every write or fsync fails with ENOSPC while `full` is set,
// as they would on a full file system (open(2) of a new file can still succeed there).
// No tmpfs: mounting one needs CAP_SYS_ADMIN, which a test should not rely on.

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}

class FullDisk implements SpoolFileSystem {
  full = false;
  opened = 0;
  closed = 0;
  mkdir = (path: string, options: { recursive: true }) => nodeFs.mkdir(path, options);
  readdir = (path: string) => nodeFs.readdir(path);
  readFile = (path: string) => nodeFs.readFile(path);
  truncate = (path: string, length: number) => nodeFs.truncate(path, length);
  unlink = (path: string) => nodeFs.unlink(path);
  open = async (path: string, flags: string): Promise<FileHandle> => {
    const handle = await nodeFs.open(path, flags);
    this.opened += 1;
    const isFull = () => this.full;
    const countClose = () => (this.closed += 1);
    // The real handle, with write and sync failing while the disk is full.
    return new Proxy(handle, {
      get(target, prop, receiver) {
        if ((prop === 'write' || prop === 'sync') && isFull()) return async () => Promise.reject(enospc());
        if (prop === 'close') return async () => (countClose(), target.close());
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('ENOSPC on the spool', () => {
  it('stops acknowledging, says down, leaks no handle or file per retry, and resumes once there is space', async () => {
    const tmp: TempDir = await createTempDir('sbe-enospc-');
    cleanups.push(() => tmp.remove());
    const disk = new FullDisk();
    const store = new FakeWriteStore();
    store.unavailable = true; // the store is down: everything goes to the spool
    const writer = new DurableWriter({ store, dataDir: tmp.path, logger: pino({ level: 'silent' }), spoolFs: disk, retryBaseMs: 5, retryMaxMs: 20 });
    await writer.start();
    cleanups.push(() => writer.stop());
    const ingest = new IngestService({
      config: await buildTestConfig(),
      settings: { MQTT_HOST: '127.0.0.1', MQTT_PORT: 0, MQTT_URL: undefined, MQTT_CLIENT_ID: 'unused' },
      writer,
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      now: () => Date.now(),
    });
    await ingest.start();
    cleanups.push(() => ingest.stop());
    const device = await connectClient(`mqtt://127.0.0.1:${ingest.brokerAddress()?.port}`, { username: 'site-a/meter', password: SECRETS['site-a/meter'] });
    cleanups.push(() => endClient(device));
    const api = await harness({ writer, ingest: { status: () => ingest.status(), rejections: () => [] } }, Object.assign(new FakeStore(), { healthImpl: async () => ({ ok: false, kind: 'duckdb' as const, detail: 'down', lastReadingMs: null }) }));

    await publishQos1(device, 'sites/site-a/devices/meter/power_w', '1'); // spooled: the disk has room
    const spoolDir = join(tmp.path, 'spool');
    const filesBefore = await readdir(spoolDir);
    const fdsBefore = (await readdir('/proc/self/fd')).length;

    disk.full = true;
    let acked = false;
    const pending = publishQos1(device, 'sites/site-a/devices/meter/power_w', '2').then(() => (acked = true));
    await waitUntil(() => writer.status().spoolWritable === false, 10_000, 'the spool to report it cannot write');
    const retriesFrom = disk.opened;
    // Let it retry for a while (5-20 ms backoff: dozens of attempts).
    await new Promise((r) => setTimeout(r, 1500));
    expect(acked).toBe(false);
    // lastError is the latest failure: the spool's, or the replay loop's try of the (down) store.
    expect(writer.status()).toMatchObject({ acknowledging: false, spoolWritable: false, lastError: expect.stringMatching(/^(spool-disk-full|store-unavailable)$/) });
    const res = await api.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'down', writePath: { spoolWritable: false, lastError: expect.stringMatching(/^(spool-disk-full|store-unavailable)$/) } });
    expect(res.body).not.toContain('no space left'); // a code, not the error text
    // Every retry opened a segment and a directory; each was closed, and no empty file stayed.
    expect(disk.opened - retriesFrom).toBeGreaterThan(10);
    expect(disk.opened - disk.closed).toBeLessThanOrEqual(1); // at most the segment open before the disk filled
    // At most the file of the attempt in flight at the moment of looking; none accumulate.
    for (let i = 0; i < 5; i++) {
      const files = await readdir(spoolDir);
      expect(files.filter((f) => !filesBefore.includes(f)).length).toBeLessThanOrEqual(1);
      expect(files).toEqual(expect.arrayContaining(filesBefore));
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await readdir('/proc/self/fd')).length).toBeLessThanOrEqual(fdsBefore + 2);

    disk.full = false;
    await pending;
    expect(writer.status()).toMatchObject({ acknowledging: true, spoolWritable: true, spoolReadings: 2 });
    const after = await api.app.inject({ url: '/api/health' });
    expect(after.json()).toMatchObject({ writePath: { spoolWritable: true } });
  }, 60_000);
});
