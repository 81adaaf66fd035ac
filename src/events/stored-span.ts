import type { Reading } from '../model/reading.js';

/**
 * Folds the "readings stored" events of a short while into one reading per (site, device): the
 * earliest and the latest timestamp seen. A cache that only needs to know which spans changed is
 * told once a second instead of once per message, off the ingest hot path.
 */
export class StoredSpanCollector {
  private readonly spans = new Map<string, { site: string; device: string; minMs: number; maxMs: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushTo: (readings: readonly Pick<Reading, 'site' | 'device' | 'tsMs'>[]) => void,
    private readonly delayMs = 1000,
  ) {}

  add(readings: readonly Reading[]): void {
    for (const r of readings) {
      const key = `${r.site}\u0000${r.device}`;
      const span = this.spans.get(key);
      if (!span) this.spans.set(key, { site: r.site, device: r.device, minMs: r.tsMs, maxMs: r.tsMs });
      else {
        if (r.tsMs < span.minMs) span.minMs = r.tsMs;
        if (r.tsMs > span.maxMs) span.maxMs = r.tsMs;
      }
    }
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.spans.size === 0) return;
    const out: Pick<Reading, 'site' | 'device' | 'tsMs'>[] = [];
    for (const s of this.spans.values()) {
      out.push({ site: s.site, device: s.device, tsMs: s.minMs });
      if (s.maxMs !== s.minMs) out.push({ site: s.site, device: s.device, tsMs: s.maxMs });
    }
    this.spans.clear();
    this.flushTo(out);
  }
}
