import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp } from '../../../src/api/app.js';
import type { AppDeps } from '../../../src/api/deps.js';
import { loadConfigFile } from '../../../src/config/load.js';
import type { AppConfig } from '../../../src/config/schema.js';
import type { IngestStatus, RejectionRecord } from '../../../src/ingest/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import type { WriteStatus } from '../../../src/storage/write-status.js';
import { Accounts } from '../../../src/accounts/accounts.js';
import type { User } from '../../../src/accounts/model.js';
import { SqliteAccounts } from '../../../src/storage/state/sqlite-accounts.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';
import { FakeStore } from './fake-store.js';

/** The shipped example, with its published demo secrets (env empty: every `${VAR:-demo-…}` falls back). */
export function exampleConfig(): AppConfig {
  return loadConfigFile(fileURLToPath(new URL('../../../config/sites.example.yaml', import.meta.url)), {});
}

/** Every device secret of a configuration: none may ever appear in a response. */
export function secretsOf(config: AppConfig): string[] {
  return config.sites.flatMap((s) => s.devices.flatMap((d) => [d.secret, d.secretHash].filter((x): x is string => x !== undefined)));
}

export const NOW_MS = Date.parse('2026-11-02T12:00:00Z');

export interface Harness {
  app: FastifyInstance;
  deps: AppDeps;
  store: FakeStore;
  ingestStatus: IngestStatus;
  writeStatus: WriteStatus;
  rejections: RejectionRecord[];
  rejectionLimits: number[];
  clock: { nowMs: number };
  accounts: Accounts;
  /** A real API token of the harness's admin, sent by `app.inject` unless the test sets `authorization` or `anonymous()`. */
  adminToken: string;
  /** A user of `role` (site-manager: of `sites`) with a real API token, created without a password hash (fast). */
  tokenFor(role: User['role'], sites?: string[]): Promise<string>;
}

/**
 * Accounts on a throw-away SQLite store, with users made directly in the store (a placeholder that
 * is not a valid scrypt hash: no password logs in, and no test pays 128 MiB of scrypt per user).
 */
async function testAccounts(config: AppConfig, now: () => number) {
  const state = new SqliteStateStore({ dataDir: ':memory:' });
  await state.start();
  const accounts = new Accounts({ store: new SqliteAccounts(state), siteIds: config.sites.map((s) => s.id), now });
  let n = 0;
  const tokenFor = async (role: User['role'], sites: string[] = []) => {
    n += 1;
    const user = await accounts.store.insertUser({ email: `${role}-${n}@test.invalid`, role, sites, passwordHash: 'no-password', nowMs: now() });
    return (await accounts.createToken(user, 'test')).token;
  };
  return { accounts, tokenFor, adminToken: await tokenFor('admin'), state };
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** Inject options that send no credentials: what an anonymous caller sees. */
export const anonymous = { authorization: undefined } as const;

/** Builds the app over fakes of its narrow deps; closed after each test. */
export async function harness(overrides: Partial<AppDeps> = {}, store = new FakeStore()): Promise<Harness> {
  const clock = { nowMs: NOW_MS };
  const ingestStatus: IngestStatus = { mode: 'embedded', connected: true, endpoint: 'mqtt://127.0.0.1:1883', lastMessageMs: NOW_MS - 1000 };
  const writeStatus: WriteStatus = {
    storeUp: true,
    pendingReadings: 0,
    spoolReadings: 0,
    spoolBytes: 0,
    spoolMaxBytes: 512 * 1024 * 1024,
    replaying: false,
    replayedReadings: 0,
    acknowledging: true,
    deadLetters: 0,
    lastWriteMs: NOW_MS - 500,
    lastError: null,
  };
  const rejections: RejectionRecord[] = [];
  const rejectionLimits: number[] = [];
  const deps: AppDeps = {
    config: exampleConfig(),
    store,
    ingest: {
      status: () => ingestStatus,
      rejections: (limit) => {
        rejectionLimits.push(limit);
        return rejections.slice(0, limit);
      },
    },
    writer: { status: () => writeStatus },
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => clock.nowMs,
    version: '9.9.9-test',
    ...overrides,
  };
  const { app, ...auth } = await buildAppWithAccounts(deps);
  apps.push(app);
  return { app, deps, store, ingestStatus, writeStatus, rejections, rejectionLimits, clock, ...auth };
}

/**
 * buildApp with accounts on a throw-away store, and `app.inject` sending the admin's token: existing
 * tests call routes as they did before accounts, through the real auth plugin with a real token.
 * A test that sets `authorization` (or spreads `anonymous` into headers) sends its own. The caller closes the app.
 */
export async function buildAppWithAccounts(deps: AppDeps): Promise<{ app: FastifyInstance; accounts: Accounts; adminToken: string; tokenFor: Harness['tokenFor'] }> {
  const auth = await testAccounts(deps.config, deps.now);
  deps.accounts ??= auth.accounts;
  const app = await buildApp(deps);
  // The accounts' store closes with the app, whether the app lives for one test or a whole file.
  const close = app.close.bind(app);
  (app as { close: unknown }).close = async () => {
    await close();
    await auth.state.stop();
  };
  // Existing tests call routes as they did before accounts: as the admin, through the real auth
  // plugin with a real token. A test that sets `authorization` (or passes `anonymous`) sends its own.
  const inject = app.inject.bind(app) as (opts: unknown) => ReturnType<FastifyInstance['inject']>;
  (app as { inject: unknown }).inject = (opts: string | { headers?: Record<string, unknown> }) => {
    const o: { headers?: Record<string, unknown> } = typeof opts === 'string' ? ({ url: opts } as never) : opts;
    const headers = { authorization: `Bearer ${auth.adminToken}`, ...(o.headers ?? {}) };
    if (headers.authorization === undefined) delete (headers as { authorization?: unknown }).authorization;
    return inject({ ...o, headers });
  };
  return { app, accounts: deps.accounts, adminToken: auth.adminToken, tokenFor: auth.tokenFor };
}
