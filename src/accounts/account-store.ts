import type { ApiToken, Role, SessionRecord, User, UserWithSecret } from './model.js';

export interface NewUser {
  email: string;
  role: Role;
  sites: string[];
  passwordHash: string;
  nowMs: number;
}

export interface UserPatch {
  role?: Role;
  sites?: string[];
  disabled?: boolean;
  passwordHash?: string;
}

/** An e-mail address already taken (a UNIQUE constraint of the store, not a check-then-insert race). */
export class DuplicateEmailError extends Error {
  constructor(readonly email: string) {
    super(`a user with e-mail ${email} already exists`);
    this.name = 'DuplicateEmailError';
  }
}

/**
 * Users, sessions and API tokens as the accounts module needs them (house style: the port is owned
 * by its consumer). Async throughout so that a PostgreSQL adapter fits the same contract as the
 * embedded SQLite one (src/storage/state/sqlite-accounts.ts). Secrets are stored only as hashes:
 * password hashes (scrypt), session ids and API tokens as SHA-256 of high-entropy random values.
 */
export interface AccountStore {
  countActiveAdmins(): Promise<number>;
  users(): Promise<User[]>;
  user(id: number): Promise<User | null>;
  /** With its password hash, for login only. `email` is compared lower-cased. */
  userByEmail(email: string): Promise<UserWithSecret | null>;
  /** Throws DuplicateEmailError when the e-mail is taken. */
  insertUser(user: NewUser): Promise<User>;
  /**
   * Disabling a user or changing their password ends all their sessions and (disabling) revokes
   * nothing else: tokens of a disabled user are refused at lookup, so re-enabling restores them.
   */
  updateUser(id: number, patch: UserPatch, nowMs: number): Promise<User | null>;

  insertSession(session: SessionRecord): Promise<void>;
  /** The session and its user, only when the user is not disabled. */
  session(idHash: string): Promise<{ session: SessionRecord; user: User } | null>;
  touchSession(idHash: string, nowMs: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends sessions last seen before `idleBeforeMs` or created before `createdBeforeMs`; how many. */
  deleteExpiredSessions(idleBeforeMs: number, createdBeforeMs: number): Promise<number>;

  insertToken(token: { userId: number; name: string; tokenHash: string; createdMs: number }): Promise<ApiToken>;
  tokens(userId: number): Promise<ApiToken[]>;
  /** A token that is not revoked, and its user when not disabled. */
  tokenByHash(tokenHash: string): Promise<{ token: ApiToken; user: User } | null>;
  touchToken(id: number, nowMs: number): Promise<void>;
  /** Revokes a token of `userId` (any user's when null); false when there is none to revoke. */
  revokeToken(id: number, userId: number | null, nowMs: number): Promise<boolean>;
}
