/**
 * Counts failed logins per key (an IP address, a username) in fixed windows: once a key has
 * `limit` failures in its window, further attempts are refused until the window ends, without
 * checking the password (so without hashing it).
 *
 * A window per key, not a sliding log: one small object per key. The table is bounded: keys
 * whose window ended are dropped first, then the oldest; an attacker cycling source addresses
 * can at worst evict old entries, never grow memory.
 */
export class FailureWindow {
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** True while `key` has used up its failures for the current window. */
  blocked(key: string, nowMs: number): boolean {
    const w = this.windows.get(key);
    if (!w) return false;
    if (nowMs - w.startMs >= this.windowMs) {
      this.windows.delete(key);
      return false;
    }
    return w.failures >= this.limit;
  }

  /** Milliseconds until `key` may try again (0 when it may now). */
  retryAfterMs(key: string, nowMs: number): number {
    const w = this.windows.get(key);
    return w && w.failures >= this.limit ? Math.max(0, w.startMs + this.windowMs - nowMs) : 0;
  }

  fail(key: string, nowMs: number): void {
    const w = this.windows.get(key);
    if (w && nowMs - w.startMs < this.windowMs) {
      w.failures += 1;
      return;
    }
    if (w) this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.evict(nowMs);
    this.windows.set(key, { startMs: nowMs, failures: 1 });
  }

  get size(): number {
    return this.windows.size;
  }

  private evict(nowMs: number): void {
    for (const [key, w] of this.windows) if (nowMs - w.startMs >= this.windowMs) this.windows.delete(key);
    // Still full: drop the oldest (Map iterates in insertion order).
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value as string;
      this.windows.delete(oldest);
    }
  }
}
