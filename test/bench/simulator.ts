/**
 * Simulator benchmark (issue 12 points 1 and 6): the pilot-site simulator (src/simulator/, in this
 * process) against the real service (src/main.ts in its own process, as `npm start` runs it), every
 * message at QoS 1, counted once its PUBACK arrives (the service acknowledges once durable).
 *   npm run bench:simulator [-- --scenario live|backfill] [--devices 500] [--seconds 60] [--interval 1]
 *                           [--days 365] [--steps N] [--json out.json] [--profile DIR]
 * live: `--devices` simulated devices (10 buildings of 50: a main meter, 19 sub-meters, a gas meter,
 *   a weather station, 28 room temperature sensors) each publishing one message every `--interval`
 *   seconds, paced, for `--seconds` after every device has connected: the ingest benchmark's
 *   "realistic load" (issue 12 point 6).
 * backfill: the demo's history, `--days` of the four example sites with their anomalies, as fast as
 *   the service acknowledges (issue 12: a year for four sites in under a minute).
 * `--profile DIR` runs the service with `--cpu-prof` (its .cpuprofile lands in DIR when it stops).
 * Prints messages/s acknowledged, PUBACK p50/p99, the service's peak and final RSS, and the CPU
 * seconds of the simulator (this process) and of the service, with the machine's load.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load.js';
import type { AppConfig } from '../../src/config/schema.js';
import { startSimulator } from '../../src/simulator/simulator.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir } from '../helpers/tmp.js';
import { machineLoad } from './rules/machine.js';

const { values: a } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'live' },
    devices: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '60' },
    interval: { type: 'string', default: '1' },
    days: { type: 'string', default: '365' },
    /** Steps of history per SenML pack (the simulator's historyStepsPerMessage; default its own). */
    steps: { type: 'string' },
    json: { type: 'string' },
    profile: { type: 'string' },
  },
});
const scenario = a.scenario as 'live' | 'backfill';
if (scenario !== 'live' && scenario !== 'backfill') throw new Error(`--scenario must be live or backfill, got ${a.scenario}`);
const deviceCount = Number(a.devices);
if (!Number.isInteger(deviceCount) || deviceCount < 50 || deviceCount % 50 !== 0) throw new Error(`--devices must be a multiple of 50 (buildings of 50 devices), got ${a.devices}`);
const seconds = Number(a.seconds);
const intervalS = Number(a.interval);
const days = Number(a.days);
const EXAMPLE = fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url));
const SECRET = 'bench-simulator-secret';

