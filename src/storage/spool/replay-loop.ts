import type { Logger } from '../../observability/logger.js';
import type { Reading } from '../../model/reading.js';
import type { Spool } from './spool.js';

/** The timer functions the pipeline uses, injectable so that tests control time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ReplayLoopOptions {
  spool: Spool;
  /** Writes a batch to the store (dead-lettering refused readings); false when the store is unavailable. */
  storeBatch: (readings: Reading[]) => Promise<boolean>;
  maxBatchReadings: number;
  /** First retry delay after a failed replay; doubled after each failure up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  timers: Timers;
  logger: Logger;
  /** Called after each chunk the store committed, with its reading count. */
  onReplayed: (readings: number) => void;
}

/**
 * Drains the spool into the store, oldest record first. Retrying the oldest chunk is itself
 * the probe of the store: while it fails the loop backs off exponentially (capped), and a
 * chunk is removed from the spool only after the store committed it. A crash between the
 * commit and the removal replays that chunk again, which the store's idempotence absorbs.
 */
export class ReplayLoop {
  private running: Promise<void> | null = null;
  private stopped = false;
  private sleeping: { handle: unknown; wake: () => void } | null = null;
  private readonly log: Logger;

  constructor(private readonly options: ReplayLoopOptions) {
    this.log = options.logger.child({ module: 'spool-replay' });
  }

  /** True while spooled readings are being replayed (or retried). */
  get active(): boolean {
    return this.running !== null;
  }

  /** Starts the loop if the spool holds something and it is not already running. */
  kick(): void {
    if (this.running || this.stopped || this.options.spool.isEmpty()) return;
    this.running = this.run().finally(() => {
      this.running = null;
      // An append may have landed between the loop's last look and here.
      this.kick();
    });
  }

  /** Stops after the store write in progress, if any; what is left stays spooled for the next run. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sleeping) {
      this.options.timers.clearTimeout(this.sleeping.handle);
      this.sleeping.wake();
    }
    await this.running;
  }

  private async run(): Promise<void> {
    const { spool, storeBatch, maxBatchReadings, retryBaseMs, retryMaxMs } = this.options;
    let failures = 0;
    let replayed = 0;
    this.log.info({ spoolReadings: spool.readings, spoolBytes: spool.bytes }, 'replaying the spool into the store');
    while (!this.stopped) {
      try {
        const chunk = await spool.next(maxBatchReadings);
        if (!chunk) {
          if (spool.isEmpty()) break;
          // An append was accepted after next() was queued: it is on disk shortly. Look again after a pause.
          await this.sleep(retryBaseMs);
          continue;
        }
        if (await storeBatch(chunk.readings)) {
          await spool.commit(chunk);
          failures = 0;
          replayed += chunk.readings.length;
          this.options.onReplayed(chunk.readings.length);
          continue;
        }
      } catch (err) {
        this.log.error({ err }, 'spool replay step failed; will retry');
      }
      const delayMs = Math.min(retryMaxMs, retryBaseMs * 2 ** failures);
      failures += 1;
      await this.sleep(delayMs);
    }
    if (spool.isEmpty()) this.log.info({ replayed }, 'spool drained');
    else this.log.info({ replayed, left: spool.readings }, 'spool replay stopped; the rest stays on disk');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping = null;
        resolve();
      };
      this.sleeping = { handle: this.options.timers.setTimeout(wake, ms), wake };
    });
  }
}
