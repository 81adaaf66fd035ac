import pg from 'pg';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../observability/logger.js';
import type { ServicePart } from '../parts.js';
import { decodeLiveChunk, encodeLiveChunks, type LiveReading } from './live-wire.js';

/** The NOTIFY channel every instance listens on. */
export const LIVE_CHANNEL = 'sbe_live';

export interface LiveRelayOptions {
  /** DATABASE_URL: the relay has its own connection (LISTEN holds it), apart from the store's pool. */
  connectionString: string;
  /** This instance (INSTANCE_ID), carried in each payload (logs; a duplicate id is warned about). */
  instance: string;
  events: Pick<EventBus, 'on'>;
  /** Where values stored by the other instances go: this instance's live hub. */
  deliver: (readings: readonly LiveReading[]) => void;
  logger: Logger;
  /** Stored readings are folded over this window into one notification (default 100 ms). */
  flushEveryMs?: number;
  /** First wait before reconnecting after a lost connection, doubled up to 30 s (default 500 ms). */
  reconnectMs?: number;
}

/** The server process of a connection (pg sets it from BackendKeyData; its types omit it). */
const backendPid = (client: pg.Client): number | undefined => (client as pg.Client & { processID?: number }).processID;

const seriesKey = (r: LiveReading) => `${r.site}\u0000${r.device}\u0000${r.quantity}`;

/**
 * Live values across instances (issue 9, point 4) through PostgreSQL LISTEN/NOTIFY: with a shared
 * MQTT subscription each instance stores only its share, and `readingsStored` is told in its own
 * process only. Each instance folds what it stored over 100 ms into the latest value per series
 * and NOTIFYs it (in payloads under 8,000 bytes); every instance LISTENs and hands the others'
 * values to its live hub, which sends them to its viewers as it does its own.
 *
 * Why NOTIFY rather than a second, plain subscription to the broker: what the pages show stays
 * what is stored (a value a page shows is in the store a reload reads), each reading is stored,
 * hence told, by one instance only, so nothing reaches a page twice, and no second decoding path
 * nor broker ACL is needed. The cost is measured in the README ("Several instances").
 *
 * Live values are best effort, as on one instance: while the connection is down (PostgreSQL
 * restarting) nothing is relayed, the next value of each series is. The connection is opened
 * again with a growing delay. A relay sends on its LISTEN connection, so it knows its own
 * notifications by their server process id and skips them.
 */
export class LiveRelay implements ServicePart {
  readonly name = 'live-relay';
  private client: pg.Client | null = null;
  private pending = new Map<string, LiveReading>();
  private flushTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = true;
  private failures = 0;
  private sending: Promise<void> = Promise.resolve();
  private inFlight = false;
  private warnedSameId = false;
  /** Counts for tests and logs: notifications sent and received from other instances. */
  readonly counts = { sent: 0, received: 0, skippedOwn: 0, invalid: 0, dropped: 0 };

  constructor(private readonly options: LiveRelayOptions) {}

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = this.options.events.on('readingsStored', ({ readings }) => {
      for (const r of readings) {
        const key = seriesKey(r);
        const known = this.pending.get(key);
        if (!known || known.tsMs <= r.tsMs) this.pending.set(key, r);
      }
      this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushEveryMs ?? 100);
    });
    // The first connection is awaited, so that a viewer opened right after start is relayed to.
    await this.connect();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.sending;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** Connected and listening. */
  isListening(): boolean {
    return this.client !== null;
  }

  private async connect(): Promise<void> {
    this.reconnectTimer = null;
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true, connectionTimeoutMillis: 5_000, application_name: `smart-building-energy live ${this.options.instance}`.slice(0, 63) });
    client.on('notification', (n) => this.received(n.payload ?? '', n.processId === backendPid(client)));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.failures > 0) this.options.logger.warn({ after: this.failures }, 'live relay: listening again');
    this.failures = 0;
    this.client = client;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.stopped) return;
    if (this.client === client) this.client = null;
    else if (this.client !== null) return; // an old connection's late event
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.reconnectTimer) return;
    this.failures += 1;
    const delay = Math.min((this.options.reconnectMs ?? 500) * 2 ** (this.failures - 1), 30_000);
    this.options.logger.warn({ err: err.message, retryInMs: delay }, 'live relay: PostgreSQL connection lost; live values of the other instances stop until it is back');
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private flush(): void {
    this.flushTimer = null;
    // One NOTIFY statement at a time: while one is on its way, readings keep folding into the
    // latest per series, so a slow database costs staleness, never a growing queue.
    if (this.inFlight) return;
    const readings = [...this.pending.values()];
    this.pending = new Map();
    const client = this.client;
    if (!client || readings.length === 0) return;
    const { payloads, dropped } = encodeLiveChunks(this.options.instance, readings);
    this.counts.dropped += dropped;
    this.inFlight = true;
    // All payloads in one statement, hence one transaction and one commit (each NOTIFY on its own
    // would be a commit each; measured in test/bench/live-notify.ts).
    this.sending = client
      .query(`SELECT pg_notify('${LIVE_CHANNEL}', p) FROM unnest($1::text[]) AS p`, [payloads])
      .then(
        () => {
          this.counts.sent += payloads.length;
        },
        (err: Error) => this.options.logger.warn({ err: err.message, values: readings.length }, 'live relay: NOTIFY failed (those live values are not relayed)'),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.pending.size > 0 && !this.stopped) this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushEveryMs ?? 100);
      });
  }

  /** `own`: sent by this connection (PostgreSQL tells a listening session its own NOTIFYs too). */
  private received(payload: string, own: boolean): void {
    if (own) {
      this.counts.skippedOwn += 1;
      return;
    }
    const chunk = decodeLiveChunk(payload);
    if (!chunk) {
      this.counts.invalid += 1;
      this.options.logger.warn({ bytes: payload.length }, 'live relay: a notification that is not a live batch, ignored');
      return;
    }
    if (chunk.instance === this.options.instance && !this.warnedSameId) {
      // Still delivered (another process stored them), but the lease needs distinct ids too.
      this.warnedSameId = true;
      this.options.logger.warn({ instance: chunk.instance }, 'live relay: another instance runs with this INSTANCE_ID; give each its own');
    }
    this.counts.received += 1;
    this.options.deliver(chunk.readings);
  }
}
