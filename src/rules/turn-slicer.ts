import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Hands the event loop back once a slice of synchronous work has run: a rule cycle's bindings
 * judged from the series cache are microtasks back to back (no I/O to wait for), so a warm minute cycle of 100 sites (~300 ms, bench:rules-cycle) was one stretch
 * that every PUBACK, HTTP answer and SSE event waited behind (ingest acknowledges on this loop).
 * `setImmediate` runs after the I/O callbacks already due (Node's event-loop phases: poll, then
 * check), so each pause lets them through and costs the cycle a few microseconds when none are.
 */
export class TurnSlicer {
  private sliceStartMs: number;

  constructor(
    /** Longest synchronous slice, ms: ~10 ms keeps a PUBACK's wait within the write's own. */
    private readonly sliceMs = 8,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.sliceStartMs = clock();
  }

  /** Resolves at once within the slice; after it, on the next turn of the event loop. */
  async pause(): Promise<void> {
    if (this.clock() - this.sliceStartMs < this.sliceMs) return;
    await nextTurn();
    this.sliceStartMs = this.clock();
  }
}
