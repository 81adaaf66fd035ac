/**
 * Comparison load against ingestion (issue 11, point 4: "analytics requests single-flighted per
 * (site, period), so that a burst of identical requests costs one computation and cannot stall
 * ingestion. Measured today: eight clients asking /api/compare for varied periods raise a device's
 * PUBACK p99 from 26 ms to 179 ms").
 * The real service (src/main.ts in its own process, embedded broker, DuckDB) holding a year (2016)
 * of hourly data for --sites real LEAD buildings (test/fixtures); one live device publishes at a
 * steady rate at QoS 1 (each PUBACK comes once the message is durable). Phases alternate:
 *   - no client;
 *   - --clients working-group users (in a child process, compare-load/clients.ts), each asking
 *     /api/compare back to back for a period drawn from 2016 (seeded): nearly every one is new;
 *   - the same users all asking for one same period (the single-flight case).
 * Each phase has its own users, so the per-user analytics rate limit (60 per minute) of one phase
 * does not throttle the next; its 429 answers are counted and printed.
 * Prints PUBACK p50/p99 per phase and pooled, the requests answered and their latency, the service's RSS,
 * and what delayed the PUBACKs: the service's main-thread stretches per phase (test/bench/loop/probe.ts),
 * with the PUBACKs sent in a rule-cycle window (the first --cycle-window ms of each minute) reported apart.
 *   npm run bench:compare-load [-- --sites 10] [--clients 8] [--rate 50] [--seconds 15] [--rounds 2] [--seed 11] [--phases none,varied,same] [--cycle-window 2000] [--cpu-prof DIR]
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectAsync } from 'mqtt';
import { stringify } from 'yaml';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir } from '../helpers/tmp.js';
import { SteadyMeter } from './steady-publisher.js';
import { benchSiteObjects, benchSites, yearReadings } from './api/fixture.js';
import { describeAcks, describeStretches, p99Change, percentile, probeNodeArgs, readStretches, splitAcks, stretchesOfWindows, type SentAck } from './loop/stretches.js';

const { values: a } = parseArgs({
  options: {
    sites: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '15' },
    rounds: { type: 'string', default: '2' },
    seed: { type: 'string', default: '11' },
    phases: { type: 'string', default: 'none,varied,same' },
    'cycle-window': { type: 'string', default: '2000' },
    'cpu-prof': { type: 'string' },
  },
});
const positive = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
};
const siteCount = positive('sites', a.sites);
const clientCount = positive('clients', a.clients);
const ratePerS = positive('rate', a.rate);
const phaseS = positive('seconds', a.seconds);
const rounds = positive('rounds', a.rounds);
const seed = positive('seed', a.seed);
const cycleWindowMs = positive('cycle-window', a['cycle-window']);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./compare-load/clients.ts', import.meta.url));
const LIVE_SITE = 'live';
const SECRET = 'bench-device-secret';
const PASSWORD = 'compare-load-bench-password';
const sites = benchSites(siteCount);
const rawConfig = {
  sites: [
    ...benchSiteObjects(sites, SECRET),
    { id: LIVE_SITE, name: 'Live device', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris', devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: SECRET }] },
  ],
};

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}


let userSerial = 0;
/** A fresh working-group user, logged in: its session cookie (GET needs no CSRF token). */
async function newClient(service: ServiceProcess): Promise<string> {
  userSerial += 1;
  const email = `wg${userSerial}@bench.invalid`;
  const made = await service.fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, role: 'working-group', password: PASSWORD }) });
  if (made.status !== 201 && made.status !== 200) throw new Error(`POST /api/users: HTTP ${made.status} ${await made.text()}`);
  const login = await fetch(`${service.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
  if (login.status !== 200 && login.status !== 201) throw new Error(`login ${email}: HTTP ${login.status} ${await login.text()}`);
  return login.headers.get('set-cookie')!.split(';')[0]!;
}

interface ClientsSummary {
  answeredMs: number[];
  periods: number;
  limited: number;
  failures: string[];
}
/** The clients' process (compare-load/clients.ts), ready to start on SIGUSR2 and to report on SIGTERM. */
function startClients(url: string, cookies: string[], mode: 'varied' | 'same', round: number): Promise<{ go: () => void; summary: () => Promise<ClientsSummary> }> {
  const args = { url, cookies, mode, seed: seed + round, sites: siteCount + 1, year: 2016 };
  const child = spawn(process.execPath, ['--import', 'tsx', CLIENTS, JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  // 'close', not 'exit': the summary line may still be in the pipe when the process has exited.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') {
        resolve({
          go: () => child.kill('SIGUSR2'),
          summary: async () => {
            child.kill('SIGTERM');
            await exited;
            return JSON.parse(lines.at(-1)!) as ClientsSummary;
          },
        });
      }
    });
    void exited.then(() => reject(new Error(`clients exited before ready: ${lines.join('\n')}`)));
  });
}

type Phase = 'none' | 'varied' | 'same';
const startLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
const dir = await createTempDir('sbe-bench-compare-load-');
let service: ServiceProcess | null = null;
try {
  const dataDir = join(dir.path, 'data');
  const fillStart = performance.now();
  const store = new DuckDbStore({ dataDir });
  await store.start();
  let readings = 0;
  for (const s of sites) {
    const year = yearReadings(s);
    readings += year.length;
    await store.write(year);
  }
  await store.stop();
  console.log(`filled ${readings} readings (${siteCount} site-years) in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
  const configPath = join(dir.path, 'sites.yaml');
  await writeFile(configPath, stringify(rawConfig));
  const probeFile = join(dir.path, 'loop-stretches.txt');
  service = await startServiceProcess({ env: { DATA_DIR: dataDir, CONFIG: configPath, LOG_LEVEL: 'info', LOOP_PROBE_FILE: probeFile }, readyTimeoutMs: 180_000, nodeArgs: [...probeNodeArgs, ...(a['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${a['cpu-prof']}`] : [])] });
  const pid = service.child.pid!;
  const device = await connectAsync(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${LIVE_SITE}/tgbt`, password: SECRET, clientId: `bench-compare-${process.pid}`, reconnectPeriod: 0 });
  // Warm-up: the first writes create the DuckDB blocks and JIT the path; the first comparison of
  // the year reads every site-year and fits the baselines once (what later periods reuse).
  const meter = new SteadyMeter(device, `sites/${LIVE_SITE}/devices/tgbt`, ratePerS);
  await meter.publishFor(3);
  const warm = await newClient(service);
  const t0 = performance.now();
  const first = await fetch(`${service.httpUrl}/api/compare?from=2016-01-01&to=2016-12-31`, { headers: { cookie: warm } });
  if (first.status !== 200) throw new Error(`first comparison: HTTP ${first.status} ${await first.text()}`);
  console.log(`first comparison of 2016 (reads ${siteCount} site-years, fits the baselines): ${Math.round(performance.now() - t0)} ms`);

  const phases = a.phases!.split(',') as Phase[];
  for (const p of phases) if (!['none', 'varied', 'same'].includes(p)) throw new Error(`--phases: unknown phase ${p} (none, varied, same)`);
  if (!phases.includes('none')) throw new Error('--phases must include none: the other phases are compared with it');
  const pooled = new Map<Phase, SentAck[]>(phases.map((p) => [p, []]));
  const windows = new Map<Phase, Array<{ fromMs: number; toMs: number }>>(phases.map((p) => [p, []]));
  const answered = new Map<Phase, number[]>(phases.map((p) => [p, []]));
  const rss = new Map<Phase, number>(phases.map((p) => [p, 0]));
  const rows: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const phase of phases) {
      const cookies = phase === 'none' ? [] : await Promise.all(Array.from({ length: clientCount }, () => newClient(service!)));
      const clients = phase === 'none' ? null : await startClients(service.httpUrl, cookies, phase, round);
      clients?.go();
      const fromMs = Date.now();
      const acks = await meter.acksFor(phaseS);
      const toMs = Date.now();
      windows.get(phase)!.push({ fromMs, toMs });
      const figures = clients ? await clients.summary() : null;
      if (figures && figures.failures.length > 0) throw new Error(`clients failed: ${figures.failures.join('; ')}`);
      rss.set(phase, Math.max(rss.get(phase)!, await rssMB(pid)));
      pooled.get(phase)!.push(...acks);
      const asked = (figures?.answeredMs ?? []).sort((x, y) => x - y);
      answered.get(phase)!.push(...asked);
      const load = loadavg()[0]!.toFixed(2);
      const who = !figures ? 'no client' : `${clientCount} clients, ${phase === 'varied' ? 'varied periods' : 'one same period'}: ${asked.length} answers (${figures.periods} periods), answer p50 ${Math.round(percentile(asked, 0.5))} ms / max ${Math.round(asked.at(-1) ?? NaN)} ms, ${figures.limited} × 429/503`;
      const split = splitAcks(acks, cycleWindowMs);
      rows.push(`  round ${round + 1}, ${who}: PUBACK ${describeAcks(split.all)}; outside rule-cycle windows ${describeAcks(split.outside)}; in them ${describeAcks(split.cycle)}; load ${load}`);
    }
  }
  await device.endAsync();
  console.log('');
  console.log(`load average at the start ${startLoad}, at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores: above 2, every latency waits for a core)`);
  console.log(`compare-load benchmark: 1 device at ${ratePerS} msg/s (2 readings each), QoS 1, embedded broker, DuckDB with ${siteCount} site-years; phases of ${phaseS} s, ${rounds} rounds`);
  for (const row of rows) console.log(row);
  const stretches = await readStretches(probeFile);
  const phaseStretches = (phase: Phase) => stretchesOfWindows(stretches, windows.get(phase)!, cycleWindowMs);
  const base = splitAcks(pooled.get('none')!, cycleWindowMs);
  for (const phase of phases) {
    const l = splitAcks(pooled.get(phase)!, cycleWindowMs);
    const change = phase === 'none' ? '' : ` (all ${p99Change(l.all, base.all)}, outside ${p99Change(l.outside, base.outside)} against no client)`;
    const asked = answered.get(phase)!.sort((x, y) => x - y);
    const answers = phase === 'none' ? '' : `; ${asked.length} answers, p50 ${Math.round(percentile(asked, 0.5))} ms, p99 ${Math.round(percentile(asked, 0.99))} ms`;
    console.log(`  pooled ${phase.padEnd(6)}: PUBACK all ${describeAcks(l.all)}; outside rule-cycle windows ${describeAcks(l.outside)}; in them ${describeAcks(l.cycle)}${change}${answers}; service RSS ${rss.get(phase)} MB`);
    const st = phaseStretches(phase);
    console.log(`    main-thread stretches outside rule-cycle windows: ${describeStretches(st.outside)}; in them: ${describeStretches(st.cycle)}`);
  }
} finally {
  await service?.terminate();
  await dir.remove();
}
