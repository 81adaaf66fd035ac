/**
 * Ingest benchmark (issues 2 and 3): simulated devices publish through the broker into the real
 * service (src/main.ts in its own process), acknowledged only once durable; prints messages/s and
 * readings/s end to end, PUBACK and publish -> queryable latencies, and the service's peak RSS.
 *   npm run bench:ingest [-- --store duckdb|influx] [--broker embedded|mosquitto] [--payload json|senml|tasmota|zigbee2mqtt]
 *                        [--messages 200000] [--devices 20] [--window 50] [--rate 0] [--json out.json] [--cpu-prof DIR]
 *                        [--compiled]   (run the service as compiled JavaScript, as the Docker image does)
 *                        [--node-arg=--max-semi-space-size=4 …]   (node flags for the service)
 *                        [--mqtt-protocol 4] [--broker-inflight 1000]   (the service speaks MQTT 3.1.1 to Mosquitto,
 *                        whose max_inflight_messages, 20 by default, then bounds what it has in flight to the service)
 * With --store influx it also measures the raw /write rate of the same influxd (5,000-line batches).
 * --payload tasmota: each device is a Tasmota plug (profile tasmota) publishing tele/<topic>/SENSOR with
 * its local `Time` (one second apart per message, so that every reading is distinct); --payload
 * zigbee2mqtt: every client logs in as ONE zigbee2mqtt bridge and publishes a plug's state
 * (energy, power, last_seen) for its own friendly name. Both give 2 readings per message, as json.
 * --instances 2 (with --broker mosquitto --store influx): one service, then N on one MQTT_SHARE_GROUP
 * and one PostgreSQL, under the same load; per-instance cost, no loss, and the leader's takeover
 * after a kill -9 (test/bench/ingest/instances.ts); --pairs K repeats the pair of rounds K times;
 * --rate R there is per instance (N instances are fed N x R), to compare costs at one per-instance rate.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { connectAsync } from 'mqtt';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir } from '../helpers/tmp.js';
import { benchInstances } from './ingest/instances.js';
import { cpuSeconds, rssKiB } from './ingest/proc-stats.js';
import { runPublisher as runPublisherProcess, type PublisherResult } from './ingest/run-publisher.js';

const { values: a } = parseArgs({
  options: {
    store: { type: 'string', default: 'duckdb' },
    broker: { type: 'string' },
    payload: { type: 'string', default: 'json' },
    messages: { type: 'string', default: '200000' },
    devices: { type: 'string', default: '20' },
    window: { type: 'string', default: '50' },
    rate: { type: 'string', default: '0' },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
    compiled: { type: 'boolean', default: false },
    'node-arg': { type: 'string', multiple: true },
    'mqtt-protocol': { type: 'string' },
    'broker-inflight': { type: 'string' },
    instances: { type: 'string', default: '1' },
    pairs: { type: 'string', default: '1' },
  },
});
const storeArg = a.store === 'influx' ? 'influx' : a.store === 'duckdb' ? 'duckdb' : null;
if (!storeArg) throw new Error(`--store must be duckdb or influx, got ${a.store}`);
const store: 'influx' | 'duckdb' = storeArg;
const broker = (a.broker ?? (store === 'influx' ? 'mosquitto' : 'embedded')) as 'embedded' | 'mosquitto';
if (broker !== 'embedded' && broker !== 'mosquitto') throw new Error(`--broker must be embedded or mosquitto, got ${a.broker}`);
const payload = a.payload as 'json' | 'senml' | 'tasmota' | 'zigbee2mqtt';
if (!['json', 'senml', 'tasmota', 'zigbee2mqtt'].includes(payload)) throw new Error(`--payload must be json, senml, tasmota or zigbee2mqtt, got ${a.payload}`);
const messages = Number(a.messages);
const deviceCount = Number(a.devices);
const window = Number(a.window);
const rate = Number(a.rate);
const readingsPerMessage = payload === 'senml' ? 10 : 2;
const SITE = 'bench';
const SECRET = 'bench-device-secret';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const devices = Array.from({ length: deviceCount }, (_, i) => `d${String(i).padStart(3, '0')}`);
const meter = { kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'] };
function benchDevice(id: string): Record<string, unknown> {
  if (payload === 'tasmota') return { id, ...meter, profile: 'tasmota', topic: `bench_${id}`, secret: SECRET };
  if (payload === 'zigbee2mqtt') return { id, ...meter, profile: 'zigbee2mqtt', bridge: 'z2m', topic: `plug_${id}` };
  return { id, ...meter, secret: SECRET };
}
/** Each publisher client: its MQTT username and the topic it publishes on. */
const publishers = devices.map((d) => {
  if (payload === 'tasmota') return { username: `${SITE}/${d}`, topic: `tele/bench_${d}/SENSOR` };
  if (payload === 'zigbee2mqtt') return { username: `${SITE}/z2m`, topic: `zigbee2mqtt/plug_${d}` };
  return { username: `${SITE}/${d}`, topic: `sites/${SITE}/devices/${d}` };
});
const config = {
  sites: [
    {
      id: SITE,
      name: 'Benchmark site',
      usage: 'office',
      floorAreaM2: 1000,
      timezone: 'Europe/Paris',
      devices: [...devices.map(benchDevice), { id: 'probe', ...meter, secret: SECRET }],
      ...(payload === 'zigbee2mqtt' ? { bridges: [{ id: 'z2m', profile: 'zigbee2mqtt', secret: SECRET }] } : {}),
    },
  ],
};

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface HeapFigures {
  usedMB: number;
  totalMB: number;
  externalMB: number;
}

