import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/schema.js';
import { generateMosquittoFiles, type ServiceUser } from '../../src/ingest/mosquitto-files.js';
import { freePort } from './ports.js';
import { createTempDir, type TempDir } from './tmp.js';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';

export interface StartMosquittoOptions {
  /** Password and ACL files are generated from it (src/ingest/mosquitto-files.ts). Without it, anonymous access is allowed. */
  config?: AppConfig;
  service?: ServiceUser;
  /** Bound on waiting for the listener, default 10 s. */
  readyTimeoutMs?: number;
  /**
   * Start from this mosquitto.conf (the one docker-compose.yml mounts) instead of the tests' own
   * settings: its listener is moved to the free loopback port and its /mosquitto/ paths into the
   * temp dir; everything else is kept as shipped. Needs `config` for the password and ACL files.
   */
  shippedConfigPath?: string;
  /** Listen on this loopback port (e.g. one a service was told about before the broker existed); default a free one. */
  port?: number;
  /** Extra mosquitto.conf lines (e.g. `max_inflight_messages 1000`). */
  extraConfig?: string[];
}

export interface MosquittoHandle {
  readonly port: number;
  /** mqtt://127.0.0.1:port */
  readonly url: string;
  readonly dir: string;
  /** Devices left out of the password file (secretHash only). */
  readonly skipped: string[];
  pid(): number | null;
  /** SIGTERM: mosquitto saves its persistence file on the way out. Keeps the dir. */
  terminate(): Promise<void>;
  /** SIGKILL, as a crash would. Keeps the dir. */
  kill9(): Promise<void>;
  /** Starts it again on the same port with the same persistence (after terminate or kill9). */
  restart(): Promise<void>;
  /** Stops the process and deletes the temp dir. Safe twice. */
  stop(): Promise<void>;
  log(): Promise<string>;
}

/**
 * Debian's mosquitto 2.0 on a free loopback port, with a temp dir for its config,
 * password/ACL files, persistence and log. It runs as root here: mosquitto drops root
 * privileges to user `mosquitto` unless `user root` is configured, and that user could not
 * write into a root-owned temp dir (STACK-NOTES).
 */
export async function startMosquitto(options: StartMosquittoOptions = {}): Promise<MosquittoHandle> {
  if (!existsSync(MOSQUITTO_BIN)) {
    throw new Error(`${MOSQUITTO_BIN} not found: install Debian's mosquitto package (apt-get install -y mosquitto)`);
  }
  const tmp: TempDir = await createTempDir('sbe-mosquitto-');
  const dir = tmp.path;
  const port = options.port ?? (await freePort());
  await mkdir(join(dir, 'data'));
  let skipped: string[] = [];
  const lines = [
    `listener ${port} 127.0.0.1`,
    'user root',
    'persistence true',
    `persistence_location ${join(dir, 'data')}/`,
    'autosave_interval 1',
    // The default (1000) would drop a fault test's backlog.
    'max_queued_messages 1000000',
    // As config/mosquitto/mosquitto.conf ships it: no Nagle delay on PUBACKs.
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    ...(options.extraConfig ?? []),
  ];
  if (options.config) {
    const files = await generateMosquittoFiles(options.config, options.service);
    skipped = files.skipped;
    await writeFile(join(dir, 'passwd'), files.passwordFile, { mode: 0o600 });
    await writeFile(join(dir, 'acl'), files.aclFile, { mode: 0o600 });
    lines.push('allow_anonymous false', `password_file ${join(dir, 'passwd')}`, `acl_file ${join(dir, 'acl')}`);
  } else {
    lines.push('allow_anonymous true');
  }
  const configPath = join(dir, 'mosquitto.conf');
  if (options.shippedConfigPath) {
    if (!options.config) throw new Error('shippedConfigPath needs config (its password and ACL files)');
    const shipped = (await readFile(options.shippedConfigPath, 'utf8'))
      .replace(/^listener\s+\d+\s*$/m, `listener ${port} 127.0.0.1`)
      .replaceAll('/mosquitto/config/', `${dir}/`)
      .replaceAll('/mosquitto/data/', `${join(dir, 'data')}/`);
    await writeFile(configPath, `user root\n${shipped}`);
  } else {
    await writeFile(configPath, `${lines.join('\n')}\n`);
  }
  const logPath = join(dir, 'mosquitto.log');
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let child: ChildProcess | null = null;
  let stopped = false;
  const log = () => readFile(logPath, 'utf8').catch(() => '');

  const waitExit = (proc: ChildProcess | null, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });

  const launch = async () => {
    const fd = openSync(logPath, 'a');
    try {
      child = spawn(MOSQUITTO_BIN, ['-c', configPath], { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const current = child;
    let exitMessage: string | null = null;
    current.once('exit', (code, signal) => (exitMessage = `mosquitto exited early (code ${code}, signal ${signal})`));
    current.once('error', (err) => (exitMessage = `mosquitto failed to start: ${err.message}`));
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (await canConnect(port)) return;
      if (exitMessage) throw new Error(`${exitMessage}\n--- mosquitto log ---\n${await log()}`);
      if (Date.now() > deadline) {
        current.kill('SIGKILL');
        throw new Error(`mosquitto did not listen on ${port} within ${readyTimeoutMs} ms\n--- mosquitto log ---\n${await log()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    skipped,
    pid: () => child?.pid ?? null,
    terminate: () => waitExit(child, 'SIGTERM'),
    kill9: () => waitExit(child, 'SIGKILL'),
    restart: async () => {
      await waitExit(child, 'SIGTERM');
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await waitExit(child, 'SIGTERM');
      await tmp.remove();
    },
    log,
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
