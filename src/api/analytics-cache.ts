import type { AnalyticsGate } from './analytics-gate.js';

/**
 * Analytics answers are recomputed from the store on every call (a site-year is ~100 ms, a
 * comparison of every site is that times the sites). The dashboard asks again on every view,
 * so answers are kept for a short time; readings arriving meanwhile show at the next expiry.
 * A miss is computed through the gate (analytics-gate.ts), so that computations never starve
 * ingestion; a hit and a computation in flight are shared (single-flight) without waiting for it.
 */
export class AnalyticsCache {
  private readonly entries = new Map<string, { expiresMs: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly gate: AnalyticsGate | null = null,
    private readonly maxEntries = 500,
  ) {}

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const nowMs = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresMs > nowMs) return hit.value as Promise<T>;
    if (this.entries.size >= this.maxEntries) this.evictExpired(nowMs);
    const value = this.gate ? this.gate.run(compute) : compute();
    this.entries.set(key, { expiresMs: nowMs + this.ttlMs, value });
    // A failure is not kept: the next request tries again.
    value.catch(() => this.entries.delete(key));
    return value;
  }

  private evictExpired(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.expiresMs <= nowMs) this.entries.delete(key);
    // Still full of live entries: drop the oldest (Map keeps insertion order).
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
