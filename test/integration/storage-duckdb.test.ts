import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { describeStorageContract } from '../storage/contract.js';

describeStorageContract('duckdb', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'sbe-duckdb-contract-'));
  let store = new DuckDbStore({ dataDir });
  await store.start();
  return {
    store,
    restart: async () => {
      await store.stop();
      store = new DuckDbStore({ dataDir });
      await store.start();
      return store;
    },
    cleanup: async () => {
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
