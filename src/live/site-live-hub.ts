import type { EventBus } from '../events/event-bus.js';
import type { Reading } from '../model/reading.js';
import type { Logger } from '../observability/logger.js';
import type { ServicePart } from '../parts.js';
import { LiveBatch, latestKey, mergeLatest, type LiveValue } from './live-batch.js';

/** Default window over which a site's stored readings are folded into one live batch, ms. */
export const DEFAULT_COALESCE_MS = 100;

/** A live value with its site. */
type SiteLiveValue = LiveValue & Pick<Reading, 'site'>;

/** Told the latest reading per (device, quantity) that changed; `batch` is shared by every viewer of the site. */
export type LiveListener = (batch: LiveBatch) => void;

export interface SiteLiveHubOptions {
  events: Pick<EventBus, 'on'>;
  logger?: Logger;
  /**
   * Readings stored within this window go out as one batch (default 100 ms): a viewer gets at most
   * ten events a second whatever the ingest rate, and the fan-out runs off the ingest path (its
   * handler only files the readings), so that viewers cost the PUBACKs as little as they can (issue
   * 13, point 6; `npm run bench:sse` measures it).
   */
  coalesceMs?: number;
}

/** One site's subscription: its viewers, the readings waiting for the next batch, the latest value of each key sent. */
interface SiteChannel {
  readonly listeners: Set<LiveListener>;
  pending: Map<string, LiveValue>;
  /** Latest reading per key this channel knows of (sent, or seen in a viewer's snapshot): nothing older goes out. */
  readonly latest: Map<string, LiveValue>;
  timer: NodeJS.Timeout | null;
}

/**
 * The live view's fan-out (issue 13, point 2): ONE subscription to `readingsStored` for the
 * service, and one channel per site that has viewers, so that N open pages cost one batch per
 * site, not N pollers of the store. Sites nobody watches cost a map lookup per stored message.
 */
export class SiteLiveHub implements ServicePart {
  readonly name = 'live-hub';
  private readonly channels = new Map<string, SiteChannel>();
  private unsubscribe: (() => void) | null = null;
  private readonly coalesceMs: number;

  constructor(private readonly options: SiteLiveHubOptions) {
    this.coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  }

  async start(): Promise<void> {
    this.unsubscribe ??= this.options.events.on('readingsStored', ({ readings }) => this.file(readings));
  }

  /** Safe to call twice. Viewers are ended by their HTTP side (the app's preClose). */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const channel of this.channels.values()) if (channel.timer) clearTimeout(channel.timer);
    this.channels.clear();
  }

  /** Starts telling `listener` about `site`; returns the unsubscribe function (the channel goes with its last viewer). */
  subscribe(site: string, listener: LiveListener): () => void {
    let channel = this.channels.get(site);
    if (!channel) this.channels.set(site, (channel = { listeners: new Set(), pending: new Map(), latest: new Map(), timer: null }));
    channel.listeners.add(listener);
    const own = channel;
    return () => {
      own.listeners.delete(listener);
      if (own.listeners.size === 0 && this.channels.get(site) === own) {
        if (own.timer) clearTimeout(own.timer);
        this.channels.delete(site);
      }
    };
  }

  /**
   * A viewer's snapshot from the store: a key's later batches never go back before it (a history
   * replayed into the store must not replace the newest value on the pages).
   */
  noteSnapshot(site: string, values: readonly LiveValue[]): void {
    const channel = this.channels.get(site);
    if (channel) for (const v of values) mergeLatest(channel.latest, v);
  }

  /** Viewers of a site, and sites watched (tests and /metrics-style checks). */
  viewerCount(site?: string): number {
    if (site !== undefined) return this.channels.get(site)?.listeners.size ?? 0;
    let n = 0;
    for (const c of this.channels.values()) n += c.listeners.size;
    return n;
  }

  /**
   * Readings another instance stored (src/cluster/live-relay.ts, several instances): its viewers
   * here are told as of this instance's own, in the same batches.
   */
  fileFromElsewhere(readings: readonly SiteLiveValue[]): void {
    this.file(readings);
  }

  /** On the ingest path (the bus calls it synchronously): file the readings, nothing more. */
  private file(readings: readonly SiteLiveValue[]): void {
    for (const r of readings) {
      const channel = this.channels.get(r.site);
      if (!channel) continue;
      mergeLatest(channel.pending, r);
      channel.timer ??= setTimeout(() => this.flush(channel), this.coalesceMs);
    }
  }

  private flush(channel: SiteChannel): void {
    channel.timer = null;
    const fresh: LiveValue[] = [];
    for (const r of channel.pending.values()) {
      const known = channel.latest.get(latestKey(r));
      // Equal times pass: the same reading sent again with another value wins in the store too.
      if (known && known.tsMs > r.tsMs) continue;
      channel.latest.set(latestKey(r), r);
      fresh.push(r);
    }
    channel.pending = new Map();
    if (fresh.length === 0) return;
    const batch = new LiveBatch(fresh);
    for (const listener of [...channel.listeners]) {
      try {
        listener(batch);
      } catch (err) {
        this.options.logger?.error({ err }, 'live listener failed');
      }
    }
  }
}
