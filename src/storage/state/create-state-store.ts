import type { AccountStore } from '../../accounts/account-store.js';
import type { StateStore } from '../../alerts/state-port.js';
import type { EnvSettings } from '../../config/env.js';
import type { Logger } from '../../observability/logger.js';

export interface StateStoreChoice {
  state: StateStore;
  /** The accounts adapter on the same database. */
  accountsOf: (state: StateStore) => AccountStore;
}

type StateStoreFactory = (env: Pick<EnvSettings, 'DATA_DIR' | 'DATABASE_URL'>, logger: Logger) => Promise<StateStoreChoice>;

/**
 * State-store adapters by name (evcc's registry by type, meter/meter.go). Each is imported only
 * when chosen: the embedded store's native module is not loaded for PostgreSQL, nor pg for SQLite.
 */
export const STATE_STORES: Record<StateStore['kind'], StateStoreFactory> = {
  sqlite: async (env, logger) => {
    const { SqliteStateStore } = await import('./sqlite-state-store.js');
    const { SqliteAccounts } = await import('./sqlite-accounts.js');
    return { state: new SqliteStateStore({ dataDir: env.DATA_DIR, logger }), accountsOf: (s) => new SqliteAccounts(s as InstanceType<typeof SqliteStateStore>) };
  },
  postgres: async (env, logger) => {
    const { PgStateStore } = await import('./pg-state-store.js');
    const { PgAccounts } = await import('./pg-accounts.js');
    return { state: new PgStateStore({ connectionString: env.DATABASE_URL!, logger }), accountsOf: (s) => new PgAccounts(s as InstanceType<typeof PgStateStore>) };
  },
};

/** PostgreSQL when DATABASE_URL is set, else the embedded SQLite file in DATA_DIR (the default). */
export function createStateStore(env: Pick<EnvSettings, 'DATA_DIR' | 'DATABASE_URL'>, logger: Logger): Promise<StateStoreChoice> {
  return STATE_STORES[env.DATABASE_URL ? 'postgres' : 'sqlite'](env, logger);
}
