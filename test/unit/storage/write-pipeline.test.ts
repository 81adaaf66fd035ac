import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readingKey, type Reading } from '../../../src/model/reading.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { WriterStoppedError } from '../../../src/storage/write-pipeline.js';
import { FakeStore, ManualTimers, flushIo, makeReadings, waitFor, writerFixture } from './write-pipeline-fakes.js';

describe('DurableWriter: group commit', () => {
  it('merges the writes made while a store write is in flight into one batch, one write at a time', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.paused = true;
    const writer = make({ store });
    await writer.start();

    const first = writer.write(makeReadings(2));
    await waitFor(() => store.heldCount === 1, 2000, 'first batch in flight');
    const later = Array.from({ length: 100 }, () => writer.write(makeReadings(3)));
    await flushIo();
    expect(store.batchSizes).toEqual([2]); // nothing sent while the first write is in flight
    expect(writer.status().pendingReadings).toBe(302);

    store.release();
    await Promise.all([first, ...later]);
    expect(store.batchSizes).toEqual([2, 300]);
    expect(store.maxInFlight).toBe(1);
    expect(writer.status().pendingReadings).toBe(0);
  });

  it('flushes at once when idle: a lone write goes out without waiting for the linger', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    const timers = new ManualTimers();
    const writer = make({ store, timers, now: timers.now });
    await writer.start();
    await writer.write(makeReadings(1)); // would hang if it waited for the (never advanced) clock
    expect(store.batchSizes).toEqual([1]);
  });

  it('resolves each caller only once its own readings are committed', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    const writer = make({ store, maxBatchReadings: 7 });
    await writer.start();
    const calls = Array.from({ length: 40 }, (_, i) => makeReadings(1 + (i % 5)));
    const violations: string[] = [];
    await Promise.all(
      calls.map((readings, i) =>
        writer.write(readings).then(() => {
          for (const r of readings) if (!store.byKey.has(readingKey(r))) violations.push(`call ${i} resolved before ${r.tsMs} was committed`);
        }),
      ),
    );
    expect(violations).toEqual([]);
    expect(Math.max(...store.batchSizes)).toBeLessThanOrEqual(7);
    expect(store.committed).toEqual(calls.flat());
  });

  it('splits a write larger than maxBatchReadings and resolves it after its last part', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    const writer = make({ store, maxBatchReadings: 10 });
    await writer.start();
    const big = makeReadings(25);
    let resolved = false;
    store.paused = true;
    const done = writer.write(big).then(() => (resolved = true));
    await waitFor(() => store.heldCount === 1);
    store.paused = false;
    store.release();
    await done;
    expect(resolved).toBe(true);
    expect(store.batchSizes).toEqual([10, 10, 5]);
    expect(store.committed).toEqual(big);
  });

  it('with two writes allowed in flight, a small batch lingers until lingerMs then goes', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.paused = true;
    const timers = new ManualTimers();
    const writer = make({ store, timers, now: timers.now, maxInFlightBatches: 2, lingerMs: 1000, maxBatchReadings: 100 });
    await writer.start();
    void writer.write(makeReadings(1));
    await waitFor(() => store.heldCount === 1);
    const second = writer.write(makeReadings(4));
    await flushIo();
    timers.advance(999);
    await flushIo();
    expect(store.batchSizes).toEqual([1]);
    timers.advance(1);
    await waitFor(() => store.heldCount === 2, 2000, 'second batch after the linger');
    expect(store.batchSizes).toEqual([1, 4]);
    // A full batch does not wait for the linger.
    void writer.write(makeReadings(100));
    store.release();
    await second;
  });
});

