import type { AccountStore, UserPatch } from './account-store.js';
import { DuplicateEmailError } from './account-store.js';
import type { ApiToken, Caller, Role, SessionRecord, User } from './model.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { randomSecret, sha256, TOKEN_PREFIX } from './secrets.js';
import { UserInputError, emailField, roleField, sitesField } from './user-input.js';

export interface SessionLimits {
  /** Ended after this long without a request (OWASP Session Management: 15-30 min for sensitive data). */
  idleMs: number;
  /** Ended this long after login whatever the activity (OWASP: absolute timeout, 4-8 h for an office day). */
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 10 * 3_600_000 };

/** A session's last-seen time is written at most this often: one write per request would contend with the CLI. */
const TOUCH_EVERY_MS = 60_000;

export interface AccountsOptions {
  store: AccountStore;
  /** Site ids that exist: a site-manager's sites must be among them. */
  siteIds: readonly string[];
  now: () => number;
  limits?: SessionLimits;
}

export interface NewUserInput {
  email: string;
  role: string;
  sites?: string[];
  password: string;
}

/**
 * Users, logins, sessions and tokens over an AccountStore. Nothing here caches a user: every
 * request reads the store, so a user disabled by the CLI (another process) is refused at their
 * next request, and their sessions are gone already (the store deletes them with the change).
 */
export class Accounts {
  readonly limits: SessionLimits;
  constructor(private readonly options: AccountsOptions) {
    this.limits = options.limits ?? DEFAULT_SESSION_LIMITS;
  }

  get store(): AccountStore {
    return this.options.store;
  }

  private checkSites(role: Role, sites: string[] | undefined): string[] {
    const parsed = sitesField.safeParse(sites ?? []);
    if (!parsed.success) throw new UserInputError('sites', parsed.error.issues[0]?.message ?? 'invalid');
    const unknown = parsed.data.filter((s) => !this.options.siteIds.includes(s));
    if (unknown.length) throw new UserInputError('sites', `unknown site ${JSON.stringify(unknown[0])} (known: ${this.options.siteIds.join(', ')})`);
    if (role === 'site-manager' && parsed.data.length === 0) throw new UserInputError('sites', 'a site-manager needs at least one site');
    // Admins and the working group see every site: a list on them would be a false promise of a limit.
    if (role !== 'site-manager' && parsed.data.length > 0) throw new UserInputError('sites', `only a site-manager has a list of sites (role is ${role})`);
    return [...new Set(parsed.data)];
  }

  private static field<T>(name: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } } }, value: unknown): T {
    const r = schema.safeParse(value);
    if (!r.success) throw new UserInputError(name, r.error.issues[0]?.message ?? 'invalid');
    return r.data;
  }

  async addUser(input: NewUserInput): Promise<User> {
    const email = Accounts.field('email', emailField, input.email);
    const role = Accounts.field('role', roleField, input.role);
    const sites = this.checkSites(role, input.sites);
    const problem = passwordProblem(input.password);
    if (problem) throw new UserInputError('password', problem);
    try {
      return await this.store.insertUser({ email, role, sites, passwordHash: await hashPassword(input.password), nowMs: this.options.now() });
    } catch (err) {
      if (err instanceof DuplicateEmailError) throw new UserInputError('email', 'a user with this e-mail already exists');
      throw err;
    }
  }

  /** Role, sites, disabled, password: each checked; the last active admin cannot be demoted or disabled. */
  async updateUser(id: number, change: { role?: string; sites?: string[]; disabled?: boolean; password?: string }): Promise<User | null> {
    const current = await this.store.user(id);
    if (!current) return null;
    const patch: UserPatch = {};
    const role = change.role !== undefined ? Accounts.field('role', roleField, change.role) : current.role;
    if (change.role !== undefined) patch.role = role;
    if (change.sites !== undefined || change.role !== undefined) patch.sites = this.checkSites(role, change.sites ?? (role === 'site-manager' ? current.sites : []));
    if (change.disabled !== undefined) patch.disabled = change.disabled;
    if (change.password !== undefined) {
      const problem = passwordProblem(change.password);
      if (problem) throw new UserInputError('password', problem);
      patch.passwordHash = await hashPassword(change.password);
    }
    const losesAdmin = current.role === 'admin' && !current.disabled && (role !== 'admin' || change.disabled === true);
    if (losesAdmin && (await this.store.countActiveAdmins()) <= 1) throw new UserInputError(change.disabled ? 'disabled' : 'role', 'this is the last active admin');
    return this.store.updateUser(id, patch, this.options.now());
  }

  async userByEmail(email: string): Promise<User | null> {
    const u = await this.store.userByEmail(Accounts.field('email', emailField, email));
    if (!u) return null;
    const { passwordHash: _hash, ...user } = u;
    return user;
  }

  /** The user when the password matches an enabled account; null otherwise (which one is not said). */
  async verifyLogin(email: string, password: string): Promise<User | null> {
    const parsed = emailField.safeParse(email);
    const found = parsed.success ? await this.store.userByEmail(parsed.data) : null;
    const ok = await verifyPassword(password, found && !found.disabled ? found.passwordHash : null);
    if (!ok || !found) return null;
    const { passwordHash: _hash, ...user } = found;
    return user;
  }

  /** A new session; the id is returned once, for the cookie, and only its hash is stored. */
  async openSession(user: User): Promise<{ id: string; session: SessionRecord }> {
    const id = randomSecret();
    const nowMs = this.options.now();
    const session: SessionRecord = { idHash: sha256(id), userId: user.id, csrfToken: randomSecret(), createdMs: nowMs, lastSeenMs: nowMs };
    await this.store.insertSession(session);
    return { id, session };
  }

  /** The caller of a session cookie, or null when unknown, expired (idle or absolute) or its user disabled. */
  async sessionCaller(id: string): Promise<Caller | null> {
    if (id.length > 100) return null;
    const found = await this.store.session(sha256(id));
    if (!found) return null;
    const nowMs = this.options.now();
    const { session, user } = found;
    if (nowMs - session.lastSeenMs > this.limits.idleMs || nowMs - session.createdMs > this.limits.absoluteMs) {
      await this.store.deleteSession(session.idHash);
      return null;
    }
    if (nowMs - session.lastSeenMs > TOUCH_EVERY_MS) await this.store.touchSession(session.idHash, nowMs);
    return { user, via: 'session', session };
  }

  async closeSession(idHash: string): Promise<void> {
    await this.store.deleteSession(idHash);
  }

  /** A personal API token: the value is returned once; only its SHA-256 is kept. */
  async createToken(user: User, name: string): Promise<{ token: string; record: ApiToken }> {
    const token = randomSecret(TOKEN_PREFIX);
    const record = await this.store.insertToken({ userId: user.id, name, tokenHash: sha256(token), createdMs: this.options.now() });
    return { token, record };
  }

  async tokenCaller(token: string): Promise<Caller | null> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
    const found = await this.store.tokenByHash(sha256(token));
    if (!found) return null;
    const nowMs = this.options.now();
    if (found.token.lastUsedMs === null || nowMs - found.token.lastUsedMs > TOUCH_EVERY_MS) await this.store.touchToken(found.token.id, nowMs);
    return { user: found.user, via: 'token' };
  }
}
