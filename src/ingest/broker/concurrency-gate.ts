/** Thrown when the gate's queue is full: the caller refuses the work instead of queueing it. */
export class GateFullError extends Error {
  constructor(message = 'too many operations waiting') {
    super(message);
    this.name = 'GateFullError';
  }
}

/**
 * Runs at most `concurrency` operations at once, queueing up to `maxQueued` more (FIFO).
 *
 * Why for password hashing: async scrypt runs on libuv's thread pool (Node docs, crypto.scrypt:
 * "uses libuv's threadpool, which can have surprising and negative performance implications"),
 * the same four threads that run every fs call, the spool's fsync included. A login flood
 * hashing on all four would stall acknowledgements; one thread for hashing leaves the others.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {}

  get active(): number {
    return this.running;
  }
  get queued(): number {
    return this.queue.length;
  }

  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.queue.length >= this.maxQueued) throw new GateFullError();
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await op();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next in line: `running` stays counted.
      if (next) next();
      else this.running -= 1;
    }
  }
}
