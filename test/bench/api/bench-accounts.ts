import { Accounts } from '../../../src/accounts/accounts.js';
import type { AppConfig } from '../../../src/config/schema.js';
import { SqliteAccounts } from '../../../src/storage/state/sqlite-accounts.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';

/**
 * Accounts on an in-memory SQLite state store with one admin and its API token, so that the
 * benchmark goes through the real auth plugin as the dashboard does. The admin has no usable
 * password (a placeholder hash): only its token, or the password given, logs in.
 */
export interface BenchAccounts {
  accounts: Accounts;
  adminToken: string;
  /** Login of a browser user (e-mail and password), for the overview benchmark. */
  login: { email: string; password: string };
  stop(): Promise<void>;
}

export async function benchAccounts(config: AppConfig, now: () => number): Promise<BenchAccounts> {
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  const accounts = new Accounts({ store: new SqliteAccounts(state), siteIds: config.sites.map((s) => s.id), now });
  const admin = await accounts.store.insertUser({ email: 'bench-admin@test.invalid', role: 'admin', sites: [], passwordHash: 'no-password', nowMs: now() });
  const { token } = await accounts.createToken(admin, 'bench');
  const login = { email: 'bench-viewer@test.invalid', password: 'bench-viewer-password-2026' };
  await accounts.addUser({ email: login.email, password: login.password, role: 'admin', sites: [] });
  return { accounts, adminToken: token, login, stop: () => state.stop() };
}
