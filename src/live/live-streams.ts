import type { LiveViewer } from './live-viewer.js';

/** A comment at least this often: under the app's 30 s connection timeout and common proxies' 60 s. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** A client whose socket has not drained for this long is dropped (its browser reconnects and gets a fresh snapshot). */
export const DEFAULT_STALLED_MS = 60_000;

export interface LiveStreamsOptions {
  keepAliveMs?: number;
  stalledMs?: number;
}

/**
 * The open live streams of a process, each a response carrying one viewer per site it watches:
 * one timer for all of them (running only while one is open) sends the keep-alive comments and
 * drops a client that has not read for `stalledMs`. Used where the streams' sockets are: the HTTP
 * process (LIVE_FANOUT=inline) or the fan-out process (src/live/fanout-worker.ts).
 */
export class LiveStreams {
  private readonly open = new Map<readonly LiveViewer[], () => void>();
  private ticker: NodeJS.Timeout | null = null;
  private readonly keepAliveMs: number;
  private readonly stalledMs: number;
  // Socket timing, not a reading's time: the monotonic clock, whatever the app's clock says (tests freeze it).
  readonly monotonicMs = (): number => performance.now();

  constructor(options: LiveStreamsOptions = {}) {
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.stalledMs = options.stalledMs ?? DEFAULT_STALLED_MS;
  }

  get size(): number {
    return this.open.size;
  }

  /**
   * Keeps `viewers` (one stream) until the returned function is called; it calls `onEnd` once
   * (unsubscribe, end the socket), whoever ends the stream first: the client, the stall check, or
   * `endAll`.
   */
  add(viewers: readonly LiveViewer[], onEnd: () => void): () => void {
    const end = () => {
      if (!this.open.delete(viewers)) return;
      onEnd();
      if (this.open.size === 0 && this.ticker) {
        clearInterval(this.ticker);
        this.ticker = null;
      }
    };
    this.open.set(viewers, end);
    this.ticker ??= setInterval(() => this.tick(), Math.max(10, Math.min(this.keepAliveMs / 2, this.stalledMs / 4)));
    return end;
  }

  endAll(): void {
    for (const end of [...this.open.values()]) end();
  }

  private tick(): void {
    const nowMs = this.monotonicMs();
    for (const [viewers, end] of this.open) {
      if (viewers.some((v) => (v.congestedSince() ?? Infinity) <= nowMs - this.stalledMs)) end();
      else if (nowMs - Math.max(...viewers.map((v) => v.lastWriteMs)) >= this.keepAliveMs / 2) viewers[0]!.keepAlive();
    }
  }
}
