import { latestKey, mergeLatest, type LiveBatch, type LiveValue } from './live-batch.js';

/** What a viewer writes on: a ServerResponse, or a socket handed to the fan-out process (chunked-socket.ts). */
export interface LiveSink {
  write(text: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): unknown;
  readonly writableEnded: boolean;
}

/**
 * One open live stream (WHATWG HTML, "Server-sent events", event-stream format), with its
 * back-pressure: while the socket has not drained (`write()` returned false, Node's stream
 * contract), nothing more is written and each key keeps only its newest value, so a slow client
 * costs at most one socket buffer and one value per (device, quantity), never an unbounded queue.
 * The client is told the newest values once it drains (coalesced, not dropped).
 */
export class LiveViewer {
  /** `snapshot` until the store's answer is written; `congested` while the socket has not drained. */
  private state: 'snapshot' | 'live' | 'congested' = 'snapshot';
  private pending = new Map<string, LiveValue>();
  /** Newest time per key the page was sent: a batch value older than it is not sent. */
  private readonly sent = new Map<string, number>();
  private congestedSinceMs = 0;
  lastWriteMs: number;
  private ended = false;

  constructor(
    private readonly raw: LiveSink,
    private readonly encode: (values: readonly LiveValue[]) => string,
    private readonly now: () => number,
  ) {
    this.lastWriteMs = now();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Since when the socket has not drained (epoch ms), or null. */
  congestedSince(): number | null {
    return this.state === 'congested' ? this.congestedSinceMs : null;
  }

  /**
   * The first event: every latest value the store has (null: the store could not say, no event).
   * Values stored meanwhile follow if newer.
   */
  sendSnapshot(values: readonly LiveValue[] | null): void {
    this.state = 'live';
    if (values) {
      for (const v of values) this.sent.set(latestKey(v), v.tsMs);
      this.write(this.encode(values));
    }
    if (this.state === 'live') this.flushPending();
  }

  onBatch(batch: LiveBatch): void {
    if (this.ended) return;
    if (this.state !== 'live') {
      for (const v of batch.values) mergeLatest(this.pending, v);
      return;
    }
    for (const v of batch.values) this.sent.set(latestKey(v), v.tsMs);
    this.write(batch.encoded(this.encode));
  }

  /** A comment line (ignored by EventSource) so that proxies and the browser see the stream alive. */
  keepAlive(): void {
    if (this.state === 'live') this.write(': keep-alive\n\n');
  }

  /** A named event outside the data flow (e.g. `unavailable` when the snapshot could not be read). */
  sendEvent(name: string, data: unknown): void {
    if (!this.ended) this.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.pending.clear();
    if (!this.raw.writableEnded) this.raw.end();
  }

  private write(text: string): void {
    if (this.ended || this.raw.writableEnded) return;
    this.lastWriteMs = this.now();
    if (this.raw.write(text)) return;
    this.state = 'congested';
    this.congestedSinceMs = this.lastWriteMs;
    this.raw.once('drain', () => {
      if (this.ended) return;
      this.state = 'live';
      this.flushPending();
    });
  }

  private flushPending(): void {
    if (this.pending.size === 0) return;
    const values = [...this.pending.values()].filter((v) => v.tsMs >= (this.sent.get(latestKey(v)) ?? -Infinity));
    this.pending = new Map();
    for (const v of values) this.sent.set(latestKey(v), v.tsMs);
    if (values.length > 0) this.write(this.encode(values));
  }
}
