import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { onTestFinished } from 'vitest';
import { createLogger, type Logger } from '../../../src/observability/logger.js';
import { readingKey, type Reading } from '../../../src/model/reading.js';
import type { ReadingWriter } from '../../../src/storage/port.js';
import { StoreRejectedError, StoreUnavailableError } from '../../../src/storage/errors.js';
import { DurableWriter, type DurableWriterOptions, type Timers } from '../../../src/storage/write-pipeline.js';

/**
 * A controllable fake of the narrow ReadingWriter port: it can be paused (writes wait for
 * release()), be unavailable, and refuse chosen readings for good, listing them or only
 * counting them. Like the real stores it is idempotent and keeps the commit order.
 */
export class FakeStore implements ReadingWriter {
  /** Every reading committed, in commit order (rewrites of an identity included). */
  readonly committed: Reading[] = [];
  readonly batchSizes: number[] = [];
  readonly byKey = new Map<string, Reading>();
  unavailable = false;
  rejectKeys = new Set<string>();
  listRejected = true;
  paused = false;
  /** False: count committed readings only (for bursts that must not fill the test's own memory). */
  retain = true;
  committedCount = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** Called at the start of each write, e.g. to sample the writer's status. */
  onWrite: (readings: readonly Reading[]) => void = () => {};
  private held: Array<() => void> = [];

  async write(readings: readonly Reading[]): Promise<void> {
    this.batchSizes.push(readings.length);
    this.onWrite(readings);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.paused) await new Promise<void>((resolve) => this.held.push(resolve));
      else await Promise.resolve();
      if (this.unavailable) throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:8086');
      const rejected = this.rejectKeys.size > 0 ? readings.filter((r) => this.rejectKeys.has(readingKey(r))) : [];
      for (const r of readings) {
        if (this.rejectKeys.size > 0 && this.rejectKeys.has(readingKey(r))) continue;
        this.committedCount += 1;
        if (!this.retain) continue;
        this.committed.push(r);
        this.byKey.set(readingKey(r), r);
      }
      if (rejected.length > 0) {
        throw new StoreRejectedError('partial write: points beyond retention policy dropped=' + rejected.length, rejected.length, this.listRejected ? rejected : undefined);
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Writes waiting because the store is paused. */
  get heldCount(): number {
    return this.held.length;
  }

  release(): void {
    this.paused = false;
    for (const resume of this.held.splice(0)) resume();
  }
}

/** Manual clock and timers: time moves only when advance() is called. */
export class ManualTimers implements Timers {
  nowMs = 1_700_000_000_000;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  readonly now = () => this.nowMs;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.nowMs + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.timers.filter((t) => t.at <= this.nowMs).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => t.at > this.nowMs);
    for (const t of due) t.callback();
  }
}

let counter = 0;
/** Distinct readings, in a recognisable order. */
export function makeReadings(n: number, device = 'tgbt'): Reading[] {
  return Array.from({ length: n }, () => ({ site: 'cleon-bureaux', device, quantity: 'power_w' as const, tsMs: 1_700_000_000_000 + counter++ * 1000, value: counter }));
}

/** A pino logger whose JSON lines are kept for assertions. */
export function captureLogger(): { logger: Logger; lines: Array<{ msg: string; level: number } & Record<string, unknown>> } {
  const lines: Array<{ msg: string; level: number } & Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

/**
 * A fresh data dir and a factory of writers on it; when the test finishes every writer is
 * stopped, then the dir is removed.
 */
export async function writerFixture(): Promise<{ dataDir: string; make: (options: Partial<DurableWriterOptions> & Pick<DurableWriterOptions, 'store'>) => DurableWriter }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sbe-write-pipeline-'));
  const writers: DurableWriter[] = [];
  onTestFinished(async () => {
    for (const w of writers) await w.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const make = (options: Partial<DurableWriterOptions> & Pick<DurableWriterOptions, 'store'>) => {
    const writer = new DurableWriter({ dataDir, logger: createLogger('silent'), retryBaseMs: 1, retryMaxMs: 5, ...options });
    writers.push(writer);
    return writer;
  };
  return { dataDir, make };
}

/** Polls a condition (no fixed sleeps), failing after timeoutMs. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function flushIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
