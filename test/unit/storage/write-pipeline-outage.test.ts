import { appendFile, cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readingKey, type Reading } from '../../../src/model/reading.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { FakeStore, captureLogger, flushIo, makeReadings, waitFor, writerFixture } from './write-pipeline-fakes.js';

describe('DurableWriter: store outage', () => {
  it('spools while the store is down, acknowledges from disk, and replays in the original order', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    const metrics = createMetrics();
    const writer = make({ store, metrics, maxBatchReadings: 50 });
    await writer.start();

    const before = makeReadings(20);
    await writer.write(before);
    store.unavailable = true;
    const during = Array.from({ length: 60 }, () => makeReadings(5));
    await Promise.all(during.map((r) => writer.write(r))); // resolve: durable on disk
    expect(writer.status()).toMatchObject({ storeUp: false, spoolReadings: 300, acknowledging: true });
    expect(writer.status().spoolBytes).toBeGreaterThan(0);
    expect((await metrics.spoolReadings.get()).values[0]?.value).toBe(300);
    expect(store.byKey.size).toBe(20);

    store.unavailable = false;
    const after = makeReadings(7);
    await writer.write(after); // written behind the spooled ones, not before them
    await waitFor(() => writer.status().replayedReadings === 307, 5000, 'spool drained');
    expect(store.committed).toEqual([...before, ...during.flat(), ...after]);
    expect(writer.status()).toMatchObject({ storeUp: true, replayedReadings: 307, spoolBytes: 0 });
    expect((await metrics.storeUp.get()).values[0]?.value).toBe(1);
  });

  it('replays the spool of a crashed run, dropping only a torn last record', async () => {
    const { dataDir, make } = await writerFixture();
    const store = new FakeStore();
    store.unavailable = true;
    const crashed = make({ store });
    await crashed.start();
    const readings = makeReadings(40);
    for (let i = 0; i < 40; i += 10) await crashed.write(readings.slice(i, i + 10));

    // "Crash": copy the spool as it is on disk while the first writer is still running,
    // then tear a record that was being appended when the power went.
    const copyDir = join(dataDir, 'after-crash');
    await cp(join(dataDir, 'spool'), join(copyDir, 'spool'), { recursive: true });
    const [segment] = await readdir(join(copyDir, 'spool'));
    await appendFile(join(copyDir, 'spool', segment as string), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 91, 91, 34]));

    const healthy = new FakeStore();
    const { logger, lines } = captureLogger();
    const restarted = make({ store: healthy, logger, dataDir: copyDir });
    await restarted.start();
    await waitFor(() => restarted.status().spoolReadings === 0, 5000, 'replay after restart');
    expect(healthy.committed).toEqual(readings);
    expect(lines.some((l) => l.msg.includes('torn') && l.droppedBytes === 11)).toBe(true);
    expect(await readdir(join(copyDir, 'spool'))).toEqual([]);
  });

  it('stops acknowledging when the spool is full, says so once, and resumes when space frees', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.unavailable = true;
    const { logger, lines } = captureLogger();
    // About 60 bytes per reading in the spool: 1,500 bytes hold a few batches of 5.
    const writer = make({ store, logger, spoolMaxBytes: 1500, retryBaseMs: 1, retryMaxMs: 2 });
    await writer.start();

    const acked: number[] = [];
    const batches = Array.from({ length: 12 }, () => makeReadings(5));
    const writes: Array<Promise<unknown>> = [];
    for (const [i, r] of batches.entries()) {
      writes.push(writer.write(r).then(() => acked.push(i)));
      await waitFor(() => acked.includes(i) || !writer.status().acknowledging, 5000, `write ${i} spooled or spool full`);
    }
    expect(writer.status().acknowledging).toBe(false);
    await flushIo();
    const ackedWhileFull = acked.length;
    expect(ackedWhileFull).toBe(5); // 5 records of ~274 bytes fit in 1,500; the 6th does not
    expect(writer.status().spoolBytes).toBeLessThanOrEqual(1500);
    expect(writer.status().pendingReadings).toBeGreaterThan(0);
    // Still full a while later: nothing more is acknowledged while the store is down.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(acked.length).toBe(ackedWhileFull);
    const fullWarnings = () => lines.filter((l) => l.level === 40 && l.msg.includes('spool full'));
    expect(fullWarnings()).toHaveLength(1);

    store.unavailable = false;
    await Promise.all(writes);
    await waitFor(() => writer.status().spoolReadings === 0, 5000, 'drained');
    expect(writer.status().acknowledging).toBe(true);
    expect(acked).toEqual([...Array(12).keys()]);
    expect(store.committed).toEqual(batches.flat());
    // One warning per transition: full, room again (the 30 readings queued meanwhile may fill it once more).
    const transitions = lines.filter((l) => l.level === 40 && /spool full|acknowledging messages again/.test(l.msg)).map((l) => (l.msg.includes('full') ? 'full' : 'again'));
    expect(transitions.length).toBeGreaterThanOrEqual(2);
    transitions.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'full' : 'again'));
    expect(transitions.at(-1)).toBe('again');
  });

  it('dead-letters rejected readings found during replay and keeps the rest', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.unavailable = true;
    store.listRejected = false;
    const writer = make({ store });
    await writer.start();
    const readings = makeReadings(16);
    await writer.write(readings);
    store.rejectKeys = new Set([readingKey(readings[5] as Reading)]);
    store.unavailable = false;
    await waitFor(() => writer.status().spoolReadings === 0, 5000, 'replay');
    expect(writer.status().deadLetters).toBe(1);
    expect(store.byKey.size).toBe(15);
  });

  it('stop() while a full spool holds a batch rejects only that batch (left with the broker)', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.unavailable = true;
    const writer = make({ store, spoolMaxBytes: 400 });
    await writer.start();
    const first = writer.write(makeReadings(5));
    await first;
    const second = writer.write(makeReadings(5));
    const secondOutcome = second.then(() => 'resolved', (err: Error) => err.message);
    await waitFor(() => !writer.status().acknowledging, 5000, 'spool full');
    await writer.stop();
    expect(await secondOutcome).toMatch(/spool full or failing/);
    expect(writer.status().spoolReadings).toBe(5);
  });
});
