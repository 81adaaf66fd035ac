/**
 * Runs async jobs one at a time, in call order. A DuckDB connection runs one
 * statement at a time, and a write is a multi-statement transaction on a shared
 * staging table: two writes interleaving would mix their batches.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    // Keep the chain alive whatever this job does; the caller sees its own outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every job queued so far has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
