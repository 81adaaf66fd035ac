import type { Reading } from '../../../src/model/reading.js';
import type { ReadingWriter } from '../../../src/storage/port.js';

/**
 * A fake of our own ReadingWriter port for ingest tests: records what was written,
 * and can hold writes open (to prove PUBACK waits for durability) or fail them.
 */
export class RecordingWriter implements ReadingWriter {
  readonly readings: Reading[] = [];
  calls = 0;
  private held: { readings: readonly Reading[]; resolve: () => void }[] = [];
  private holding = false;
  private failures = 0;

  /** Each write takes this long, like a database commit (concurrent writes overlap). */
  constructor(private readonly latencyMs = 0) {}

  async write(readings: readonly Reading[]): Promise<void> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('store unavailable (test)');
    }
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.holding) {
      await new Promise<void>((resolve) => this.held.push({ readings, resolve }));
    }
    this.readings.push(...readings);
  }

  /** Writes from now on stay pending until release(). */
  hold(): void {
    this.holding = true;
  }

  pendingCount(): number {
    return this.held.length;
  }

  release(): void {
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const h of held) h.resolve();
  }

  /** The next `n` writes reject. */
  failNext(n: number): void {
    this.failures = n;
  }
}
