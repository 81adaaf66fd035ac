import { Fifo } from '../lib/fifo.js';
import { join } from 'node:path';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Reading } from '../model/reading.js';
import type { ReadingWriter } from './port.js';
import type { WriteStatus } from './write-status.js';
import { StoreRejectedError } from './errors.js';
import { DeadLetterFile, isolateRejected } from './dead-letter.js';
import { spoolErrorCode, storeErrorCode } from './error-codes.js';
import { Spool, type SpoolFileSystem } from './spool/spool.js';
import { ReplayLoop, realTimers, type Timers } from './spool/replay-loop.js';

export type { Timers };

export interface DurableWriterOptions {
  /** The database adapter; only its write() is used. */
  store: ReadingWriter;
  /** DATA_DIR: the spool lives in `${dataDir}/spool`, dead letters in `${dataDir}/dead-letter.jsonl`. */
  dataDir: string;
  logger: Logger;
  metrics?: Metrics;
  /** Largest batch sent to the store. Default 5000. */
  maxBatchReadings?: number;
  /** Store writes in flight at once. Default 1; above 1, write order across batches is not guaranteed. */
  maxInFlightBatches?: number;
  /** Longest a reading waits for its batch to fill while another write is in flight. Default 1000 ms. */
  lingerMs?: number;
  /** Readings accepted but not yet durable beyond which write() waits (backpressure). Default 50,000. */
  maxPendingReadings?: number;
  /** SPOOL_MAX_MB in bytes. Default 512 MiB. */
  spoolMaxBytes?: number;
  spoolSegmentMaxBytes?: number;
  /** The spool's file boundary (tests inject a failing one); node:fs/promises by default. */
  spoolFs?: SpoolFileSystem;
  /** Replay backoff: first delay, doubled per failure, capped. Defaults 100 ms and 5000 ms. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  now?: () => number;
  timers?: Timers;
}

/** write() was called before start() or after stop(): the readings were not taken (do not acknowledge). */
export class WriterStoppedError extends Error {
  constructor(message = 'durable writer is not running') {
    super(message);
    this.name = 'WriterStoppedError';
  }
}

interface Ticket {
  remaining: number;
  resolve: () => void;
  reject: (err: Error) => void;
}
interface Part {
  readings: readonly Reading[];
  ticket: Ticket;
  acceptedMs: number;
}
interface Batch {
  readings: Reading[];
  parts: Array<{ ticket: Ticket; count: number }>;
}

/**
 * The durable write path between ingest and the store: "nothing acknowledged is ever lost".
 * write() resolves once ITS readings are committed by the store, or fsynced to the on-disk
 * spool when the store is unavailable (ingest acknowledges the QoS 1 message only then,
 * MQTT 3.1.1 §4.3.2, so until then the broker keeps it). Concurrent calls are merged into
 * batches (group commit); memory is bounded by backpressure; a full spool stops acknowledging.
 */
export class DurableWriter implements ReadingWriter {
  private readonly log: Logger;
  private readonly cfg: Required<Omit<DurableWriterOptions, 'metrics' | 'spoolFs'>> & Pick<DurableWriterOptions, 'metrics' | 'spoolFs'>;
  private readonly spool: Spool;
  private readonly replay: ReplayLoop;
  private readonly deadLetters: DeadLetterFile;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<void> | null = null;
  private readonly queue = new Fifo<Part>();
  private queuedReadings = 0;
  private readonly waiting = new Fifo<Part>();
  private pending = 0;
  private inFlight = 0;
  private dispatchQueued = false;
  private lingerTimer: unknown = null;
  private idleWaiters: Array<() => void> = [];
  private stopGate: { promise: Promise<void>; open: () => void } | null = null;
  private st = { storeUp: true, acknowledging: true, replayedReadings: 0, deadLetters: 0, lastWriteMs: null as number | null, lastWriteLatencyMs: null as number | null, lastError: null as string | null, spoolWritable: true };

  constructor(options: DurableWriterOptions) {
    this.cfg = {
      maxBatchReadings: 5000, maxInFlightBatches: 1, lingerMs: 1000, maxPendingReadings: 50_000,
      spoolMaxBytes: 512 * 1024 * 1024, spoolSegmentMaxBytes: 8 * 1024 * 1024, retryBaseMs: 100, retryMaxMs: 5000,
      now: Date.now, timers: realTimers, ...options,
    };
    this.log = options.logger.child({ module: 'write-pipeline' });
    this.spool = new Spool({ dir: join(options.dataDir, 'spool'), maxBytes: this.cfg.spoolMaxBytes, segmentMaxBytes: this.cfg.spoolSegmentMaxBytes, logger: options.logger, ...(options.spoolFs ? { fs: options.spoolFs } : {}) });
    this.deadLetters = new DeadLetterFile(join(options.dataDir, 'dead-letter.jsonl'), this.cfg.now);
    this.replay = new ReplayLoop({
      spool: this.spool, storeBatch: (r) => this.storeBatch(r), maxBatchReadings: this.cfg.maxBatchReadings,
      retryBaseMs: this.cfg.retryBaseMs, retryMaxMs: this.cfg.retryMaxMs, timers: this.cfg.timers, logger: options.logger,
      onReplayed: (n) => {
        this.st.replayedReadings += n;
        this.cfg.metrics?.spoolReplayedReadings.inc(n);
        this.updateGauges();
      },
    });
  }

