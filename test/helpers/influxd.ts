import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private Debian `influxd` (1.6.x) for one test file: HTTP and RPC bound to
 * random free loopback ports, data in a fresh temp dir, every other listener off,
 * so it never collides with another influxd (e.g. the bench's on 28086).
 * Registers nothing global: call startInfluxd() in beforeAll and stop() in afterAll.
 */
export interface InfluxdHandle {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly httpPort: number;
  readonly dir: string;
  /** Current process id (changes on restart), or null when not running. */
  pid(): number | null;
  /** SIGKILL, as a crash would: no flush, no graceful close. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same ports with the same data (after kill9 or stop of the process). */
  restart(): Promise<void>;
  /** Stops the process and deletes the temp dir. Safe twice. */
  stop(): Promise<void>;
  /** The influxd log so far (for failure messages). */
  log(): Promise<string>;
}

export interface StartInfluxdOptions {
  /** `[http] auth-enabled = true`. The first user must then be created as an admin (InfluxDB allows that one unauthenticated). */
  auth?: boolean;
  /** Bound on waiting for `/ping` 204, default 30 s. */
  readyTimeoutMs?: number;
}

export async function startInfluxd(options: StartInfluxdOptions = {}): Promise<InfluxdHandle> {
  const probe = spawnSync('influxd', ['version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(`influxd not found on PATH (${probe.error.message}): install Debian's influxdb package (apt-get install -y influxdb)`);
  }
  const stock = spawnSync('influxd', ['config'], { encoding: 'utf8' });
  if (stock.status !== 0) throw new Error(`influxd config failed: ${stock.stderr}`);

  const dir = await mkdtemp(join(tmpdir(), 'sbe-influxd-'));
  const httpPort = await freePort();
  let rpcPort = await freePort();
  while (rpcPort === httpPort) rpcPort = await freePort();
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, rewriteConfig(stock.stdout, { dir, httpPort, rpcPort, auth: options.auth ?? false }));
  const logPath = join(dir, 'influxd.log');
  const url = `http://127.0.0.1:${httpPort}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  let child: ChildProcess | null = null;
  let stopped = false;

  const log = () => readFile(logPath, 'utf8').catch(() => '');

  const launch = async () => {
    const fd = openSync(logPath, 'a');
    try {
      child = spawn('influxd', ['run', '-config', configPath], { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const current = child;
    const exited = new Promise<string>((resolve) => {
      current.once('exit', (code, signal) => resolve(`influxd exited early (code ${code}, signal ${signal})`));
      current.once('error', (err) => resolve(`influxd failed to start: ${err.message}`));
    });
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const result = await Promise.race([exited, pingOnce(url)]);
      if (result === true) return;
      if (typeof result === 'string') throw new Error(`${result}\n--- influxd log ---\n${await log()}`);
      if (Date.now() > deadline) {
        current.kill('SIGKILL');
        throw new Error(`influxd did not answer /ping 204 within ${readyTimeoutMs} ms\n--- influxd log ---\n${await log()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const killWith = async (signal: NodeJS.Signals, graceMs: number) => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (err) {
    await killWith('SIGKILL', 0);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    httpPort,
    dir,
    pid: () => (child as ChildProcess | null)?.pid ?? null,
    kill9: () => killWith('SIGKILL', 0),
    restart: async () => {
      if (stopped) throw new Error('influxd handle already stopped');
      await killWith('SIGTERM', 10_000);
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await killWith('SIGTERM', 10_000);
      await rm(dir, { recursive: true, force: true });
    },
    log,
  };
}

/** True when GET /ping answers 204 (InfluxDB 1.x readiness). */
async function pingOnce(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

/** Asks the kernel for a free loopback port (tiny race until influxd binds it; acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

interface Rewrite {
  dir: string;
  httpPort: number;
  rpcPort: number;
  auth: boolean;
}

/**
 * Rewrites the output of `influxd config` (same edits as the bench's start-services.sh):
 * loopback binds on our ports, data under `dir`, extra listeners, reporting, monitor
 * store and HTTP/query logs off. Throws if a line we rely on is missing.
 */
export function rewriteConfig(stock: string, r: Rewrite): string {
  let section = '';
  const seen = new Set<string>();
  const out = stock.split('\n').map((line) => {
    if (/^\[/.test(line)) section = line.trim();
    const set = (key: string, value: string) => {
      seen.add(`${section}${key}`);
      return `${line.match(/^\s*/)?.[0] ?? ''}${key} = ${value}`;
    };
    const key = line.match(/^\s*([a-z-]+)\s*=/)?.[1];
    if (!key) return line;
    if (section === '' && key === 'bind-address') return set(key, `"127.0.0.1:${r.rpcPort}"`);
    if (section === '' && key === 'reporting-enabled') return set(key, 'false');
    if (section === '[meta]' && key === 'dir') return set(key, `"${r.dir}/meta"`);
    if (section === '[data]' && key === 'dir') return set(key, `"${r.dir}/data"`);
    if (section === '[data]' && key === 'wal-dir') return set(key, `"${r.dir}/wal"`);
    if (section === '[data]' && key === 'query-log-enabled') return set(key, 'false');
    if (section === '[monitor]' && key === 'store-enabled') return set(key, 'false');
    if (section === '[http]' && key === 'bind-address') return set(key, `"127.0.0.1:${r.httpPort}"`);
    if (section === '[http]' && key === 'auth-enabled') return set(key, String(r.auth));
    if (section === '[http]' && key === 'log-enabled') return set(key, 'false');
    if (section === '[http]' && key === 'unix-socket-enabled') return set(key, 'false');
    if (section === '[http]' && key === 'bind-socket') return set(key, `"${r.dir}/influxdb.sock"`);
    if (section === '[ifql]' && key === 'enabled') return set(key, 'false');
    if (section === '[ifql]' && key === 'bind-address') return set(key, '"127.0.0.1:0"');
    if (['[[graphite]]', '[[collectd]]', '[[opentsdb]]', '[[udp]]'].includes(section)) {
      if (key === 'enabled') return set(key, 'false');
      if (key === 'bind-address') return set(key, '"127.0.0.1:0"');
    }
    return line;
  });
  for (const needed of ['bind-address', '[meta]dir', '[data]dir', '[data]wal-dir', '[http]bind-address']) {
    if (!seen.has(needed)) throw new Error(`influxd config rewrite: no ${needed} line in \`influxd config\` output`);
  }
  return out.join('\n');
}
