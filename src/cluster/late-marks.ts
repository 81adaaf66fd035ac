import pg from 'pg';
import type { EventBus } from '../events/event-bus.js';
import type { Reading } from '../model/reading.js';
import type { Logger } from '../observability/logger.js';
import type { ServicePart } from '../parts.js';
import { LIVE_SETTLE_MS } from '../rules/evaluator.js';
import type { LateData } from '../rules/scheduler.js';

/**
 * A reading is marked when its time is older than this before the instance's clock. Live rules
 * judge up to LIVE_SETTLE_MS (15 s) before the leader's clock: anything newer than that has not
 * been judged by any cycle yet. The 5 s taken off it allow for the leader's clock running ahead
 * of this one's; a reading in time (a second or so in transit) is never marked.
 */
export const LATE_AFTER_MS = LIVE_SETTLE_MS - 5_000;

export interface LateMarksOptions {
  /** DATABASE_URL. The marks have their own one-connection pool, apart from the store's. */
  connectionString: string;
  events: Pick<EventBus, 'on'>;
  /** The service clock (tests move it): what is late is judged against it. */
  now: () => number;
  logger: Logger;
  /** How often the marks collected are written, ms (default 1 s): one upsert per interval, not per message. */
  flushEveryMs?: number;
}

type SeriesKey = string;
const seriesKey = (r: Pick<Reading, 'site' | 'device' | 'quantity'>): SeriesKey => `${r.site}\u0000${r.device}\u0000${r.quantity}`;

/**
 * Late data stored by any instance reaches the leader's rules (issue 9): with a shared MQTT
 * subscription, the instance that stores a late reading (a gateway's buffer, a spool replay) is
 * usually not the leader, and `readingsStored` is told only in its own process. Every instance
 * records the earliest late time per series in PostgreSQL (`late_readings`); the leader's
 * scheduler takes them at its next cycle (`take`) and deletes them once the cycle has committed
 * (`done`), so a cycle that fails or a leader deposed in between leaves them for the next one.
 *
 * Only late readings are written (a few per gateway reconnection, not the ingest rate), and what
 * was collected in a second goes in one statement. The leader records its own late readings too
 * (it may stop leading before its next cycle); the rules are told twice, which costs nothing.
 */
export class LateMarks implements ServicePart, LateData {
  readonly name = 'late-marks';
  private pool: pg.Pool | null = null;
  private pending = new Map<SeriesKey, Pick<Reading, 'site' | 'device' | 'quantity' | 'tsMs'>>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: LateMarksOptions) {}

  async start(): Promise<void> {
    if (this.pool) return;
    this.pool = new pg.Pool({ connectionString: this.options.connectionString, max: 1, keepAlive: true, connectionTimeoutMillis: 5_000, application_name: 'smart-building-energy late-marks' });
    this.pool.on('error', (err) => this.options.logger.warn({ err: err.message }, 'late marks: idle PostgreSQL connection lost'));
    this.unsubscribe = this.options.events.on('readingsStored', ({ readings }) => this.note(readings));
  }

  /** Writes what is collected, then closes. Safe twice. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
    await this.pool?.end().catch(() => undefined);
    this.pool = null;
  }

  /** On the ingest path: one comparison per reading, a map update for a late one. */
  private note(readings: readonly Reading[]): void {
    const lateBefore = this.options.now() - LATE_AFTER_MS;
    for (const r of readings) {
      if (r.tsMs >= lateBefore) continue;
      const key = seriesKey(r);
      const known = this.pending.get(key);
      if (!known || r.tsMs < known.tsMs) this.pending.set(key, { site: r.site, device: r.device, quantity: r.quantity, tsMs: r.tsMs });
    }
    if (this.pending.size > 0) this.timer ??= setTimeout(() => void this.flush(), this.options.flushEveryMs ?? 1_000);
  }

  /** Writes the marks collected (also at stop). A failed write keeps them for the next attempt. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    this.timer = null;
    if (this.pending.size === 0 || !this.pool) return;
    const marks = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.pool.query(
        `INSERT INTO late_readings (site, device, quantity, earliest_ms)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (site, device, quantity) DO UPDATE
           SET earliest_ms = LEAST(late_readings.earliest_ms, EXCLUDED.earliest_ms), version = late_readings.version + 1`,
        [marks.map((m) => m.site), marks.map((m) => m.device), marks.map((m) => m.quantity), marks.map((m) => m.tsMs)],
      );
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message, series: marks.length }, 'late marks: not written, kept for the next attempt');
      for (const m of marks) {
        const known = this.pending.get(seriesKey(m));
        if (!known || m.tsMs < known.tsMs) this.pending.set(seriesKey(m), m);
      }
      if (this.unsubscribe) this.timer ??= setTimeout(() => void this.flush(), (this.options.flushEveryMs ?? 1_000) * 5);
    }
  }

  /**
   * The marks of every instance, for the leader's next cycle. `done` deletes those taken, each only
   * if no instance moved it since (its version is unchanged): a mark written during the cycle stays.
   */
  async take(): Promise<{ readings: readonly Reading[]; done: () => Promise<void> }> {
    if (!this.pool) return { readings: [], done: async () => undefined };
    const pool = this.pool;
    const { rows } = await pool.query('SELECT site, device, quantity, earliest_ms, version FROM late_readings');
    const taken = rows as Array<{ site: string; device: string; quantity: Reading['quantity']; earliest_ms: string; version: string }>;
    // A mark carries no value: the rules read only its series and time (RuleEvaluator.noteStored).
    const readings: Reading[] = taken.map((m) => ({ site: m.site, device: m.device, quantity: m.quantity, tsMs: Number(m.earliest_ms), value: Number.NaN }));
    return {
      readings,
      done: async () => {
        if (taken.length === 0) return;
        await pool.query(
          `DELETE FROM late_readings l USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS t(site, device, quantity, version)
           WHERE l.site = t.site AND l.device = t.device AND l.quantity = t.quantity AND l.version = t.version`,
          [taken.map((m) => m.site), taken.map((m) => m.device), taken.map((m) => m.quantity), taken.map((m) => m.version)],
        );
      },
    };
  }
}
