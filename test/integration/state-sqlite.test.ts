import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../src/storage/state/sqlite-schema.js';
import { SqliteAccounts } from '../../src/storage/state/sqlite-accounts.js';
import { SqliteStateStore } from '../../src/storage/state/sqlite-state-store.js';
import { createTempDir } from '../helpers/tmp.js';
import { describeStateStoreContract } from '../storage/state-contract.js';

describeStateStoreContract('sqlite', async () => {
  const dir = await createTempDir('sbe-state-');
  const store = new SqliteStateStore({ dataDir: dir.path });
  await store.start();
  let current = store;
  return {
    store,
    accounts: (s) => new SqliteAccounts(s as SqliteStateStore),
    reopen: async () => {
      await current.stop();
      current = new SqliteStateStore({ dataDir: dir.path });
      await current.start();
      return current;
    },
    cleanup: () => dir.remove(),
  };
});

describe('sqlite state store', () => {
  const dirs: Array<{ remove(): Promise<void> }> = [];
  afterAll(async () => {
    for (const d of dirs) await d.remove();
  });

  it('creates the schema at the latest version and refuses a newer one', async () => {
    const dir = await createTempDir('sbe-state-');
    dirs.push(dir);
    const store = new SqliteStateStore({ dataDir: dir.path });
    await store.start();
    expect(store.schemaVersion()).toBe(SQLITE_MIGRATIONS.length);
    await store.stop();
    await store.stop();
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(`${dir.path}/state.sqlite`);
    raw.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
    raw.close();
    await expect(new SqliteStateStore({ dataDir: dir.path }).start()).rejects.toThrow(/newer than this service knows/);
  });

  it('loses nothing committed and duplicates nothing across a kill -9', async () => {
    const dir = await createTempDir('sbe-state-kill-');
    dirs.push(dir);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./state-sqlite-crash-child.ts', import.meta.url)), dir.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const committed: number[] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('committed ')) committed.push(Number(line.slice(10)));
          if (committed.length >= 300) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}`))));
    });
    await new Promise((r) => child.once('close', r));
    const store = new SqliteStateStore({ dataDir: dir.path });
    await store.start();
    const alerts = await store.read.alerts({ sites: ['crash'], limit: 100_000 });
    const stored = new Set(alerts.map((a) => Number(a.device.slice(1))));
    // Every transaction the child saw committed is there, with its outbox mail; nothing twice.
    for (const n of committed) expect(stored.has(n)).toBe(true);
    expect(stored.size).toBe(alerts.length);
    for (const n of committed.slice(0, 20)) expect(await store.read.mail(`<crash-${n}@test>`)).not.toBeNull();
    expect(await store.read.outboxDepth()).toBe(alerts.length);
    await store.stop();
  });
});
