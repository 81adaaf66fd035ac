import type pg from 'pg';
import type { AccountStore, NewUser, UserPatch } from '../../accounts/account-store.js';
import { DuplicateEmailError } from '../../accounts/account-store.js';
import type { ApiToken, Role, SessionRecord, User, UserWithSecret } from '../../accounts/model.js';
import { inTransaction } from './pg-client.js';
import type { Row } from './state-rows.js';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

const toToken = (r: Row): ApiToken => ({
  id: r.id as number, userId: r.user_id as number, name: r.name as string, createdMs: r.created_ms as number,
  lastUsedMs: (r.last_used_ms as number | null) ?? null, revokedMs: (r.revoked_ms as number | null) ?? null,
});

const toSession = (r: Row): SessionRecord => ({
  idHash: r.id_hash as string, userId: r.user_id as number, csrfToken: r.csrf_token as string, createdMs: r.created_ms as number, lastSeenMs: r.last_seen_ms as number,
});

/** PostgreSQL's unique_violation (Appendix A, SQLSTATE 23505). */
const UNIQUE_VIOLATION = '23505';

/**
 * The accounts port on the PostgreSQL state store (migration 2 of pg-schema.ts). Sessions live in
 * the database, so a session opened on one instance is valid on every other, and a logout or a
 * disabled user counts everywhere at the next request. Nothing is cached per instance.
 */
export class PgAccounts implements AccountStore {
  constructor(private readonly state: { conn(): pg.Pool }) {}

  private get db(): pg.Pool {
    return this.state.conn();
  }

