import { setImmediate as nextTurn } from 'node:timers/promises';

/** Thrown when the gate's queue is full: the route answers 503 with Retry-After instead of queueing more. */
export class AnalyticsBusyError extends Error {
  constructor(
    readonly queued: number,
    readonly retryAfterS: number,
  ) {
    super(`the analytics are busy: ${queued} computations waiting; retry in ${retryAfterS} s`);
    this.name = 'AnalyticsBusyError';
  }
}

export interface AnalyticsGateOptions {
  /** Largest share of the event loop's wall time the computations may take, in (0, 1]. Default 0.5. */
  share?: number;
  /** Computations waiting beyond the running one before new ones are refused. Default 32. */
  maxQueued?: number;
  /** Longest pause between two computations, however long the last one ran. Default 2 s. */
  maxPauseMs?: number;
  /** Monotonic clock in ms. */
  clock?: () => number;
}

/**
 * Runs the analytics computations one at a time, and after each one leaves the event loop to
 * everything else for a while, so that a burst of different questions (eight clients asking the
 * comparison of eight periods) cannot starve ingestion: every PUBACK waits for a durable write
 * whose callbacks run on this same loop (issue 11, point 4, measured by `npm run bench:compare-load`).
 * One at a time because they are CPU work on one thread: two at once finish no sooner in all and
 * each later. The pause after a computation of d ms is d·(1 − share)/share, a duty cycle, so the
 * computations take at most `share` of the loop however many wait; a question that finds the gate
 * idle waits at most what is left of the last pause. Identical questions are merged before this
 * gate (AnalyticsCache, single-flight), and answers already computed never wait for it.
 */
export class AnalyticsGate {
  private running = false;
  private readonly queue: Array<() => void> = [];
  private nextStartMs = 0;
  private lastMs = 0;
  private readonly share: number;
  private readonly maxQueued: number;
  private readonly maxPauseMs: number;
  private readonly clock: () => number;

  constructor(options: AnalyticsGateOptions = {}) {
    this.share = options.share ?? 0.5;
    if (!(this.share > 0 && this.share <= 1)) throw new Error(`analytics gate: share must be in (0, 1], got ${this.share}`);
    this.maxQueued = options.maxQueued ?? 32;
    this.maxPauseMs = options.maxPauseMs ?? 2_000;
    this.clock = options.clock ?? (() => performance.now());
  }

  get queued(): number {
    return this.queue.length;
  }

  async run<T>(compute: () => Promise<T>): Promise<T> {
    if (this.running) {
      if (this.queue.length >= this.maxQueued) {
        // Every waiting computation lasts about as long as the last one, plus its pause.
        const retryAfterS = Math.max(1, Math.ceil(((this.queue.length + 1) * this.lastMs) / this.share / 1000));
        throw new AnalyticsBusyError(this.queue.length, retryAfterS);
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running = true;
    }
    try {
      const pauseMs = this.nextStartMs - this.clock();
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      // At least one turn of the loop between two computations: I/O callbacks come first.
      else await nextTurn();
      const startMs = this.clock();
      try {
        return await compute();
      } finally {
        const endMs = this.clock();
        this.lastMs = endMs - startMs;
        this.nextStartMs = endMs + Math.min(this.maxPauseMs, (this.lastMs * (1 - this.share)) / this.share);
      }
    } finally {
      const next = this.queue.shift();
      // The turn passes straight to the next in line: `running` stays set.
      if (next) next();
      else this.running = false;
    }
  }
}
