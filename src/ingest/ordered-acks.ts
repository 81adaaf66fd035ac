import { Fifo } from '../lib/fifo.js';

/**
 * PUBACKs for QoS 1 messages handled concurrently: each is sent only once its own write
 * resolved AND every message received before it was acknowledged, because a receiver
 * "MUST send PUBACK packets in the order in which the corresponding PUBLISH packets were
 * received" (MQTT 5 §4.6, [MQTT-4.6.0-2]; same in 3.1.1). A failed write blocks the queue:
 * neither it nor anything after it is acknowledged, and `onFailure` is told once, so that the
 * owner drops the connection and the broker redelivers them all (the writer is idempotent
 * on a reading's identity, so already-stored ones are harmless when they come back).
 */
export class OrderedAcks {
  private queue = new Fifo<{ messageId: number; state: 'pending' | 'ok' | 'failed' }>();
  private blocked = false;
  private waiters: { ready: () => boolean; resume: () => void }[] = [];

  constructor(
    private readonly send: (messageId: number) => void,
    private readonly onFailure: (err: unknown) => void,
  ) {}

  track(messageId: number, work: Promise<void>): void {
    const entry = { messageId, state: 'pending' as 'pending' | 'ok' | 'failed' };
    const queue = this.queue;
    queue.push(entry);
    work.then(
      () => {
        entry.state = 'ok';
        if (queue === this.queue) this.flush();
      },
      (err: unknown) => {
        entry.state = 'failed';
        if (queue !== this.queue) return;
        if (!this.blocked) {
          this.blocked = true;
          this.onFailure(err);
        }
      },
    );
  }

  /** Messages received but not yet acknowledged. */
  get pending(): number {
    return this.queue.length;
  }

  /** Calls `resume` once fewer than `limit` messages are pending (at once if they already are). */
  whenBelow(limit: number, resume: () => void): void {
    this.whenReady(() => this.queue.length < limit, resume);
  }

  /**
   * Calls `resume` once `ready()` is true: at once if it already is, else re-checked after each
   * run of acknowledgements (when messages and their readings have left the pipeline).
   */
  whenReady(ready: () => boolean, resume: () => void): void {
    if (ready()) resume();
    else this.waiters.push({ ready, resume });
  }

  /** The connection is gone: forget everything; the broker will redeliver what was not acknowledged. */
  reset(): void {
    this.queue = new Fifo();
    this.blocked = false;
    // Whatever they wait for, the waiters belong to the connection that is gone: let them go.
    for (const w of this.waiters.splice(0)) w.resume();
  }

  /** Re-checks the waiters now (after something `ready()` depends on changed outside this queue). */
  recheck(): void {
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.ready());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resume();
  }

  private flush(): void {
    while (!this.blocked && this.queue.peek()?.state === 'ok') {
      const head = this.queue.shift() as { messageId: number };
      this.send(head.messageId);
    }
    this.releaseWaiters();
  }
}
