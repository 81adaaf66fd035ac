import type Database from 'better-sqlite3';
import type { AccountStore, NewUser, UserPatch } from '../../accounts/account-store.js';
import { DuplicateEmailError } from '../../accounts/account-store.js';
import type { ApiToken, Role, SessionRecord, User, UserWithSecret } from '../../accounts/model.js';
import type { SqliteStateStore } from './sqlite-state-store.js';

type Row = Record<string, unknown>;

const toToken = (r: Row): ApiToken => ({
  id: r.id as number, userId: r.user_id as number, name: r.name as string, createdMs: r.created_ms as number,
  lastUsedMs: (r.last_used_ms as number | null) ?? null, revokedMs: (r.revoked_ms as number | null) ?? null,
});

const toSession = (r: Row): SessionRecord => ({
  idHash: r.id_hash as string, userId: r.user_id as number, csrfToken: r.csrf_token as string, createdMs: r.created_ms as number, lastSeenMs: r.last_seen_ms as number,
});

/**
 * The accounts port on the embedded state store (migration 2 of sqlite-schema.ts). Each method is
 * one statement or one transaction on the store's connection, run in turn with the alert
 * transactions (`SqliteStateStore.exclusive`). The CLI opens the same file from another process
 * while the service runs (WAL + busy_timeout): nothing here is cached, so its changes count at the
 * next request.
 */
export class SqliteAccounts implements AccountStore {
  constructor(private readonly state: Pick<SqliteStateStore, 'exclusive'>) {}

  private run<T>(work: (db: Database.Database) => T): Promise<T> {
    return this.state.exclusive(work);
  }

  private static user(db: Database.Database, r: Row | undefined): User | null {
    if (!r) return null;
    const sites = (db.prepare('SELECT site FROM user_sites WHERE user_id = ? ORDER BY site').all(r.id) as Row[]).map((s) => s.site as string);
    return { id: r.id as number, email: r.email as string, role: r.role as Role, sites, disabled: r.disabled === 1, createdMs: r.created_ms as number, updatedMs: r.updated_ms as number };
  }

  countActiveAdmins(): Promise<number> {
    return this.run((db) => (db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get() as Row).n as number);
  }

  users(): Promise<User[]> {
    return this.run((db) => (db.prepare('SELECT * FROM users ORDER BY email').all() as Row[]).map((r) => SqliteAccounts.user(db, r)!));
  }

  user(id: number): Promise<User | null> {
    return this.run((db) => SqliteAccounts.user(db, db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined));
  }

  userByEmail(email: string): Promise<UserWithSecret | null> {
    return this.run((db) => {
      const r = db.prepare('SELECT * FROM users WHERE email = ?').get(email.toLowerCase()) as Row | undefined;
      const u = SqliteAccounts.user(db, r);
      return u ? { ...u, passwordHash: r!.password_hash as string } : null;
    });
  }

  insertUser(u: NewUser): Promise<User> {
    return this.run((db) =>
      db.transaction(() => {
        let id: number;
        try {
          id = Number(db.prepare('INSERT INTO users (email, role, password_hash, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?)').run(u.email.toLowerCase(), u.role, u.passwordHash, u.nowMs, u.nowMs).lastInsertRowid);
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new DuplicateEmailError(u.email);
          throw err;
        }
        const add = db.prepare('INSERT INTO user_sites (user_id, site) VALUES (?, ?)');
        for (const site of u.sites) add.run(id, site);
        return SqliteAccounts.user(db, db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row)!;
      }).immediate(),
    );
  }

