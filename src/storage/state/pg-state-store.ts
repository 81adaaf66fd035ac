import pg from 'pg';
import type { AlertEvent, AlertKey } from '../../alerts/model.js';
import { NotLeaderError, type AlertFilter, type AlertPatch, type Fence, type NewAlert, type NewMail, type StateReads, type StateStore, type StateTx, type TxOptions } from '../../alerts/state-port.js';
import type { Logger } from '../../observability/logger.js';
import { inTransaction } from './pg-client.js';
import { migratePg, pgSchemaVersion } from './pg-migrate.js';
import { PG_MIGRATIONS } from './pg-schema.js';
import { ALERT_COLUMNS, toAlert, toMail, toSilence, type Row } from './state-rows.js';

export interface PgStateStoreOptions {
  /** DATABASE_URL, e.g. postgres://app:secret@db:5432/energy. */
  connectionString: string;
  logger?: Logger;
  /** Pool size per instance (default 10). */
  maxConnections?: number;
}

/** Any query runner: the pool (reads outside a transaction) or one checked-out client. */
type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

import { LOCK_NAMESPACE, STATE_WRITE_LOCK } from './pg-locks.js';

/**
 * int8 (counts, BIGINT epoch ms, BIGSERIAL ids) as JS numbers rather than pg's default strings;
 * every value we store is below 2^53. Per pool, not pg.types.setTypeParser (a process-wide global).
 */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Builds `$n` placeholders while collecting their values: SQL from fixed fragments, values bound. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  list(values: readonly unknown[]): string {
    return values.map((v) => this.add(v)).join(', ');
  }
}

/**
 * The state store on PostgreSQL, for several instances (issue 9). Same port and contract as the
 * embedded SQLite store; the schema is created and migrated at start (pg-schema.ts).
 *
 * Every transaction takes one transaction-level advisory lock first, so state transactions run
 * one at a time across all instances, as SQLite's single writer does: the read-modify-write
 * cycles of the rules and the acknowledgements cannot lose an update, and no caller needs retry
 * logic (SERIALIZABLE would need one). State writes are a few per minute; the lock costs one
 * round trip. A transaction-level lock is released at COMMIT or ROLLBACK, so it is also correct
 * behind a transaction-pooling proxy (PgBouncer pool_mode=transaction), unlike a session lock.
 *
 * Sessions are cut by the server after `idle_in_transaction_session_timeout` (15 s): a client that
 * vanished mid-transaction (partition, frozen process) cannot hold the write lock or the lease
 * row beyond that.
 */
export class PgStateStore implements StateStore {
  readonly kind = 'postgres' as const;
  private pool: pg.Pool | null = null;
  readonly read: StateReads;

  constructor(private readonly options: PgStateStoreOptions) {
    this.read = this.accessor(() => this.conn());
  }

