import pg from 'pg';
import type { Fence } from '../alerts/state-port.js';
import type { Logger } from '../observability/logger.js';
import type { ServicePart } from '../parts.js';
import { inTransaction } from '../storage/state/pg-client.js';

export interface LeaderLeaseOptions {
  /** DATABASE_URL: the lease has its own small pool, apart from the store's. */
  connectionString: string;
  /** This instance, unique among those running (INSTANCE_ID, default hostname-pid). */
  holder: string;
  /** The lease's name: one leader per name (default 'leader'). */
  name?: string;
  /** How long a granted or renewed lease lasts on the database's clock, ms (default 15 s). */
  ttlMs?: number;
  /** How often the holder renews and the others try to take it, ms (default 5 s). */
  renewEveryMs?: number;
  logger: Logger;
  /** Became the leader with this fence (its token is new). */
  onAcquired: (fence: Fence) => Promise<void>;
  /** Not the leader any more (lost, expired, or stopping). */
  onLost: (fence: Fence) => Promise<void>;
  /** Monotonic clock in ms (performance.now by default): the local deadline must not jump with NTP. */
  monotonicNow?: () => number;
}

type Row = Record<string, unknown>;

/**
 * One leader among the instances, elected through PostgreSQL with a lease row and a fencing token
 * (issue 9), rather than a session advisory lock:
 * - A session lock (pg_try_advisory_lock) belongs to a connection. Behind a transaction-pooling
 *   proxy (PgBouncer pool_mode=transaction) consecutive statements run on different server
 *   connections, so the lock is taken on one and never released, or "held" by whoever gets that
 *   connection next (PgBouncer docs, "Features" table: session-level advisory locks are not
 *   supported in transaction mode). The lease row needs nothing from the session: each statement
 *   below is one transaction, so it works through such a proxy unchanged.
 * - A lease expires on its own when its holder stops renewing (killed, partitioned), with no
 *   reliance on TCP keepalive noticing a dead connection.
 * - The token grows at every change of holder and is checked inside every leader-only
 *   transaction (pg-state-store.ts assertFence), so a paused or partitioned ex-leader cannot write
 *   an alert or record a mail after a new leader exists.
 *
 * Bounds: a leader that dies is replaced at most ttl + renewEvery after its last renewal (20 s
 * with the defaults, within the issue's 30 s); one that stops cleanly deletes its row and is
 * replaced at the others' next attempt (≤ renewEvery). A leader that cannot renew steps down by
 * its own monotonic clock once ttl has passed since the start of its last successful renewal,
 * which is never later than the database's expiry.
 */
export class LeaderLease implements ServicePart {
  readonly name = 'leader-lease';
  private pool: pg.Pool | null = null;
  private timer: NodeJS.Timeout | undefined;
  private current: Fence | null = null;
  /** Local monotonic deadline of the current lease. */
  private deadline = 0;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly options: LeaderLeaseOptions) {}

  private get ttlMs(): number {
    return this.options.ttlMs ?? 15_000;
  }

  private get lease(): string {
    return this.options.name ?? 'leader';
  }

  private mono(): number {
    return (this.options.monotonicNow ?? (() => performance.now()))();
  }

  /** The fence to write with while leader, or null. Null once the local deadline passed. */
  fence(): Fence | null {
    if (this.current && this.mono() >= this.deadline) return null;
    return this.current;
  }

  isLeader(): boolean {
    return this.fence() !== null;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    if (this.ttlMs < 2 * (this.options.renewEveryMs ?? 5_000)) throw new Error('leader lease: the ttl must be at least twice the renewal interval');
    this.pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: 1,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
      // A renewal that waits longer than this is worth less than trying again.
      options: '-c statement_timeout=5000 -c lock_timeout=3000',
      application_name: `smart-building-energy lease ${this.options.holder}`.slice(0, 63),
    });
    this.pool.on('error', (err) => this.options.logger.warn({ err: err.message }, 'leader lease: idle PostgreSQL connection lost'));
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const fence = this.current;
    if (fence) {
      await this.stepDown(fence, 'stopping');
      // Handing over at once: the others take it at their next attempt instead of after the ttl.
      await this.pool!.query('DELETE FROM leader_lease WHERE name = $1 AND holder = $2 AND token = $3', [fence.lease, fence.holder, fence.token]).catch((err: Error) =>
        this.options.logger.warn({ err: err.message }, 'leader lease: not released (it expires on its own)'),
      );
    }
    await this.pool?.end().catch(() => undefined);
    this.pool = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => this.schedule(this.options.renewEveryMs ?? 5_000));
    }, delayMs);
  }

  /** One attempt: renew when leader, else try to take an expired or absent lease. */
  private async tick(): Promise<void> {
    const startedAt = this.mono();
    const held = this.current;
    try {
      if (held) {
        const r = await this.pool!.query("UPDATE leader_lease SET expires_at = now() + $4 * interval '1 millisecond' WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now()", [held.lease, held.holder, held.token, this.ttlMs]);
        if (r.rowCount === 1) this.deadline = startedAt + this.ttlMs;
        else await this.stepDown(held, 'lease taken or expired');
        return;
      }
      const fence = await this.tryAcquire();
      if (fence && !this.stopped) {
        this.current = fence;
        this.deadline = startedAt + this.ttlMs;
        this.options.logger.warn({ lease: fence.lease, token: fence.token }, 'leader lease acquired: this instance runs the rules, the digest and the outbox');
        await this.options.onAcquired(fence);
      }
    } catch (err) {
      this.options.logger.warn({ err: (err as Error).message, leader: held !== null }, 'leader lease: PostgreSQL did not answer');
      if (held && this.mono() >= this.deadline) await this.stepDown(held, 'could not renew before the lease ran out');
    }
    // The local deadline may pass between ticks without a failing query (a query that hangs).
    if (this.current && this.mono() >= this.deadline) await this.stepDown(this.current, 'lease ran out');
  }

  /**
   * Deletes an expired lease and inserts ours, in one transaction. The DELETE waits for the old
   * leader's fenced transactions (they hold FOR KEY SHARE on the row) to finish.
   */
  private async tryAcquire(): Promise<Fence | null> {
    const row = await inTransaction(this.pool!, async (client) => {
      await client.query('DELETE FROM leader_lease WHERE name = $1 AND expires_at <= now()', [this.lease]);
      const r = await client.query(
        "INSERT INTO leader_lease (name, holder, token, expires_at) VALUES ($1, $2, nextval('leader_lease_token'), now() + $3 * interval '1 millisecond') ON CONFLICT (name) DO NOTHING RETURNING token",
        [this.lease, this.options.holder, this.ttlMs],
      );
      return r.rows[0] as Row | undefined;
    });
    return row ? { lease: this.lease, holder: this.options.holder, token: Number(row.token) } : null;
  }

  private async stepDown(fence: Fence, reason: string): Promise<void> {
    if (this.current !== fence) return;
    this.current = null;
    this.options.logger.warn({ lease: fence.lease, token: fence.token, reason }, 'leader lease lost: rules, digest and outbox stop here');
    try {
      await this.options.onLost(fence);
    } catch (err) {
      this.options.logger.error({ err }, 'leader lease: stopping the leader parts failed');
    }
  }
}