/** The service's V8 heap and external memory, from prom-client's default metrics on /metrics. */
async function heapFigures(service: ServiceProcess): Promise<HeapFigures> {
  // /metrics needs an admin's token: the helper's own (service-process.ts).
  const text = await (await service.fetch('/metrics')).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1048576);
  return { usedMB: mb('nodejs_heap_size_used_bytes'), totalMB: mb('nodejs_heap_size_total_bytes'), externalMB: mb('nodejs_external_memory_bytes') };
}

async function influxCount(influx: InfluxdHandle, db: string, where: string): Promise<number> {
  const q = encodeURIComponent(`SELECT COUNT(value) FROM readings WHERE ${where}`);
  const body = (await (await fetch(`${influx.url}/query?db=${db}&q=${q}`)).json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** The raw write rate of the same influxd: 5,000-line batches of our line shape, posted one after another. */
async function rawInfluxRate(influx: InfluxdHandle, points: number): Promise<number> {
  await fetch(`${influx.url}/query?q=${encodeURIComponent('CREATE DATABASE raw_bench')}`, { method: 'POST' });
  const baseMs = Date.now() - points - 10_000;
  const bodies: string[] = [];
  for (let start = 0; start < points; start += 5_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(points, start + 5_000); i++) {
      lines.push(`readings,device=d${String(i % deviceCount).padStart(3, '0')},quantity=power_w,site=raw value=${1000 + (i % 500)},ts_from_server=false ${baseMs + i}`);
    }
    bodies.push(lines.join('\n'));
  }
  const t0 = performance.now();
  for (const body of bodies) {
    const response = await fetch(`${influx.url}/write?db=raw_bench&precision=ms`, { method: 'POST', body });
    if (response.status !== 204) throw new Error(`raw write: HTTP ${response.status} ${await response.text()}`);
  }
  return points / ((performance.now() - t0) / 1000);
}

function runPublisher(url: string, baseMs: number): Promise<PublisherResult> {
  return runPublisherProcess({ url, site: SITE, publishers, secret: SECRET, messages, window, rate, payload, baseMs, timezone: 'Europe/Paris' });
}

/** One service (the default): the figures of the tables in the README's Benchmarks section. */
async function benchOneService(): Promise<void> {
  const dir = await createTempDir('sbe-bench-ingest-');
  let influx: InfluxdHandle | null = null;
  let mosquitto: MosquittoHandle | null = null;
  let service: ServiceProcess | null = null;
  try {
    const configPath = join(dir.path, 'sites.yaml');
    await writeFile(configPath, stringify(config));
    const env: Record<string, string> = { DATA_DIR: join(dir.path, 'data'), CONFIG: configPath, LOG_LEVEL: 'info' };
    // A V8 CPU profile of the service, written when it stops (open it in Chrome DevTools).
    if (store === 'influx') {
      influx = await startInfluxd();
      env.INFLUX_URL = influx.url;
    }
    if (broker === 'mosquitto') {
      const serviceUser = { username: 'sbe-service', password: 'bench-service-secret' };
      const inflight = a['broker-inflight'] ? [`max_inflight_messages ${Number(a['broker-inflight'])}`] : [];
      mosquitto = await startMosquitto({ config: loadConfigFile(configPath, {}), service: serviceUser, extraConfig: inflight });
      if (a['mqtt-protocol']) env.MQTT_PROTOCOL_VERSION = a['mqtt-protocol'];
      env.MQTT_URL = `mqtt://${serviceUser.username}:${serviceUser.password}@127.0.0.1:${mosquitto.port}`;
    }
    if (a.compiled) {
      // The production form (the Docker image runs the compiled JavaScript).
      const build = spawn('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
      await new Promise<void>((resolve, reject) => build.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed: ${code}`)))));
    }
    const nodeArgs = [...(a['node-arg'] ?? []), ...(a['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${a['cpu-prof']}`] : [])];
    service = await startServiceProcess({ env, ...(a.compiled ? { entry: 'dist' as const } : {}), nodeArgs });
    const pid = service.child.pid!;
    const brokerUrl = mosquitto ? mosquitto.url : `mqtt://127.0.0.1:${service.mqttPort}`;

    // Probe: a reading stamped with its publish time every 100 ms; polling /latest tells when it became queryable.
    const probe = await connectAsync(brokerUrl, { username: `${SITE}/probe`, password: SECRET, clientId: `bench-probe-${process.pid}`, reconnectPeriod: 0 });
    const pendingProbes: number[] = [];
    let probesSent = 0;
    const probeReadings = () => probesSent;
    const visibleLatencies: number[] = [];
    let rssPeakKiB = 0;
    let rssAnonPeakKiB = 0;
    let rssFileKiB = 0;
    let heapAtPeak = null as HeapFigures | null;
    let maxPending = 0;
    let maxSpooled = 0;
    let stop = false;
    const probeLoop = (async () => {
      while (!stop) {
        const ts = Date.now();
        pendingProbes.push(ts);
        probesSent += 1;
        probe.publish(`sites/${SITE}/devices/probe`, `{"ts":${ts},"power_w":1}`, { qos: 1 });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const pollLoop = (async () => {
      while (!stop) {
        try {
          const latest = (await (await service!.fetch(`/api/sites/${SITE}/latest`)).json()) as { values: Array<{ device: string; quantity: string; tsMs: number }> };
          const seenMs = latest.values.find((v) => v.device === 'probe' && v.quantity === 'power_w')?.tsMs ?? 0;
          const nowMs = Date.now();
          while (pendingProbes.length > 0 && pendingProbes[0]! <= seenMs) visibleLatencies.push(nowMs - pendingProbes.shift()!);
        } catch {
          // the API may be slow under load: the next poll catches up
        }
        const rssNow = await rssKiB(pid, 'VmRSS');
        // RSS = anonymous memory (heaps, buffers) + file-backed pages (the code of node and of native modules, shared and reclaimable).
        rssAnonPeakKiB = Math.max(rssAnonPeakKiB, await rssKiB(pid, 'RssAnon'));
        rssFileKiB = Math.max(rssFileKiB, await rssKiB(pid, 'RssFile'));
        // What the RSS peak is made of: the V8 heap (used vs reserved) and memory outside it (Buffers).
        if (rssNow > rssPeakKiB) heapAtPeak = await heapFigures(service!).catch(() => heapAtPeak);
        rssPeakKiB = Math.max(rssPeakKiB, rssNow);
        try {
          const health = (await (await service!.fetch('/api/health')).json()) as { writePath: { pendingReadings: number; spoolReadings: number } };
          maxPending = Math.max(maxPending, health.writePath.pendingReadings);
          maxSpooled = Math.max(maxSpooled, health.writePath.spoolReadings);
        } catch {
          // as above
        }
        // Every query costs the service CPU: poll as often as the shared harness does (250 ms).
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const idleRssKiB = await rssKiB(pid, 'VmRSS');
    const cpuAtStartS = await cpuSeconds(pid);
    // The other processes on the 2 cores: where the CPU goes when the service is not saturated.
    const peers = { influxd: influx?.pid() ?? null, mosquitto: mosquitto?.pid() ?? null };
    const peerCpuAtStartS = { influxd: peers.influxd ? await cpuSeconds(peers.influxd) : 0, mosquitto: peers.mosquitto ? await cpuSeconds(peers.mosquitto) : 0 };
    const baseMs = Date.now() - 86_400_000;
    const result = await runPublisher(brokerUrl, baseMs);
    const expected = result.acked * readingsPerMessage;
    // Embedded broker: the PUBACK came from the service after durability, so everything is stored.
    // Mosquitto: the PUBACK came from mosquitto; the service drains its queue after. Either way the
    // end is when the service has written every reading (the probe's are counted apart).
    const deadline = Date.now() + 180_000;
    let written = 0;
    for (;;) {
      const metricsText = await (await service.fetch('/metrics')).text();
      written = Number(/^sbe_store_readings_written_total (\S+)/m.exec(metricsText)?.[1] ?? 0);
      if (written >= expected + probeReadings() || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const allStoredMs = Date.now();
    stop = true;
    await Promise.all([probeLoop, pollLoop]);
    await probe.endAsync();
    const hwmKiB = await rssKiB(pid, 'VmHWM');
    const serviceCpuS = (await cpuSeconds(pid)) - cpuAtStartS;
    const influxdCpuS = peers.influxd ? (await cpuSeconds(peers.influxd)) - peerCpuAtStartS.influxd : 0;
    const mosquittoCpuS = peers.mosquitto ? (await cpuSeconds(peers.mosquitto)) - peerCpuAtStartS.mosquitto : 0;

    let stored: number;
    if (influx) {
      stored = await influxCount(influx, 'energy', `site='${SITE}' AND device != 'probe'`);
      await service.terminate();
      service = null;
    } else {
      await service.terminate();
      service = null;
      const duck = new DuckDbStore({ dataDir: env.DATA_DIR! });
      await duck.start();
      stored = 0;
      for (const d of devices) stored += await duck.count({ site: SITE, device: d });
      await duck.stop();
    }
    // Embedded: acknowledged = durable, so the end is the last PUBACK; mosquitto: the last write seen.
    const endMs = broker === 'embedded' ? result.lastAckMs : allStoredMs;
    const seconds = (endMs - result.firstPublishMs) / 1000;
    visibleLatencies.sort((x, y) => x - y);
    const figures: Record<string, number | string> = {
      store,
      broker,
      payload,
      runtime: `${a.compiled ? 'node dist (compiled)' : 'tsx'}${a['node-arg'] ? ` ${a['node-arg'].join(' ')}` : ''}`,
      ...(broker === 'mosquitto' ? { serviceMqtt: `${a['mqtt-protocol'] === '4' ? '3.1.1' : '5'}${a['broker-inflight'] ? `, max_inflight_messages ${a['broker-inflight']}` : ''}` } : {}),
      messages: result.acked,
      devices: deviceCount,
      window,
      rate: rate || 'max',
      seconds: Number(seconds.toFixed(2)),
      messagesPerS: Math.round(result.acked / seconds),
      readingsPerS: Math.round((result.acked * readingsPerMessage) / seconds),
      pubackP50Ms: Math.round(result.ackP50Ms),
      pubackP99Ms: Math.round(result.ackP99Ms),
      queryableP50Ms: Math.round(percentile(visibleLatencies, 50)),
      queryableP99Ms: Math.round(percentile(visibleLatencies, 99)),
      queryableSamples: visibleLatencies.length,
      peakRssMB: Math.round(Math.max(rssPeakKiB, hwmKiB) / 1024),
      peakRssAnonMB: Math.round(rssAnonPeakKiB / 1024),
      rssFileBackedMB: Math.round(rssFileKiB / 1024),
      idleRssMB: Math.round(idleRssKiB / 1024),
      ...(heapAtPeak !== null ? { heapUsedAtPeakMB: heapAtPeak.usedMB, heapReservedAtPeakMB: heapAtPeak.totalMB, externalAtPeakMB: heapAtPeak.externalMB } : {}),
      // Cores the service process used from the first publish to the last reading written (2 = the whole machine).
      serviceCores: Number((serviceCpuS / ((allStoredMs - result.firstPublishMs) / 1000)).toFixed(2)),
      serviceCpuUsPerReading: Number(((serviceCpuS * 1e6) / expected).toFixed(2)),
      publisherCores: Number((result.cpuS / ((result.lastAckMs - result.firstPublishMs) / 1000)).toFixed(2)),
      ...(peers.influxd ? { influxdCores: Number((influxdCpuS / ((allStoredMs - result.firstPublishMs) / 1000)).toFixed(2)) } : {}),
      ...(peers.mosquitto ? { mosquittoCores: Number((mosquittoCpuS / ((allStoredMs - result.firstPublishMs) / 1000)).toFixed(2)) } : {}),
      maxPendingReadings: maxPending,
      maxSpooledReadings: maxSpooled,
      readingsExpected: expected,
      readingsStored: stored,
      readingsWrittenMetric: written,
      drainAfterLastPubackMs: allStoredMs - result.lastAckMs,
    };
    if (influx) {
      const raw = await rawInfluxRate(influx, 200_000);
      figures.influxRawPointsPerS = Math.round(raw);
      figures.ratioToRaw = Number(((result.acked * readingsPerMessage) / seconds / raw).toFixed(2));
    }
    console.log('');
    console.log(`ingest benchmark: ${deviceCount} devices x QoS 1 (window ${window}), ${payload} payload (${readingsPerMessage} readings/message), broker ${broker}, store ${store}`);
    for (const [key, value] of Object.entries(figures)) console.log(`  ${key.padEnd(24)} ${value}`);
    if (stored !== expected) console.log(`  MISMATCH: ${expected} readings acknowledged, ${stored} stored`);
    if (a.json) await writeFile(a.json, JSON.stringify(figures, null, 2));
    if (stored !== expected) process.exitCode = 1;
  } finally {
    await service?.kill9();
    await mosquitto?.stop();
    await influx?.stop();
    await dir.remove();
  }
}

const instances = Number(a.instances);
if (!Number.isInteger(instances) || instances < 1) throw new Error(`--instances must be a whole number of 1 or more, got ${a.instances}`);
if (instances === 1) {
  await benchOneService();
} else {
  // Several instances need what they share: a broker with MQTT 5 shared subscriptions and one store.
  if (broker !== 'mosquitto' || store !== 'influx' || payload !== 'json') throw new Error('--instances above 1 runs with --broker mosquitto --store influx and the json payload');
  const pairs = Number(a.pairs);
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`--pairs must be a whole number of 1 or more, got ${a.pairs}`);
  await benchInstances({ instances, pairs, config, publisherArgs: { site: SITE, publishers, secret: SECRET, messages, window, rate, payload, timezone: 'Europe/Paris' }, readingsPerMessage, ...(a.json ? { json: a.json } : {}) });
}
