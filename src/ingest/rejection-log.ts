import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Rejection, RejectionRecord } from './types.js';

export interface RejectionLogOptions {
  /** Records kept for GET /api/ingest/rejections. */
  capacity?: number;
  /** At most one log line per (device or topic, reason) per window; the others are counted. */
  logWindowMs?: number;
}

export interface RejectionContext {
  topic: string;
  site?: string;
  device?: string;
  payload: Buffer;
  receivedMs: number;
}

const EXCERPT_CHARS = 200;
/** Bounds the rate-limit table: topics are chosen by devices, so their number is not ours to trust. */
const MAX_RATE_KEYS = 10_000;

/**
 * Where rejected messages and pack entries go: a ring of the latest records (for the API),
 * the `readingsRejected{reason}` counter (every rejection), and a rate-limited log line
 * (first one logged, then at most one per window per (device or topic, reason), carrying
 * the number suppressed meanwhile), so that a misconfigured device publishing every second
 * cannot flood the log.
 */
export class RejectionLog {
  private readonly ring: (RejectionRecord | undefined)[];
  private next = 0;
  private size = 0;
  private readonly rate = new Map<string, { windowStartMs: number; suppressed: number }>();
  private readonly capacity: number;
  private readonly logWindowMs: number;

  constructor(
    private readonly metrics: Pick<Metrics, 'readingsRejected'>,
    private readonly logger: Logger,
    options: RejectionLogOptions = {},
  ) {
    this.capacity = options.capacity ?? 500;
    this.logWindowMs = options.logWindowMs ?? 10_000;
    this.ring = new Array<RejectionRecord | undefined>(this.capacity);
  }

  record(rejection: Rejection, ctx: RejectionContext): void {
    const record: RejectionRecord = {
      ...rejection,
      receivedMs: ctx.receivedMs,
      topic: ctx.topic,
      payloadExcerpt: ctx.payload.subarray(0, EXCERPT_CHARS * 4).toString('utf8').slice(0, EXCERPT_CHARS),
    };
    if (ctx.site !== undefined) record.site = ctx.site;
    if (ctx.device !== undefined) record.device = ctx.device;
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.metrics.readingsRejected.inc({ reason: rejection.reason });
    this.maybeLog(record);
  }

  /** Newest first, at most `limit` (and at most the capacity). */
  latest(limit = this.capacity): RejectionRecord[] {
    const n = Math.max(0, Math.min(limit, this.size));
    const out: RejectionRecord[] = [];
    for (let i = 1; i <= n; i++) {
      const record = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (record) out.push(record);
    }
    return out;
  }

  private maybeLog(record: RejectionRecord): void {
    const who = record.device !== undefined && record.site !== undefined ? `${record.site}/${record.device}` : record.topic;
    const key = `${who}\u0000${record.reason}`;
    const state = this.rate.get(key);
    const fields = { topic: record.topic, reason: record.reason, field: record.field, payloadExcerpt: record.payloadExcerpt.slice(0, 80) };
    if (state === undefined) {
      if (this.rate.size >= MAX_RATE_KEYS) this.rate.clear();
      this.rate.set(key, { windowStartMs: record.receivedMs, suppressed: 0 });
      this.logger.warn(fields, `rejected: ${record.detail}`);
      return;
    }
    if (record.receivedMs - state.windowStartMs < this.logWindowMs) {
      state.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, suppressed: state.suppressed }, `rejected: ${record.detail} (${state.suppressed} similar suppressed in the last ${Math.round(this.logWindowMs / 1000)} s)`);
    state.windowStartMs = record.receivedMs;
    state.suppressed = 0;
  }
}
