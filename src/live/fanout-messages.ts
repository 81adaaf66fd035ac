import type { SiteConfig } from '../config/schema.js';
import type { LiveValue } from './live-batch.js';

/**
 * What the HTTP process tells the fan-out process (src/live/fanout-worker.ts) over the IPC
 * channel of child_process.fork, in order: `open` carries the stream's socket as its handle.
 */
export type ToFanout =
  | { type: 'init'; sites: SiteConfig[]; keepAliveMs: number; stalledMs: number }
  /** A stream authorised by the HTTP process: `head` is its status line and headers, written first. */
  | { type: 'open'; id: number; sites: string[]; head: string }
  /** The store's latest values of one site of stream `id`; null: the store could not be read. */
  | { type: 'snapshot'; id: number; site: string; values: LiveValue[] | null }
  /** What the site's channel of the live hub batched: once for every viewer of the site. */
  | { type: 'batch'; site: string; values: readonly LiveValue[] }
  /** End every stream (the HTTP server is closing), and stay up. */
  | { type: 'end-all' }
  /** End every stream and exit. */
  | { type: 'stop' };

/** What the fan-out process tells the HTTP process. */
export type FromFanout =
  | { type: 'ready' }
  /** Stream `id` ended (client gone, stalled, or ended by `end-all`): its sites' subscriptions can go. */
  | { type: 'closed'; id: number }
  | { type: 'warn'; message: string };
