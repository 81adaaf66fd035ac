/**
 * SSE benchmark (issue 13, point 6: "200 concurrent SSE viewers do not raise ingest's PUBACK p99 by
 * more than 10 %"). The real service (src/main.ts in its own process, embedded broker, DuckDB); one
 * device publishes at a steady rate at QoS 1 (each PUBACK comes once the message is durable); phases
 * alternate 0 and N viewers of the device's site (in a child process, test/bench/sse/viewers.ts).
 * Prints PUBACK p50/p99 per phase and pooled per viewer count, the service's RSS, and how long after
 * their reading's time the viewers got each value.
 *   npm run bench:sse [-- --viewers 200] [--rate 50] [--seconds 15] [--rounds 2]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectAsync } from 'mqtt';
import { stringify } from 'yaml';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir } from '../helpers/tmp.js';
import { SteadyMeter } from './steady-publisher.js';

const { values: a } = parseArgs({ options: { viewers: { type: 'string', default: '200' }, rate: { type: 'string', default: '50' }, seconds: { type: 'string', default: '15' }, rounds: { type: 'string', default: '2' } } });
const viewerCount = Number(a.viewers);
const ratePerS = Number(a.rate);
const phaseS = Number(a.seconds);
const rounds = Number(a.rounds);
const SITE = 'bench';
const SECRET = 'bench-device-secret';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VIEWERS = fileURLToPath(new URL('./sse/viewers.ts', import.meta.url));
const meter = { kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: SECRET };
const config = { sites: [{ id: SITE, name: 'Benchmark site', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris', devices: [{ id: 'tgbt', ...meter }] }] };

const percentile = (sorted: number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** CPU seconds (user + system) the process has used: fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100/s). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}


function startViewers(url: string, token: string): Promise<{ child: ChildProcess; summary: () => Promise<Record<string, number>> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', VIEWERS, JSON.stringify({ url, token, count: viewerCount })], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line === 'ready') resolve({ child, summary: async () => { child.kill('SIGTERM'); await exited; return JSON.parse(lines.at(-1)!) as Record<string, number>; } });
    });
    void exited.then(() => reject(new Error(`viewers exited before ready: ${lines.join('\n')}`)));
  });
}

const startLoad = loadavg().map((l) => l.toFixed(2)).join(' ');
const dir = await createTempDir('sbe-bench-sse-');
let service: ServiceProcess | null = null;
try {
  const configPath = join(dir.path, 'sites.yaml');
  await writeFile(configPath, stringify(config));
  service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath, LOG_LEVEL: 'info' }, readyTimeoutMs: 120_000 });
  const pid = service.child.pid!;
  const made = await service.fetch('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sse bench' }) });
  const token = ((await made.json()) as { token: string }).token;
  const client = await connectAsync(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${SITE}/tgbt`, password: SECRET, clientId: `bench-sse-${process.pid}`, reconnectPeriod: 0 });
  // Warm-up: the first writes create the DuckDB file's blocks and JIT the path.
  const meter = new SteadyMeter(client, `sites/${SITE}/devices/tgbt`, ratePerS);
  await meter.publishFor(3);
  const pooled = new Map<number, number[]>([[0, []], [viewerCount, []]]);
  const rows: string[] = [];
  const rss = new Map<number, number>([[0, 0], [viewerCount, 0]]);
  const cpu = new Map<number, number[]>([[0, []], [viewerCount, []]]);
  const meanOf = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / xs.length;
  const viewerSummaries: Array<Record<string, number>> = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const n of [0, viewerCount]) {
      const viewers = n > 0 ? await startViewers(`${service.httpUrl}/api/sites/${SITE}/live`, token) : null;
      const cpuBeforeS = await cpuSeconds(pid);
      const viewersCpuBeforeS = viewers ? await cpuSeconds(viewers.child.pid!) : 0;
      const phaseStartMs = performance.now();
      const latencies = (await meter.publishFor(phaseS)).sort((x, y) => x - y);
      // The viewers' own process shares the 2 cores with the service here (browsers would be elsewhere): its share is printed.
      const viewersCores = viewers ? ((await cpuSeconds(viewers.child.pid!)) - viewersCpuBeforeS) / ((performance.now() - phaseStartMs) / 1000) : 0;
      // The service's own CPU per message: what the fan-out costs it, less moved by the machine's load than latencies.
      const cpuMsPerMessage = (((await cpuSeconds(pid)) - cpuBeforeS) * 1000) / latencies.length;
      cpu.get(n)!.push(cpuMsPerMessage);
      rss.set(n, Math.max(rss.get(n)!, await rssMB(pid)));
      if (viewers) viewerSummaries.push(await viewers.summary());
      pooled.get(n)!.push(...latencies);
      rows.push(`  round ${round + 1}, ${String(n).padStart(3)} viewers: PUBACK p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms (${latencies.length} messages), service CPU ${cpuMsPerMessage.toFixed(2)} ms/message${viewers ? `, viewers' process ${viewersCores.toFixed(2)} cores` : ''}, load ${loadavg()[0]!.toFixed(2)}`);
    }
  }
  await client.endAsync();
  console.log('');
  console.log(`load average at the start ${startLoad}, at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores: above 2, every latency waits for a core)`);
  console.log(`SSE benchmark: 1 device at ${ratePerS} msg/s (2 readings each), QoS 1, embedded broker, DuckDB; phases of ${phaseS} s, 0 then ${viewerCount} viewers, ${rounds} rounds`);
  for (const row of rows) console.log(row);
  const zero = pooled.get(0)!.sort((x, y) => x - y);
  const many = pooled.get(viewerCount)!.sort((x, y) => x - y);
  console.log(`  pooled   0 viewers: PUBACK p50 ${percentile(zero, 0.5).toFixed(1)} ms, p99 ${percentile(zero, 0.99).toFixed(1)} ms (${zero.length} messages); service CPU ${meanOf(cpu.get(0)!).toFixed(2)} ms/message; service RSS ${rss.get(0)} MB`);
  console.log(`  pooled ${String(viewerCount).padStart(3)} viewers: PUBACK p50 ${percentile(many, 0.5).toFixed(1)} ms, p99 ${percentile(many, 0.99).toFixed(1)} ms (${many.length} messages); service CPU ${meanOf(cpu.get(viewerCount)!).toFixed(2)} ms/message; service RSS ${rss.get(viewerCount)} MB`);
  const change = (percentile(many, 0.99) / percentile(zero, 0.99) - 1) * 100;
  console.log(`  p99 change with ${viewerCount} viewers: ${change >= 0 ? '+' : ''}${change.toFixed(1)} % (target: at most +10 %)`);
  for (const s of viewerSummaries) console.log(`  viewers: ${s.streams} streams, ${s.events} events after the snapshot (${s.values} values), value delivered p50 ${s.deliveryP50Ms} ms / p99 ${s.deliveryP99Ms} ms after its reading's time`);
} finally {
  await service?.terminate();
  await dir.remove();
}
