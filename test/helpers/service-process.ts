import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS } from '../../src/observability/heap-ceiling.js';

/** The first-start admin of every service the tests run (a test value, never a deployment's). */
export const TEST_ADMIN = { email: 'admin@test.invalid', password: 'test-admin-password' } as const;

/** Logs in as `admin` and makes an API token: the real login, cookie, CSRF and token paths. */
export async function adminToken(httpUrl: string, admin: { email: string; password: string }): Promise<string> {
  const login = await fetch(`${httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  if (login.status !== 201) throw new Error(`admin login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const me = (await (await fetch(`${httpUrl}/api/session`, { headers: { cookie } })).json()) as { csrfToken: string };
  const made = await fetch(`${httpUrl}/api/tokens`, { method: 'POST', headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'test helper' }) });
  if (made.status !== 201) throw new Error(`token creation failed: ${made.status} ${await made.text()}`);
  return ((await made.json()) as { token: string }).token;
}

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcessOptions {
  /** Environment of the service (DATA_DIR, CONFIG, MQTT_URL, INFLUX_URL…); HTTP and MQTT default to port 0 on 127.0.0.1. */
  env: Record<string, string>;
  /** Bound on waiting for the "started" log line, default 30 s. */
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** `dist`: the compiled service (`npm run build` first), as the Docker image runs it. Default `src` (tsx). */
  entry?: 'src' | 'dist';
}

export interface ServiceProcess {
  readonly httpUrl: string;
  /** Embedded broker port; null with MQTT_URL. */
  readonly mqttPort: number | null;
  readonly child: ChildProcess;
  /** The admin the helper logs in as (ADMIN_EMAIL / ADMIN_PASSWORD unless the env sets them). */
  readonly admin: { email: string; password: string };
  /** fetch of `${httpUrl}${path}` with the admin's API token (Authorization: Bearer), made once at start. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Every log line so far (JSON, one per line). */
  logs(): string[];
  /** Sends SIGTERM and resolves with the exit code. */
  terminate(): Promise<number | null>;
  /** SIGKILL, as a crash would. */
  kill9(): Promise<void>;
  /** Resolves with the exit code once the process has ended. */
  exited(): Promise<number | null>;
}

/**
 * Runs the real service (`src/main.ts`, as `npm start` does, with the same node flags) in a child process and
 * waits for its "started" log line, which says where it listens (ports 0 are resolved).
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    ...options.env,
  };
  // `node --import tsx`, not the tsx CLI: the CLI runs the program in a grandchild that a
  // SIGKILL of the CLI would orphan; here the child IS the service, so kill9() kills it.
  const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...(options.nodeArgs ?? []), ...(options.entry === 'dist' ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'])], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });

  const started = new Promise<{ http: string; mqtt?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start within ${options.readyTimeoutMs ?? 30_000} ms:\n${lines.join('\n')}\n${stderr}`)), options.readyTimeoutMs ?? 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; http?: string; mqtt?: string };
        if (entry.msg === 'smart-building-energy started' && entry.http) {
          clearTimeout(timer);
          resolve({ http: entry.http, ...(entry.mqtt ? { mqtt: entry.mqtt } : {}) });
        }
      } catch {
        // not a JSON line (tsx or node warnings): kept in the log all the same
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with code ${code} before starting:\n${lines.join('\n')}\n${stderr}`));
    });
  });
  const where = await started;
  const embeddedPort = options.env.MQTT_URL ? null : Number(/:(\d+)$/.exec(where.mqtt ?? '')?.[1]);
  const admin = { email: env.ADMIN_EMAIL!, password: env.ADMIN_PASSWORD! };
  const token = await adminToken(where.http, admin);

  return {
    httpUrl: where.http,
    mqttPort: embeddedPort,
    child,
    admin,
    fetch: (path, init) => fetch(`${where.http}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init?.headers as Record<string, string> | undefined) } }),
    logs: () => [...lines, ...(stderr ? stderr.split('\n') : [])],
    terminate: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
    exited: () => exit,
  };
}
