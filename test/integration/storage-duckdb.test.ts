import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/model/reading.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { StoreUnavailableError } from '../../src/storage/errors.js';
import { describeStorageContract } from '../storage/contract.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORE_MODULE = fileURLToPath(new URL('../../src/storage/duckdb/duckdb-store.ts', import.meta.url));
const T0 = Date.parse('2026-02-02T00:00:00.000Z');

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

/** A child process (tsx) running `body` with `store` = a started DuckDbStore on `dataDir`. */
function childProcess(dataDir: string, body: string) {
  const code = `import { DuckDbStore } from ${JSON.stringify(STORE_MODULE)};
const store = new DuckDbStore({ dataDir: ${JSON.stringify(dataDir)} });
await store.start();
${body}
await store.stop();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const printed = async (text: string, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!stdout.includes(text)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`child did not print ${text}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, exited, printed };
}

describe('DuckDbStore specifics', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sbe-duckdb-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  const started = async (dataDir: string) => {
    const store = new DuckDbStore({ dataDir });
    await store.start();
    cleanups.push(() => store.stop());
    return store;
  };
  const series = (n: number, value: (i: number) => number): Reading[] =>
    Array.from({ length: n }, (_, i) => ({ site: 'cleon', device: 'tgbt', quantity: 'energy_kwh', tsMs: T0 + i * 1000, value: value(i) }));

  it('creates DATA_DIR and keeps everything after stop() and reopen; stop() is safe twice', async () => {
    const dataDir = join(await tempDir(), 'nested', 'data');
    const first = new DuckDbStore({ dataDir });
    await first.start();
    const written = series(20_000, (i) => i * 0.5);
    for (let i = 0; i < written.length; i += 5000) await first.write(written.slice(i, i + 5000));
    const sel = { site: 'cleon', device: 'tgbt', quantity: 'energy_kwh' as const, fromMs: T0, toMs: T0 + 20_000_000 };
    const buckets = await first.buckets({ ...sel, every: '1h', timezone: 'Europe/Paris' });
    await first.stop();
    await first.stop();
    expect((await first.health()).ok).toBe(false);
    await expect(first.write(written.slice(0, 1))).rejects.toBeInstanceOf(StoreUnavailableError);

    const second = await started(dataDir);
    expect(await second.count()).toBe(20_000);
    expect(await second.readings(sel)).toEqual(written.map((r) => ({ ...r, tsFromServer: false })));
    expect(await second.buckets({ ...sel, every: '1h', timezone: 'Europe/Paris' })).toEqual(buckets);
    expect((await second.health()).lastReadingMs).toBe(T0 + 19_999_000);
    // Redelivery after the reopen, mixed with new readings: replaced, not duplicated.
    await second.write([{ ...written[10]!, value: -1 }, { ...written[19_999]!, value: -2 }, { ...written[0]!, tsMs: T0 + 20_000_000, value: 3 }]);
    expect(await second.count()).toBe(20_001);
    const replaced = await second.readings({ ...sel, toMs: T0 + 20_000_001 });
    expect([replaced[10]!.value, replaced[19_999]!.value, replaced[20_000]!.value]).toEqual([-1, -2, 3]);
  });

  it('lets a second process read the file after the first stopped', async () => {
    const dataDir = await tempDir();
    const store = new DuckDbStore({ dataDir });
    await store.start();
    await store.write([...series(3, (i) => i + 0.25), { site: `it's, "a" \\ site`, device: 'd', quantity: 'power_w', tsMs: T0 + 7, value: -1e12, tsFromServer: true }]);
    await store.stop();
    const { exited } = childProcess(
      dataDir,
      `const rows = await store.readings({ site: "it's, \\"a\\" \\\\ site", device: 'd', quantity: 'power_w', fromMs: 0, toMs: 4e12 });
       console.log(JSON.stringify({ count: await store.count(), rows }));`,
    );
    const result = await exited;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toEqual({
      count: 4,
      rows: [{ site: `it's, "a" \\ site`, device: 'd', quantity: 'power_w', tsMs: T0 + 7, value: -1e12, tsFromServer: true }],
    });
  });

  it('refuses with StoreUnavailableError while another process holds the file', async () => {
    const dataDir = await tempDir();
    const holder = childProcess(dataDir, `console.log('ready'); await new Promise((resolve) => process.stdin.on('end', resolve).resume());`);
    cleanups.push(async () => {
      holder.child.stdin.end();
      await holder.exited;
    });
    await holder.printed('ready');
    const store = new DuckDbStore({ dataDir });
    await expect(store.start()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.write(series(1, () => 1))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses with StoreUnavailableError when DATA_DIR cannot be created', async () => {
    const file = join(await tempDir(), 'not-a-dir');
    await writeFile(file, 'x');
    await expect(new DuckDbStore({ dataDir: join(file, 'data') }).start()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('local-day buckets: the quarter-hour slot path equals the per-row path', async () => {
    const store = await started(await tempDir());
    // Irregular ms timestamps over 2026's autumn DST change, including readings right at and around local midnights.
    const start = Date.parse('2026-10-23T21:58:00.000Z');
    const readings = Array.from({ length: 6000 }, (_, i): Reading => ({ site: 'cmp', device: 'm', quantity: 'power_w', tsMs: start + i * 61_237 + (i % 7), value: ((i * 37) % 400) / 4 - 20 }));
    await store.write(readings);
    const query = { site: 'cmp', device: 'm', quantity: 'power_w' as const, toMs: start + 6000 * 61_237, every: '1d' as const };
    for (const timezone of ['Europe/Paris', 'America/St_Johns', 'Asia/Kathmandu', 'Australia/Lord_Howe']) {
      const fast = await store.buckets({ ...query, fromMs: Date.parse('2012-01-01T00:00:00Z'), timezone });
      const perRow = await store.buckets({ ...query, fromMs: Date.parse('2011-12-31T23:59:59.999Z'), timezone });
      expect(fast.length).toBeGreaterThan(3);
      expect(fast.reduce((n, b) => n + b.count, 0)).toBe(6000);
      expect(fast).toEqual(perRow);
    }
  });

  it('stores the same rows whether a batch takes the one-statement list insert (small, nothing replaced) or the staging table (large, or replacing)', async () => {
    // Odd ids, server-stamped readings, negative, fractional and huge values, ms timestamps: what both paths must keep exactly.
    const shaped = (n: number, offsetMs: number, site: string): Reading[] =>
      Array.from({ length: n }, (_, i) => ({ site, device: `d'${i % 3}`, quantity: i % 2 ? 'power_w' : 'energy_kwh', tsMs: T0 + offsetMs + i * 997 + (i % 5), value: i % 4 === 0 ? -i / 7 : i * 1e9 + 0.125, ...(i % 3 === 0 ? { tsFromServer: true } : {}) }));
    const store = await started(await tempDir());
    const small = shaped(200, 0, 'small');
    const large = shaped(2000, 0, 'large');
    await store.write(small);
    await store.write(large);
    const read = async (site: string, device: string, quantity: 'energy_kwh' | 'power_w') => store.readings({ site, device, quantity, fromMs: T0, toMs: T0 + 10_000_000 });
    for (const device of ["d'0", "d'1", "d'2"]) {
      for (const quantity of ['energy_kwh', 'power_w'] as const) {
        const expected = (rows: Reading[], site: string) => rows.filter((r) => r.device === device && r.quantity === quantity).map((r) => ({ ...r, site, tsFromServer: r.tsFromServer === true }));
        const fromSmall = await read('small', device, quantity);
        expect(fromSmall).toEqual(expected(small, 'small'));
        // The first 200 of the large batch are the small batch with another site id: the same rows.
        expect(fromSmall).toEqual(expected(large.slice(0, 200), 'small'));
        expect(await read('large', device, quantity)).toEqual(expected(large, 'large'));
      }
    }
    // A small batch redelivering stored readings goes through the staging table's delete: replaced, not duplicated.
    await store.write([{ ...small[10]!, value: 42 }, { ...small[199]!, tsMs: small[199]!.tsMs + 1, value: 43 }]);
    expect(await store.count()).toBe(2201);
    const again = await read('small', small[10]!.device, 'energy_kwh');
    expect(again.find((r) => r.tsMs === small[10]!.tsMs)!.value).toBe(42);
  });

  it('stop() waits for queued writes to commit', async () => {
    const dataDir = await tempDir();
    const store = new DuckDbStore({ dataDir });
    await store.start();
    const writes = Array.from({ length: 20 }, (_, b) => store.write(series(500, (i) => b * 1000 + i).map((r) => ({ ...r, tsMs: r.tsMs + b * 500_000 }))));
    await store.stop();
    await Promise.all(writes);
    const reopened = await started(dataDir);
    expect(await reopened.count()).toBe(10_000);
  });

  it('refuses reads asked for while stopping, and finishes the ones already queued (no read on a closed connection)', async () => {
    const dataDir = await tempDir();
    const store = new DuckDbStore({ dataDir });
    await store.start();
    await store.write(series(2_000, (i) => i));
    const selector = { site: 'cleon', device: 'tgbt', quantity: 'energy_kwh' as const, fromMs: T0, toMs: T0 + 3_600_000 };
    const before = Array.from({ length: 8 }, () => store.readings(selector));
    const stopping = store.stop();
    // Asked after stop() began, as a background job would (analytics rollups): refused, not run.
    const during = await Promise.allSettled(Array.from({ length: 8 }, () => store.readings(selector)));
    await stopping;
    for (const r of await Promise.all(before)) expect(r.length).toBe(2_000);
    for (const r of during) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
  });
});
