import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgAccounts } from '../../src/storage/state/pg-accounts.js';
import { migratePg, pgSchemaVersion } from '../../src/storage/state/pg-migrate.js';
import { PG_MIGRATIONS } from '../../src/storage/state/pg-schema.js';
import { PgStateStore } from '../../src/storage/state/pg-state-store.js';
import { startPostgres, type PostgresHandle } from '../helpers/postgres.js';
import { describeStateStoreContract, newAlert } from '../storage/state-contract.js';

let server: PostgresHandle;
let serverStarted: Promise<PostgresHandle> | null = null;
let dbCounter = 0;
/** One server for the file; a fresh database per use. */
async function freshDatabase(): Promise<string> {
  serverStarted ??= startPostgres();
  server = await serverStarted;
  return server.createDatabase(`t${process.pid}_${++dbCounter}`);
}
afterAll(async () => {
  if (serverStarted) await (await serverStarted).stop();
});

describeStateStoreContract('postgres', async () => {
  const url = await freshDatabase();
  const store = new PgStateStore({ connectionString: url });
  await store.start();
  let current = store;
  return {
    store,
    accounts: (s) => new PgAccounts(s as PgStateStore),
    reopen: async () => {
      await current.stop();
      current = new PgStateStore({ connectionString: url });
      await current.start();
      return current;
    },
    cleanup: async () => current.stop(),
  };
});

describe('postgres state store migrations', () => {
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
  });

  it('creates the schema at the latest version from an empty database, twice at once, and refuses a newer one', async () => {
    const a = new PgStateStore({ connectionString: url });
    const b = new PgStateStore({ connectionString: url });
    // Two instances starting together: the advisory lock lets one migrate, the other finds it done.
    await Promise.all([a.start(), b.start()]);
    expect(await a.schemaVersion()).toBe(PG_MIGRATIONS.length);
    const versions = (await a.conn().query('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r: { version: number }) => r.version);
    expect(versions).toEqual(PG_MIGRATIONS.map((_, i) => i + 1));
    await a.conn().query('INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, 0)', [PG_MIGRATIONS.length + 1]);
    await a.stop();
    await a.stop();
    await b.stop();
    await expect(new PgStateStore({ connectionString: url }).start()).rejects.toThrow(/newer than this service knows/);
  });

  // Each migration from the one before it: data written at version v is still there at v + 1.
  const seeds: Array<(db: pg.Pool) => Promise<void>> = [
    async () => undefined,
    async (db) => {
      const a = newAlert('migrated');
      await db.query(
        `INSERT INTO alerts (site, device, rule, rule_type, quantity, severity, state, start_ms, opened_ms, updated_ms, measured, expected, unit, summary)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, $11, $12, $13)`,
        [a.site, a.device, a.rule, a.ruleType, a.quantity, a.severity, a.startMs, a.openedMs, a.updatedMs, a.measured, a.expected, a.unit, a.summary],
      );
    },
    async (db) => {
      await db.query("INSERT INTO users (email, role, password_hash, created_ms, updated_ms) VALUES ('kept@example.org', 'admin', 'h', 1, 1)");
    },
    async (db) => {
      await db.query("INSERT INTO leader_lease (name, holder, token, expires_at) VALUES ('leader', 'kept-holder', nextval('leader_lease_token'), now() + interval '1 hour')");
    },
  ];
  for (let version = 0; version < PG_MIGRATIONS.length; version += 1) {
    it(`migrates from version ${version} to ${version + 1}, keeping the data`, async () => {
      const dbUrl = await freshDatabase();
      const pool = new pg.Pool({ connectionString: dbUrl });
      try {
        await migratePg(pool, version);
        expect(await pgSchemaVersion(pool)).toBe(version);
        for (const seed of seeds.slice(0, version + 1)) await seed(pool);
        await migratePg(pool, version + 1);
        expect(await pgSchemaVersion(pool)).toBe(version + 1);
        if (version >= 1) expect((await pool.query("SELECT measured FROM alerts WHERE site = 'migrated'")).rows).toEqual([{ measured: 42.5 }]);
        if (version >= 2) expect((await pool.query("SELECT role FROM users WHERE email = 'kept@example.org'")).rows).toEqual([{ role: 'admin' }]);
        if (version >= 3) expect((await pool.query('SELECT holder FROM leader_lease')).rows).toEqual([{ holder: 'kept-holder' }]);
        if (version === 3) {
          // 4 adds the late-data marks: one row per series, moved earlier, never later.
          await pool.query("INSERT INTO late_readings (site, device, quantity, earliest_ms) VALUES ('s', 'd', 'co2_ppm', 5)");
          await expect(pool.query("INSERT INTO late_readings (site, device, quantity, earliest_ms) VALUES ('s', 'd', 'co2_ppm', 3)")).rejects.toThrow(/duplicate key/);
          expect((await pool.query('SELECT earliest_ms, version FROM late_readings')).rows).toEqual([{ earliest_ms: '5', version: '1' }]);
        }
      } finally {
        await pool.end();
      }
      // And the service's own start finishes the job from there.
      const store = new PgStateStore({ connectionString: dbUrl });
      await store.start();
      expect(await store.schemaVersion()).toBe(PG_MIGRATIONS.length);
      if (version >= 1) expect(await store.read.activeAlert({ site: 'migrated', device: 'tgbt', rule: 'night-load' })).toMatchObject({ measured: 42.5, state: 'open' });
      await store.stop();
    });
  }
});
