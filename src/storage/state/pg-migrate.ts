import type pg from 'pg';
import type { Logger } from '../../observability/logger.js';
import { inTransaction } from './pg-client.js';
import { LOCK_NAMESPACE, MIGRATION_LOCK } from './pg-locks.js';
import { PG_MIGRATIONS } from './pg-schema.js';

type Row = Record<string, unknown>;

/** Applied migrations: the highest version in schema_migrations, 0 on an empty database. */
export async function pgSchemaVersion(db: Pick<pg.Pool, 'query'>): Promise<number> {
  const r = await db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!(r.rows[0] as Row).present) return 0;
  return Number(((await db.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0] as Row).v);
}

/**
 * Brings the database to `target` (the service asks for the latest; the tests stop half-way to
 * test each migration from the one before). One transaction for all, under an advisory lock: two
 * instances starting together migrate once, and a kill leaves the previous version.
 */
export function migratePg(pool: pg.Pool, target: number, logger?: Logger): Promise<void> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)');
    const current = Number(((await client.query('SELECT coalesce(max(version), 0) AS v FROM schema_migrations')).rows[0] as Row).v);
    if (current > PG_MIGRATIONS.length) {
      throw new Error(`state database is at schema version ${current}, newer than this service knows (${PG_MIGRATIONS.length}): upgrade the service`);
    }
    for (let v = current; v < target; v += 1) {
      await client.query(PG_MIGRATIONS[v]!);
      await client.query('INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)', [v + 1, Date.now()]);
      logger?.info({ version: v + 1 }, 'state store migrated');
    }
  });
}