  updateUser(id: number, patch: UserPatch, nowMs: number): Promise<User | null> {
    return this.run((db) =>
      db.transaction(() => {
        if (!db.prepare('SELECT id FROM users WHERE id = ?').get(id)) return null;
        if (patch.role !== undefined) db.prepare('UPDATE users SET role = ? WHERE id = ?').run(patch.role, id);
        if (patch.disabled !== undefined) db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(patch.disabled ? 1 : 0, id);
        if (patch.passwordHash !== undefined) db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(patch.passwordHash, id);
        if (patch.sites !== undefined) {
          db.prepare('DELETE FROM user_sites WHERE user_id = ?').run(id);
          const add = db.prepare('INSERT INTO user_sites (user_id, site) VALUES (?, ?)');
          for (const site of patch.sites) add.run(id, site);
        }
        // OWASP Session Management: renew or end sessions on a privilege change and on a password
        // change; disabling ends them at once (issue 11).
        if (patch.disabled === true || patch.passwordHash !== undefined || patch.role !== undefined || patch.sites !== undefined) {
          db.prepare('DELETE FROM sessions WHERE user_id = ?').run(id);
        }
        db.prepare('UPDATE users SET updated_ms = ? WHERE id = ?').run(nowMs, id);
        return SqliteAccounts.user(db, db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row);
      }).immediate(),
    );
  }

  insertSession(s: SessionRecord): Promise<void> {
    return this.run((db) => {
      db.prepare('INSERT INTO sessions (id_hash, user_id, csrf_token, created_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)').run(s.idHash, s.userId, s.csrfToken, s.createdMs, s.lastSeenMs);
    });
  }

  session(idHash: string): Promise<{ session: SessionRecord; user: User } | null> {
    return this.run((db) => {
      const r = db.prepare('SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND u.disabled = 0').get(idHash) as Row | undefined;
      if (!r) return null;
      const user = SqliteAccounts.user(db, db.prepare('SELECT * FROM users WHERE id = ?').get(r.user_id) as Row)!;
      return { session: toSession(r), user };
    });
  }

  touchSession(idHash: string, nowMs: number): Promise<void> {
    return this.run((db) => {
      db.prepare('UPDATE sessions SET last_seen_ms = ? WHERE id_hash = ?').run(nowMs, idHash);
    });
  }

  deleteSession(idHash: string): Promise<void> {
    return this.run((db) => {
      db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
    });
  }

  deleteExpiredSessions(idleBeforeMs: number, createdBeforeMs: number): Promise<number> {
    return this.run((db) => db.prepare('DELETE FROM sessions WHERE last_seen_ms < ? OR created_ms < ?').run(idleBeforeMs, createdBeforeMs).changes);
  }

  insertToken(t: { userId: number; name: string; tokenHash: string; createdMs: number }): Promise<ApiToken> {
    return this.run((db) => {
      const id = db.prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_ms) VALUES (?, ?, ?, ?)').run(t.userId, t.name, t.tokenHash, t.createdMs).lastInsertRowid;
      return toToken(db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as Row);
    });
  }

  tokens(userId: number): Promise<ApiToken[]> {
    return this.run((db) => (db.prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY id').all(userId) as Row[]).map(toToken));
  }

  tokenByHash(tokenHash: string): Promise<{ token: ApiToken; user: User } | null> {
    return this.run((db) => {
      const r = db.prepare('SELECT t.* FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_ms IS NULL AND u.disabled = 0').get(tokenHash) as Row | undefined;
      if (!r) return null;
      return { token: toToken(r), user: SqliteAccounts.user(db, db.prepare('SELECT * FROM users WHERE id = ?').get(r.user_id) as Row)! };
    });
  }

  touchToken(id: number, nowMs: number): Promise<void> {
    return this.run((db) => {
      db.prepare('UPDATE api_tokens SET last_used_ms = ? WHERE id = ?').run(nowMs, id);
    });
  }

  revokeToken(id: number, userId: number | null, nowMs: number): Promise<boolean> {
    return this.run((db) =>
      userId === null
        ? db.prepare('UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL').run(nowMs, id).changes > 0
        : db.prepare('UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND user_id = ? AND revoked_ms IS NULL').run(nowMs, id, userId).changes > 0,
    );
  }
}