  async start(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: this.options.maxConnections ?? 10,
      types,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      options: '-c idle_in_transaction_session_timeout=15000',
      application_name: 'smart-building-energy',
    });
    // An idle client losing its server (PostgreSQL restarting) must not crash the process: the pool
    // drops it and the next query opens a new one.
    pool.on('error', (err) => this.options.logger?.warn({ err: err.message }, 'state store: idle PostgreSQL connection lost'));
    this.pool = pool;
    try {
      await migratePg(pool, PG_MIGRATIONS.length, this.options.logger);
    } catch (err) {
      this.pool = null;
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    this.pool = null;
    await pool.end();
  }

  /** Applied migrations (0 on an empty database). */
  schemaVersion(): Promise<number> {
    return pgSchemaVersion(this.conn());
  }

  /** The pool, for sibling adapters on the same database (pg-accounts.ts, the leader lease). */
  conn(): pg.Pool {
    if (!this.pool) throw new Error('state store is not started');
    return this.pool;
  }

  transaction<T>(work: (tx: StateTx) => Promise<T>, options?: TxOptions): Promise<T> {
    return inTransaction(this.conn(), async (client) => {
      if (options?.serialized !== false) await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, STATE_WRITE_LOCK]);
      if (options?.fence) await assertFence(client, options.fence);
      return work(this.accessor(() => client));
    });
  }

  private accessor(db: () => Queryable): StateTx {
    const rows = async (sql: string, values: unknown[] = []) => (await db().query(sql, values)).rows as Row[];
    const one = async (sql: string, values: unknown[] = []) => (await rows(sql, values))[0];
    const alertById = async (id: number) => {
      const r = await one('SELECT * FROM alerts WHERE id = $1', [id]);
      return r ? toAlert(r) : null;
    };
    const keyArgs = (k: AlertKey) => [k.site, k.device, k.rule];
    return {
      alert: alertById,
      alerts: async (f: AlertFilter) => {
        const p = new Params();
        const where: string[] = [];
        if (f.states?.length) where.push(`state IN (${p.list(f.states)})`);
        if (f.sites) where.push(f.sites.length ? `site IN (${p.list(f.sites)})` : 'FALSE');
        if (f.severities?.length) where.push(`severity IN (${p.list(f.severities)})`);
        if (f.toMs !== undefined) where.push(`start_ms < ${p.add(f.toMs)}`);
        if (f.fromMs !== undefined) where.push(`(resolved_ms IS NULL OR resolved_ms >= ${p.add(f.fromMs)})`);
        const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_ms DESC, id DESC LIMIT ${p.add(f.limit ?? 1000)}`;
        return (await rows(sql, p.values)).map(toAlert);
      },
      alertEvents: async (alertId) =>
        (await rows('SELECT * FROM alert_events WHERE alert_id = $1 ORDER BY id', [alertId])).map(
          (r): AlertEvent => ({ id: r.id as number, alertId: r.alert_id as number, atMs: r.at_ms as number, kind: r.kind as AlertEvent['kind'], by: (r.by as string | null) ?? null, detail: r.detail as Record<string, unknown> }),
        ),
      activeAlert: async (k) => {
        const r = await one("SELECT * FROM alerts WHERE site = $1 AND device = $2 AND rule = $3 AND state <> 'resolved'", keyArgs(k));
        return r ? toAlert(r) : null;
      },
      lastResolvedAlert: async (k) => {
        const r = await one("SELECT * FROM alerts WHERE site = $1 AND device = $2 AND rule = $3 AND state = 'resolved' ORDER BY resolved_ms DESC, id DESC LIMIT 1", keyArgs(k));
        return r ? toAlert(r) : null;
      },
      ruleState: async (k) => {
        const r = await one('SELECT state FROM rule_state WHERE site = $1 AND device = $2 AND rule = $3', keyArgs(k));
        return r ? (r.state as unknown) : null;
      },
      silences: async (f) => {
        const p = new Params();
        const where: string[] = [];
        if (f.sites) where.push(f.sites.length ? `site IN (${p.list(f.sites)})` : 'FALSE');
        if (f.activeAtMs !== undefined) {
          const at = p.add(f.activeAtMs);
          where.push(`from_ms <= ${at} AND ${at} < to_ms`);
        }
        return (await rows(`SELECT * FROM silences ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY from_ms DESC, id DESC`, p.values)).map(toSilence);
      },
      silence: async (id) => {
        const r = await one('SELECT * FROM silences WHERE id = $1', [id]);
        return r ? toSilence(r) : null;
      },
      dueMails: async (nowMs, limit) => (await rows('SELECT * FROM outbox WHERE sent_ms IS NULL AND next_attempt_ms <= $1 ORDER BY id LIMIT $2', [nowMs, limit])).map(toMail),
      outboxDepth: async () => (await one('SELECT count(*) AS n FROM outbox WHERE sent_ms IS NULL'))!.n as number,
      sentCount: async (recipient, sinceMs) => (await one('SELECT count(*) AS n FROM outbox WHERE recipient = $1 AND sent_ms >= $2', [recipient, sinceMs]))!.n as number,
      mail: async (messageId) => {
        const r = await one('SELECT * FROM outbox WHERE message_id = $1', [messageId]);
        return r ? toMail(r) : null;
      },

      insertAlert: async (a: NewAlert) =>
        toAlert(
          (await one(
            `INSERT INTO alerts (site, device, rule, rule_type, quantity, severity, state, start_ms, opened_ms, updated_ms, measured, expected, unit, summary)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
            [a.site, a.device, a.rule, a.ruleType, a.quantity, a.severity, a.state ?? 'open', a.startMs, a.openedMs, a.updatedMs, a.measured, a.expected, a.unit, a.summary],
          ))!,
        ),
      updateAlert: async (id: number, patch: AlertPatch) => {
        const entries = Object.entries(patch).filter(([k, v]) => v !== undefined && k in ALERT_COLUMNS);
        if (entries.length > 0) {
          const p = new Params();
          // Column names come from ALERT_COLUMNS (fixed), never from the patch's keys as given.
          const sets = entries.map(([k, v]) => `${ALERT_COLUMNS[k as keyof typeof ALERT_COLUMNS]} = ${p.add(v)}`).join(', ');
          await db().query(`UPDATE alerts SET ${sets} WHERE id = ${p.add(id)}`, p.values);
        }
        const updated = await alertById(id);
        if (!updated) throw new Error(`no alert ${id}`);
        return updated;
      },
      addAlertEvent: async (e) => {
        await db().query('INSERT INTO alert_events (alert_id, at_ms, kind, by, detail) VALUES ($1, $2, $3, $4, $5)', [e.alertId, e.atMs, e.kind, e.by, JSON.stringify(e.detail)]);
      },
      putRuleState: async (k, state, atMs) => {
        await db().query(
          `INSERT INTO rule_state (site, device, rule, state, updated_ms) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (site, device, rule) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms`,
          [...keyArgs(k), JSON.stringify(state), atMs],
        );
      },
      insertSilence: async (s) =>
        toSilence(
          (await one('INSERT INTO silences (site, device, from_ms, to_ms, reason, created_by, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *', [s.site, s.device, s.fromMs, s.toMs, s.reason, s.createdBy, s.createdMs]))!,
        ),
      deleteSilence: async (id) => ((await db().query('DELETE FROM silences WHERE id = $1', [id])).rowCount ?? 0) > 0,
      enqueueMail: async (m: NewMail) =>
        ((
          await db().query(
            `INSERT INTO outbox (message_id, kind, alert_id, recipient, subject, text, html, created_ms, next_attempt_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (message_id) DO NOTHING`,
            [m.messageId, m.kind, m.alertId, m.recipient, m.subject, m.text, m.html, m.createdMs, m.nextAttemptMs],
          )
        ).rowCount ?? 0) > 0,
      markMailSent: async (id, sentMs) => {
        await db().query('UPDATE outbox SET sent_ms = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2', [sentMs, id]);
      },
      markMailFailed: async (id, error, nextAttemptMs) => {
        await db().query('UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_ms = $2 WHERE id = $3', [error.slice(0, 500), nextAttemptMs, id]);
      },
    };
  }
}

/**
 * The fencing check, inside the caller's transaction. FOR KEY SHARE locks the lease row until
 * COMMIT: a takeover, which DELETEs the expired row (src/cluster/leader-lease.ts), waits until this
 * transaction has committed or rolled back, so no write of a deposed leader can land after the new
 * leader's token was issued. The holder's own renewal (an UPDATE of expires_at, a non-key column)
 * does not conflict with FOR KEY SHARE (PostgreSQL docs, "Row-Level Locks"), so a long leader
 * transaction does not hold up its own lease. Expiry is judged on the database's clock.
 */
async function assertFence(client: pg.PoolClient, fence: Fence): Promise<void> {
  const r = (await client.query('SELECT holder, token, expires_at > now() AS live FROM leader_lease WHERE name = $1 FOR KEY SHARE', [fence.lease])).rows[0] as Row | undefined;
  if (!r || r.holder !== fence.holder || r.token !== fence.token || r.live !== true) throw new NotLeaderError(fence);
}