/** One office building of 50 devices, as a large pilot site has them. */
function benchSite(n: number): Record<string, unknown> {
  const id = `batiment-${String(n).padStart(2, '0')}`;
  const device = (d: Record<string, unknown>) => ({ ...d, secret: SECRET });
  return {
    id,
    name: `Bâtiment ${n}`,
    usage: 'office',
    floorAreaM2: 2000 + 100 * n,
    timezone: 'Europe/Paris',
    outdoorTemperature: { device: 'meteo' },
    devices: [
      device({ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], maxPowerW: 400_000 }),
      ...Array.from({ length: 19 }, (_, k) => device({ id: `depart-${k + 1}`, kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], maxPowerW: 60_000, submeterOf: 'tgbt' })),
      device({ id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'] }),
      device({ id: 'meteo', kind: 'weather-station', quantities: ['temperature_c'] }),
      ...Array.from({ length: 28 }, (_, k) => device({ id: `salle-${k + 1}`, kind: 'temperature-sensor', quantities: ['temperature_c'] })),
    ],
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** CPU seconds (user + system) of a process: fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100/s on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const ownCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const dir = await createTempDir('sbe-bench-simulator-');
let service: ServiceProcess | null = null;
try {
  let configPath = EXAMPLE;
  if (scenario === 'live') {
    configPath = join(dir.path, 'sites.yaml');
    await writeFile(configPath, stringify({ sites: Array.from({ length: deviceCount / 50 }, (_, n) => benchSite(n + 1)) }));
  }
  const config: AppConfig = loadConfigFile(configPath, {});
  service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath, LOG_LEVEL: 'info' }, readyTimeoutMs: 120_000, ...(a.profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', a.profile] } : {}) });
  const pid = service.child.pid!;
  const url = `mqtt://127.0.0.1:${service.mqttPort}`;
  console.log(`${scenario}: ${config.sites.reduce((n, s) => n + s.devices.length, 0)} devices on ${config.sites.length} sites; ${machineLoad()}`);

  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let recording = scenario === 'backfill';
  /** Only messages published once the measurement started: those of the warm-up would count their wait in the queue. */
  let recordFrom = 0;
  const onAck = (ms: number) => {
    if (!recording || performance.now() - ms < recordFrom) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };
  let rssPeakKiB = 0;
  const sampler = setInterval(() => void statusKiB(pid, 'VmRSS').then((k) => (rssPeakKiB = Math.max(rssPeakKiB, k))), 500);

  const cpu0 = { sim: ownCpuSeconds(), service: await cpuSeconds(pid) };
  const t0 = performance.now();
  const run = await startSimulator({
    config,
    url,
    seed: 1,
    clientIdPrefix: 'bench-sim',
    onAck,
    ...(scenario === 'live' ? { intervalS, live: true } : { backfillDays: days, anomalies: true, live: false }),
    ...(a.steps !== undefined ? { historyStepsPerMessage: Number(a.steps) } : {}),
  });
  const connectedS = (performance.now() - t0) / 1000;
  let result: Record<string, unknown>;
  if (scenario === 'live') {
    // Measured from the first full second after every device connected.
    await new Promise((r) => setTimeout(r, 2000));
    const before = run.stats();
    recording = true;
    recordFrom = performance.now();
    const m0 = { sim: ownCpuSeconds(), service: await cpuSeconds(pid), at: performance.now() };
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const after = run.stats();
    const m1 = { sim: ownCpuSeconds(), service: await cpuSeconds(pid), at: performance.now() };
    recording = false;
    await run.stop();
    const elapsedS = (m1.at - m0.at) / 1000;
    const sorted = latencies.slice(0, count).sort();
    result = {
      scenario,
      devices: run.devices,
      intervalS,
      seconds: Number(elapsedS.toFixed(1)),
      connectSeconds: Number(connectedS.toFixed(1)),
      offeredPerS: Number((run.devices / intervalS).toFixed(0)),
      ackedPerS: Number(((after.acked - before.acked) / elapsedS).toFixed(1)),
      sentPerS: Number(((after.sent - before.sent) / elapsedS).toFixed(1)),
      droppedPerS: Number(((after.dropped - before.dropped) / elapsedS).toFixed(2)),
      failed: after.failed,
      pubackP50Ms: Number(percentile(sorted, 50).toFixed(1)),
      pubackP99Ms: Number(percentile(sorted, 99).toFixed(1)),
      simulatorCpuPercent: Number(((100 * (m1.sim - m0.sim)) / elapsedS).toFixed(1)),
      serviceCpuPercent: Number(((100 * (m1.service - m0.service)) / elapsedS).toFixed(1)),
    };
  } else {
    const report = await run.backfillDone;
    const s = run.stats();
    await run.stop();
    const sorted = latencies.slice(0, count).sort();
    result = {
      scenario,
      devices: run.devices,
      days,
      seconds: Number(report.seconds.toFixed(1)),
      messages: report.messages,
      readings: report.readings,
      ackedPerS: Number((s.acked / report.seconds).toFixed(0)),
      readingsPerS: Number((report.readings / report.seconds).toFixed(0)),
      failed: s.failed,
      pubackP50Ms: Number(percentile(sorted, 50).toFixed(1)),
      pubackP99Ms: Number(percentile(sorted, 99).toFixed(1)),
      simulatorCpuSeconds: Number((ownCpuSeconds() - cpu0.sim).toFixed(1)),
      serviceCpuSeconds: Number(((await cpuSeconds(pid)) - cpu0.service).toFixed(1)),
    };
  }
  clearInterval(sampler);
  result.serviceRssPeakMB = Math.round(Math.max(rssPeakKiB, await statusKiB(pid, 'VmRSS')) / 1024);
  result.serviceRssEndMB = Math.round((await statusKiB(pid, 'VmRSS')) / 1024);
  result.serviceVmHwmMB = Math.round((await statusKiB(pid, 'VmHWM')) / 1024);
  result.load = machineLoad();
  console.log(JSON.stringify(result, null, 2));
  if (a.json) await writeFile(a.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await service?.terminate();
  await dir.remove();
}