  private inTransaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.db, work);
  }

  private static async user(db: Queryable, r: Row | undefined): Promise<User | null> {
    if (!r) return null;
    const sites = ((await db.query('SELECT site FROM user_sites WHERE user_id = $1 ORDER BY site', [r.id])).rows as Row[]).map((s) => s.site as string);
    return { id: r.id as number, email: r.email as string, role: r.role as Role, sites, disabled: r.disabled === true, createdMs: r.created_ms as number, updatedMs: r.updated_ms as number };
  }

  private static async userById(db: Queryable, id: unknown): Promise<User | null> {
    return PgAccounts.user(db, (await db.query('SELECT * FROM users WHERE id = $1', [id])).rows[0] as Row | undefined);
  }

  async countActiveAdmins(): Promise<number> {
    return ((await this.db.query("SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled")).rows[0] as Row).n as number;
  }

  async users(): Promise<User[]> {
    const rows = (await this.db.query('SELECT * FROM users ORDER BY email')).rows as Row[];
    return Promise.all(rows.map(async (r) => (await PgAccounts.user(this.db, r))!));
  }

  user(id: number): Promise<User | null> {
    return PgAccounts.userById(this.db, id);
  }

  async userByEmail(email: string): Promise<UserWithSecret | null> {
    const r = (await this.db.query('SELECT * FROM users WHERE lower(email) = $1', [email.toLowerCase()])).rows[0] as Row | undefined;
    const u = await PgAccounts.user(this.db, r);
    return u ? { ...u, passwordHash: r!.password_hash as string } : null;
  }

  insertUser(u: NewUser): Promise<User> {
    return this.inTransaction(async (c) => {
      let id: number;
      try {
        id = ((await c.query('INSERT INTO users (email, role, password_hash, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id', [u.email.toLowerCase(), u.role, u.passwordHash, u.nowMs, u.nowMs])).rows[0] as Row).id as number;
      } catch (err) {
        if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateEmailError(u.email);
        throw err;
      }
      for (const site of u.sites) await c.query('INSERT INTO user_sites (user_id, site) VALUES ($1, $2)', [id, site]);
      return (await PgAccounts.userById(c, id))!;
    });
  }

  updateUser(id: number, patch: UserPatch, nowMs: number): Promise<User | null> {
    return this.inTransaction(async (c) => {
      // FOR UPDATE: two admins editing one user at once apply one after the other.
      if ((await c.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [id])).rowCount === 0) return null;
      if (patch.role !== undefined) await c.query('UPDATE users SET role = $1 WHERE id = $2', [patch.role, id]);
      if (patch.disabled !== undefined) await c.query('UPDATE users SET disabled = $1 WHERE id = $2', [patch.disabled, id]);
      if (patch.passwordHash !== undefined) await c.query('UPDATE users SET password_hash = $1 WHERE id = $2', [patch.passwordHash, id]);
      if (patch.sites !== undefined) {
        await c.query('DELETE FROM user_sites WHERE user_id = $1', [id]);
        for (const site of patch.sites) await c.query('INSERT INTO user_sites (user_id, site) VALUES ($1, $2)', [id, site]);
      }
      // OWASP Session Management: end sessions on a privilege or password change, and on disabling (issue 11).
      if (patch.disabled === true || patch.passwordHash !== undefined || patch.role !== undefined || patch.sites !== undefined) {
        await c.query('DELETE FROM sessions WHERE user_id = $1', [id]);
      }
      await c.query('UPDATE users SET updated_ms = $1 WHERE id = $2', [nowMs, id]);
      return PgAccounts.userById(c, id);
    });
  }

  async insertSession(s: SessionRecord): Promise<void> {
    await this.db.query('INSERT INTO sessions (id_hash, user_id, csrf_token, created_ms, last_seen_ms) VALUES ($1, $2, $3, $4, $5)', [s.idHash, s.userId, s.csrfToken, s.createdMs, s.lastSeenMs]);
  }

  async session(idHash: string): Promise<{ session: SessionRecord; user: User } | null> {
    const r = (await this.db.query('SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND NOT u.disabled', [idHash])).rows[0] as Row | undefined;
    if (!r) return null;
    const user = await PgAccounts.userById(this.db, r.user_id);
    return user ? { session: toSession(r), user } : null;
  }

  async touchSession(idHash: string, nowMs: number): Promise<void> {
    await this.db.query('UPDATE sessions SET last_seen_ms = $1 WHERE id_hash = $2', [nowMs, idHash]);
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteExpiredSessions(idleBeforeMs: number, createdBeforeMs: number): Promise<number> {
    return (await this.db.query('DELETE FROM sessions WHERE last_seen_ms < $1 OR created_ms < $2', [idleBeforeMs, createdBeforeMs])).rowCount ?? 0;
  }

  async insertToken(t: { userId: number; name: string; tokenHash: string; createdMs: number }): Promise<ApiToken> {
    return toToken((await this.db.query('INSERT INTO api_tokens (user_id, name, token_hash, created_ms) VALUES ($1, $2, $3, $4) RETURNING *', [t.userId, t.name, t.tokenHash, t.createdMs])).rows[0] as Row);
  }

  async tokens(userId: number): Promise<ApiToken[]> {
    return ((await this.db.query('SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY id', [userId])).rows as Row[]).map(toToken);
  }

  async tokenByHash(tokenHash: string): Promise<{ token: ApiToken; user: User } | null> {
    const r = (await this.db.query('SELECT t.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_ms IS NULL AND NOT u.disabled', [tokenHash])).rows[0] as Row | undefined;
    if (!r) return null;
    const user = await PgAccounts.userById(this.db, r.user_id);
    return user ? { token: toToken(r), user } : null;
  }

  async touchToken(id: number, nowMs: number): Promise<void> {
    await this.db.query('UPDATE api_tokens SET last_used_ms = $1 WHERE id = $2', [nowMs, id]);
  }

  async revokeToken(id: number, userId: number | null, nowMs: number): Promise<boolean> {
    const r = userId === null
      ? await this.db.query('UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL', [nowMs, id])
      : await this.db.query('UPDATE api_tokens SET revoked_ms = $1 WHERE id = $2 AND user_id = $3 AND revoked_ms IS NULL', [nowMs, id, userId]);
    return (r.rowCount ?? 0) > 0;
  }
}
