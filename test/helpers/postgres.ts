import { execFile } from 'node:child_process';
import { chown, mkdir, readFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.js';
import { createTempDir, type TempDir } from './tmp.js';

const run = promisify(execFile);

/** Debian's postgresql packages install their binaries per major version under /usr/lib/postgresql. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error(`${root}/*/bin/initdb not found: install Debian's postgresql package (apt-get install -y postgresql)`);
  return join(root, versions[0]!, 'bin');
}

export interface PostgresHandle {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:port/postgres */
  readonly url: string;
  /** A fresh, empty database on this server (one per test file or per case). */
  createDatabase(name: string): Promise<string>;
  /** pg_ctl stop -m immediate: every connection drops, as a crash or a partition would. Keeps the data. */
  crash(): Promise<void>;
  /** Starts it again on the same port and data (after crash). */
  restart(): Promise<void>;
  /** Stops the server and deletes the temp dir. Safe twice. */
  stop(): Promise<void>;
  log(): Promise<string>;
}

/**
 * A private PostgreSQL server on a free loopback port, its data directory in a temp dir, trust
 * authentication (loopback only). As root (this machine and CI containers) the server runs as
 * user `postgres`, which initdb and postgres require (they refuse root); the data dir is handed
 * to that user (STACK-NOTES).
 */
export async function startPostgres(): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  const tmp: TempDir = await createTempDir('sbe-pg-');
  const dir = join(tmp.path, 'data');
  await mkdir(dir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('running as root but there is no user `postgres`: install Debian\'s postgresql package');
    });
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(tmp.path, Number(stdout.trim()), Number(gid.trim()));
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const sh = async (cmd: string[]): Promise<void> => {
    const quoted = cmd.map((c) => `'${c.replace(/'/g, `'\\''`)}'`).join(' ');
    if (asRoot) await run('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { timeout: 120_000 });
    else await run('/bin/sh', ['-c', quoted], { timeout: 120_000 });
  };
  const port = await freePort();
  const logFile = join(tmp.path, 'data', 'server.log');
  await sh([join(bin, 'initdb'), '-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // fsync stays on: the kill tests rely on committed transactions surviving.
  const start = () => sh([join(bin, 'pg_ctl'), '-D', dir, '-w', '-t', '60', '-l', logFile, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, 'start']);
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const handle: PostgresHandle = {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name: letters, digits and _ only: ${name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    crash: () => sh([join(bin, 'pg_ctl'), '-D', dir, '-m', 'immediate', 'stop']),
    restart: start,
    async stop() {
      if (stopped) return;
      stopped = true;
      await sh([join(bin, 'pg_ctl'), '-D', dir, '-m', 'immediate', 'stop']).catch(() => undefined);
      await tmp.remove();
    },
    log: () => readFile(logFile, 'utf8').catch(() => ''),
  };
  return handle;
}