describe('DurableWriter: backpressure', () => {
  it('keeps pending readings under maxPendingReadings through a 1M-reading burst into a slow store', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.retain = false;
    const limit = 20_000;
    const writer = make({ store, maxPendingReadings: limit, maxBatchReadings: 5000 });
    let maxPending = 0;
    let lastTsMs = -1;
    let outOfOrder = 0;
    store.onWrite = (batch) => {
      maxPending = Math.max(maxPending, writer.status().pendingReadings);
      for (const r of batch) {
        if (r.tsMs < lastTsMs) outOfOrder += 1;
        lastTsMs = r.tsMs;
      }
    };
    // Slow store: every write waits for the next turn of the event loop plus a timer.
    const slowWrite = store.write.bind(store);
    store.write = async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return slowWrite(r);
    };
    await writer.start();

    // The producer models a broker with 2,000 unacknowledged messages of 20 readings in flight:
    // 40,000 readings offered, twice the limit.
    const total = 1_000_000;
    const perMessage = 20;
    const window = 2000;
    let sent = 0;
    let acknowledged = 0;
    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    await new Promise<void>((resolve, reject) => {
      const sendOne = (): void => {
        if (sent >= total) return;
        const readings: Reading[] = [];
        for (let i = 0; i < perMessage; i++) readings.push({ site: 's', device: 'd', quantity: 'power_w', tsMs: sent + i, value: i });
        sent += perMessage;
        maxPending = Math.max(maxPending, writer.status().pendingReadings);
        writer.write(readings).then(() => {
          acknowledged += perMessage;
          if (acknowledged % 100_000 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
          if (acknowledged === total) resolve();
          else sendOne();
        }, reject);
      };
      for (let i = 0; i < window; i++) sendOne();
    });

    expect(acknowledged).toBe(total);
    expect(store.committedCount).toBe(total);
    expect(outOfOrder).toBe(0);
    expect(maxPending).toBeLessThanOrEqual(limit);
    expect(maxPending).toBeGreaterThan(limit / 2); // the limit was actually reached, not merely respected
    expect(Math.max(...store.batchSizes)).toBeLessThanOrEqual(5000);
    // 1M reading objects held at once would take well over 100 MB; the pipeline holds at most 20,000.
    expect(rssMax - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });

  it('makes write() wait, in order, once the limit is reached, and go on as readings become durable', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.paused = true;
    const writer = make({ store, maxPendingReadings: 10 });
    await writer.start();
    const order: number[] = [];
    const a = writer.write(makeReadings(6)).then(() => order.push(1));
    const b = writer.write(makeReadings(4)).then(() => order.push(2));
    const c = writer.write(makeReadings(5)).then(() => order.push(3)); // would make 15 > 10: waits
    await waitFor(() => store.heldCount === 1);
    expect(writer.status().pendingReadings).toBe(10);
    store.release();
    await Promise.all([a, b, c]);
    expect(order).toEqual([1, 2, 3]);
    expect(store.batchSizes).toEqual([10, 5]);
  });
});

describe('DurableWriter: rejected readings', () => {
  const deadLetters = async (dataDir: string) =>
    (await readFile(join(dataDir, 'dead-letter.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { at: string; atMs: number; reason: string; reading: Reading });

  it('dead-letters the readings the store lists, stores the rest and resolves the callers', async () => {
    const { dataDir, make } = await writerFixture();
    const store = new FakeStore();
    const metrics = createMetrics();
    const writer = make({ store, metrics, now: () => 1_763_800_000_000 });
    await writer.start();
    const readings = makeReadings(10);
    store.rejectKeys = new Set([readingKey(readings[3] as Reading), readingKey(readings[7] as Reading)]);
    await writer.write(readings);

    const lines = await deadLetters(dataDir);
    expect(lines.map((l) => l.reading)).toEqual([readings[3], readings[7]]);
    expect(lines[0]?.reason).toMatch(/beyond retention policy/);
    expect(lines[0]?.at).toBe(new Date(1_763_800_000_000).toISOString());
    expect(store.byKey.size).toBe(8);
    expect(writer.status().deadLetters).toBe(2);
    expect((await metrics.readingsStored.get()).values[0]?.value).toBe(8);
  });

  it('finds rejected readings by rewriting halves when the store only counts them', async () => {
    const { dataDir, make } = await writerFixture();
    const store = new FakeStore();
    store.listRejected = false;
    const writer = make({ store });
    await writer.start();
    const readings = makeReadings(100);
    const bad = [readings[0], readings[41], readings[42], readings[99]] as Reading[];
    store.rejectKeys = new Set(bad.map(readingKey));
    await writer.write(readings);

    expect((await deadLetters(dataDir)).map((l) => l.reading)).toEqual(bad);
    expect(store.byKey.size).toBe(96);
    expect(writer.status().deadLetters).toBe(4);
    // Bisection, not one write per reading.
    expect(store.batchSizes.length).toBeLessThan(40);
  });
});

describe('DurableWriter: stop()', () => {
  it('flushes everything pending to the store, refuses later writes, and is safe twice', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.paused = true;
    const writer = make({ store });
    await writer.start();
    const writes = Array.from({ length: 20 }, () => writer.write(makeReadings(5)));
    await waitFor(() => store.heldCount === 1);
    let stopped = false;
    const stopping = writer.stop().then(() => (stopped = true));
    await expect(writer.write(makeReadings(1))).rejects.toBeInstanceOf(WriterStoppedError);
    await flushIo();
    expect(stopped).toBe(false);
    store.release();
    await stopping;
    await Promise.all(writes);
    expect(store.byKey.size).toBe(100);
    await writer.stop();
    expect(writer.status().pendingReadings).toBe(0);
  });

  it('flushes to the spool when the store is down, and the next run replays it', async () => {
    const { make } = await writerFixture();
    const store = new FakeStore();
    store.unavailable = true;
    const first = make({ store });
    await first.start();
    const readings = makeReadings(30);
    const writes = [first.write(readings.slice(0, 10)), first.write(readings.slice(10))];
    await first.stop();
    await Promise.all(writes);
    expect(store.byKey.size).toBe(0);
    expect(first.status().spoolReadings).toBe(30);

    store.unavailable = false;
    const second = make({ store });
    await second.start();
    await waitFor(() => second.status().replayedReadings === 30, 5000, 'replay');
    expect(store.committed).toEqual(readings);
    expect(second.status().replayedReadings).toBe(30);
  });
});