  /** Opens the spool (cutting a torn tail) and starts replaying what a previous run left. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    await this.spool.open();
    await this.deadLetters.open();
    this.state = 'running';
    this.updateGauges();
    this.replay.kick();
  }

  write(readings: readonly Reading[]): Promise<void> {
    if (this.state !== 'running') return Promise.reject(new WriterStoppedError());
    if (readings.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const part: Part = { readings, ticket: { remaining: readings.length, resolve, reject }, acceptedMs: 0 };
      // Backpressure: FIFO, so a waiting caller is never overtaken; one oversized call still passes when nothing is pending.
      if (this.waiting.length > 0 || (this.pending > 0 && this.pending + readings.length > this.cfg.maxPendingReadings)) {
        this.waiting.push(part);
      } else {
        this.accept(part);
      }
    });
  }

  status(): WriteStatus {
    return {
      storeUp: this.st.storeUp, pendingReadings: this.pending, spoolReadings: this.spool.readings, spoolBytes: this.spool.bytes,
      spoolMaxBytes: this.spool.maxBytes, replaying: this.replay.active, replayedReadings: this.st.replayedReadings,
      acknowledging: this.st.acknowledging, deadLetters: this.st.deadLetters, lastWriteMs: this.st.lastWriteMs, lastWriteLatencyMs: this.st.lastWriteLatencyMs, lastError: this.st.lastError,
      spoolWritable: this.st.spoolWritable,
    };
  }

  /** Takes no new writes, flushes what is pending to the store or else the spool, then closes. Safe twice. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    for (const part of this.waiting.drain()) part.ticket.reject(new WriterStoppedError('durable writer stopped before taking these readings'));
    this.stopped().open();
    if (this.lingerTimer !== null) this.cfg.timers.clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.dispatch();
    if (this.queuedReadings > 0 || this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.replay.stop();
    await this.spool.close();
    await this.deadLetters.close();
    this.state = 'stopped';
    this.log.info({ spoolReadings: this.spool.readings }, 'durable writer stopped');
  }

  private accept(part: Part): void {
    part.acceptedMs = this.cfg.now();
    this.queue.push(part);
    this.queuedReadings += part.readings.length;
    this.pending += part.readings.length;
    // Runs once per message: only the gauge that changed (prom-client's set is not free).
    this.cfg.metrics?.pendingReadings.set(this.pending);
    // Coalesce every write() made in the same tick into one batch.
    if (!this.dispatchQueued) {
      this.dispatchQueued = true;
      queueMicrotask(() => {
        this.dispatchQueued = false;
        this.dispatch();
      });
    }
  }

  private dispatch(): void {
    while (this.queuedReadings > 0 && this.inFlight < this.cfg.maxInFlightBatches) {
      const lingerLeftMs = (this.queue.peek() as Part).acceptedMs + this.cfg.lingerMs - this.cfg.now();
      const sendNow = this.inFlight === 0 || this.queuedReadings >= this.cfg.maxBatchReadings || lingerLeftMs <= 0 || this.state !== 'running';
      if (!sendNow) {
        this.lingerTimer ??= this.cfg.timers.setTimeout(() => {
          this.lingerTimer = null;
          this.dispatch();
        }, lingerLeftMs);
        return;
      }
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.process(batch).finally(() => {
        this.inFlight -= 1;
        this.dispatch();
        if (this.queuedReadings === 0 && this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    }
  }

  private takeBatch(): Batch {
    const batch: Batch = { readings: [], parts: [] };
    while (this.queue.length > 0 && batch.readings.length < this.cfg.maxBatchReadings) {
      const part = this.queue.peek() as Part;
      const room = this.cfg.maxBatchReadings - batch.readings.length;
      const taken = part.readings.length <= room ? part.readings : part.readings.slice(0, room);
      if (taken === part.readings) this.queue.shift();
      else part.readings = part.readings.slice(room);
      for (const r of taken) batch.readings.push(r);
      batch.parts.push({ ticket: part.ticket, count: taken.length });
    }
    this.queuedReadings -= batch.readings.length;
    return batch;
  }

  /** Store, or spool while the spool holds anything (so order is kept) or the store is down. Never throws. */
  private async process(batch: Batch): Promise<void> {
    try {
      if (this.spool.isEmpty() && (await this.storeBatch(batch.readings))) return this.settle(batch);
      if (await this.spoolBatch(batch.readings)) return this.settle(batch);
      this.settle(batch, new Error('stopping with the store unavailable and the spool full or failing: readings not durable, leave them unacknowledged'));
    } catch (err) {
      this.log.error({ err }, 'unexpected write pipeline failure');
      this.settle(batch, err instanceof Error ? err : new Error(String(err)));
    }
  }

