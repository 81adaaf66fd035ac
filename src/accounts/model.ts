/**
 * Accounts: three fixed roles, as ThingsBoard CE does (tenant admin / customer user), because a
 * role model that grows per installation is where Grafana's "every Viewer sees every folder"
 * (grafana/grafana#79638) came from.
 * - admin: everything, user management and silences included.
 * - working-group: every site, the comparison, alerts and their acknowledgement; never device secrets
 *   (no answer carries them for anyone: toPublicSite builds sites field by field).
 * - site-manager: the sites listed on the account, and nothing else exists for them.
 */
export const ROLES = ['admin', 'working-group', 'site-manager'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  /** Lower-cased; the login name. */
  email: string;
  role: Role;
  /** Sites of a site-manager (empty for the other roles, who see every site). */
  sites: string[];
  disabled: boolean;
  createdMs: number;
  updatedMs: number;
}

export interface UserWithSecret extends User {
  /** `scrypt$…` (see passwords.ts); never leaves the accounts module. */
  passwordHash: string;
}

export interface SessionRecord {
  /** SHA-256 of the session id: the id itself is only in the browser's cookie. */
  idHash: string;
  userId: number;
  /** Synchronizer token (OWASP CSRF Prevention cheat sheet), sent back in `x-csrf-token`. */
  csrfToken: string;
  createdMs: number;
  lastSeenMs: number;
}

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  createdMs: number;
  lastUsedMs: number | null;
  revokedMs: number | null;
}

/** Who is asking: resolved once per request by the auth plugin, read by `visibleSites`. */
export interface Caller {
  user: User;
  via: 'session' | 'token';
  /** Present when authenticated by the session cookie (CSRF applies). */
  session?: SessionRecord;
}