  private settle(batch: Batch, error?: Error): void {
    for (const { ticket, count } of batch.parts) {
      if (error) ticket.reject(error);
      else if ((ticket.remaining -= count) === 0) ticket.resolve();
    }
    this.pending -= batch.readings.length;
    while (this.waiting.length > 0) {
      const head = this.waiting.peek() as Part;
      if (this.pending > 0 && this.pending + head.readings.length > this.cfg.maxPendingReadings) break;
      this.waiting.shift();
      this.accept(head);
    }
    this.updateGauges();
  }

  /** One store write, refused readings dead-lettered. False when the store is unavailable. */
  private async storeBatch(readings: Reading[]): Promise<boolean> {
    const startedMs = this.cfg.now();
    const write = (r: readonly Reading[]) => this.cfg.store.write(r);
    try {
      try {
        await write(readings);
        this.stored(readings.length, startedMs);
      } catch (err) {
        if (!(err instanceof StoreRejectedError)) throw err;
        const rejected = await isolateRejected(write, readings, err);
        await this.deadLetters.append(rejected);
        this.st.deadLetters += rejected.length;
        this.cfg.metrics?.deadLetters.inc(rejected.length);
        this.log.warn({ rejected: rejected.length, batch: readings.length, reason: err.message }, 'store refused readings for good; dead-lettered');
        this.stored(readings.length - rejected.length, startedMs);
      }
      return true;
    } catch (err) {
      if (this.st.storeUp) this.log.warn({ err }, 'store unavailable; spooling to disk until it is back');
      this.st.storeUp = false;
      // A code for the health answer; the text (it may carry a URL or a query) stays in the log.
      this.st.lastError = storeErrorCode(err);
      this.cfg.metrics?.storeUp.set(0);
      return false;
    }
  }

  private stored(count: number, startedMs: number): void {
    const m = this.cfg.metrics;
    const seconds = (this.cfg.now() - startedMs) / 1000;
    m?.storeWriteSeconds.observe(seconds);
    m?.storeBatchSize.observe(count);
    m?.readingsStored.inc(count);
    m?.storeUp.set(1);
    if (!this.st.storeUp) this.log.info('store answers writes again');
    this.st.storeUp = true;
    this.st.lastWriteMs = this.cfg.now();
    this.st.lastWriteLatencyMs = this.st.lastWriteMs - startedMs;
  }

  /** Appends to the spool, waiting for space while it is full. False only when stopping with a full spool. */
  private async spoolBatch(readings: Reading[]): Promise<boolean> {
    let failures = 0;
    for (;;) {
      let outcome: 'appended' | 'full' | 'error';
      try {
        outcome = await this.spool.append(readings);
      } catch (err) {
        this.st.lastError = spoolErrorCode(err);
        if (this.st.spoolWritable) this.log.error({ err, code: this.st.lastError }, 'spool cannot write (disk full or unwritable): messages are left unacknowledged with the broker; retrying');
        this.st.spoolWritable = false;
        outcome = 'error';
      }
      if (outcome === 'appended') {
        if (!this.st.spoolWritable) this.log.warn('spool writes again');
        this.st.spoolWritable = true;
        this.setAcknowledging(true);
        this.updateGauges();
        this.replay.kick();
        return true;
      }
      if (this.state !== 'running') return false;
      // Full or failing: nothing is acknowledged until the spool takes this batch.
      this.setAcknowledging(false);
      const wait = outcome === 'full' ? this.spool.waitForSpace() : this.delay(Math.min(this.cfg.retryMaxMs, this.cfg.retryBaseMs * 2 ** failures++));
      await Promise.race([wait, this.stopped().promise]);
    }
  }

  private setAcknowledging(acknowledging: boolean): void {
    if (this.st.acknowledging === acknowledging) return;
    this.st.acknowledging = acknowledging;
    this.cfg.metrics?.spoolAcknowledging.set(acknowledging ? 1 : 0);
    if (acknowledging) this.log.warn({ spoolBytes: this.spool.bytes }, 'spool has room again: acknowledging messages again');
    else this.log.warn({ spoolBytes: this.spool.bytes, spoolMaxBytes: this.spool.maxBytes, spoolWritable: this.st.spoolWritable }, 'spool full (SPOOL_MAX_MB) or failing to write: messages are left unacknowledged with the broker');
  }

  /** Opened by stop(): wakes a batch waiting for spool space so that it can give up. */
  private stopped(): { promise: Promise<void>; open: () => void } {
    if (!this.stopGate) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.stopGate = { promise, open };
    }
    return this.stopGate;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.cfg.timers.setTimeout(resolve, ms));
  }

  private updateGauges(): void {
    const m = this.cfg.metrics;
    m?.pendingReadings.set(this.pending);
    m?.spoolReadings.set(this.spool.readings);
    m?.spoolBytes.set(this.spool.bytes);
    m?.storeUp.set(this.st.storeUp ? 1 : 0);
    m?.spoolAcknowledging.set(this.st.acknowledging ? 1 : 0);
  }
}
