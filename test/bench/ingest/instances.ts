/**
 * `npm run bench:ingest -- --instances 2 --broker mosquitto --store influx` (issue 9, point 7): the
 * same load through one service, then through N services on one MQTT_SHARE_GROUP (Debian's
 * mosquitto 2, a fresh one per round so that no session of the previous round holds a share),
 * writing to one influxd (a database per round) with their state on one PostgreSQL. Per round:
 * messages/s acknowledged to the devices (by mosquitto) and stored end to end, the readings in
 * InfluxDB against those acknowledged; per instance: messages it handled, CPU seconds per 1,000 of
 * them, peak RSS. Then kill -9 of the leader and the time until another instance holds the lease.
 * On 2 cores the figure to read is no loss and the same per-instance cost, not a 2x speed-up.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../../src/config/load.js';
import type { AppConfig } from '../../../src/config/schema.js';
import { startInfluxd, type InfluxdHandle } from '../../helpers/influxd.js';
import { startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { startPostgres, type PostgresHandle } from '../../helpers/postgres.js';
import { startServiceProcess, type ServiceProcess } from '../../helpers/service-process.js';
import { createTempDir, type TempDir } from '../../helpers/tmp.js';
import { cpuSeconds, loadAverage, rssKiB } from './proc-stats.js';
import { runPublisher } from './run-publisher.js';

export interface InstancesBenchOptions {
  instances: number;
  /** How many pairs of rounds (one service, then `instances`) to run; the last one ends with the leader's kill. */
  pairs: number;
  /** The site configuration (devices and their secrets) as an object, written to YAML for every service. */
  config: Record<string, unknown>;
  /** The publisher's arguments but its broker URL and time base, which each round sets. */
  publisherArgs: Record<string, unknown> & { messages: number; publishers: unknown[]; rate: number };
  readingsPerMessage: number;
  json?: string;
}

const SERVICE_USER = { username: 'sbe-service', password: 'bench-service-secret' };
/** The service's lease (src/cluster/leader-lease.ts defaults): a dead leader is replaced within ttl + one renewal. */
const LEASE_TTL_MS = 15_000;
const LEASE_RENEW_MS = 5_000;
const IDLE_MS = 5_000;
const SETTLE_MS = 5_000;

interface InstanceFigures {
  instance: string;
  messages: number;
  cpuS: number;
  cpuSPer1000Messages: number;
  /** CPU the instance used per second while idle before the load (cores). */
  idleCores: number;
  /** The same cost without what it would have used idle over the round. */
  cpuSPer1000MessagesAboveIdle: number;
  peakRssMB: number;
  rssAtEndMB: number;
}

interface RoundFigures {
  /** `pair_one` or `pair_many`. */
  label: string;
  instances: number;
  loadAverageAtStart: string;
  messagesAcked: number;
  ackedPerS: number;
  storedPerS: number;
  seconds: number;
  readingsExpected: number;
  readingsStored: number;
  lost: number;
  mosquittoCpuSPer1000Messages: number;
  influxdCpuSPer1000Readings: number;
  perInstance: InstanceFigures[];
  takeoverMs?: number;
}

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await service.fetch('/metrics')).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
}

async function influxCount(influx: InfluxdHandle, db: string): Promise<number> {
  const q = encodeURIComponent('SELECT COUNT(value) FROM readings');
  const body = (await (await fetch(`${influx.url}/query?db=${db}&q=${q}`)).json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

async function leaseHolder(databaseUrl: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query("SELECT holder FROM leader_lease WHERE name = 'leader' AND expires_at > now()");
    return (r.rows[0] as { holder?: string } | undefined)?.holder ?? null;
  } finally {
    await client.end();
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface Shared {
  dir: TempDir;
  pg: PostgresHandle;
  influx: InfluxdHandle;
  configPath: string;
  appConfig: AppConfig;
}

/** One round: `count` services share the load; with `killLeader`, the leader is then killed and the takeover timed. */
async function round(shared: Shared, count: number, options: InstancesBenchOptions, killLeader: boolean, label: string): Promise<RoundFigures> {
  const loadAverageAtStart = await loadAverage();
  let mosquitto: MosquittoHandle | null = null;
  const services: { id: string; proc: ServiceProcess }[] = [];
  try {
    mosquitto = await startMosquitto({ config: shared.appConfig, service: SERVICE_USER });
    const databaseUrl = await shared.pg.createDatabase(`bench_round_${label}`);
    const influxDb = `bench_round_${label}`;
    for (let i = 0; i < count; i++) {
      const id = `i${i}`;
      const proc = await startServiceProcess({
        readyTimeoutMs: 120_000,
        env: {
          DATA_DIR: join(shared.dir.path, `round-${label}`, id), CONFIG: shared.configPath, LOG_LEVEL: 'info',
          INFLUX_URL: shared.influx.url, INFLUX_DB: influxDb, DATABASE_URL: databaseUrl, INSTANCE_ID: id,
          MQTT_URL: `mqtt://${SERVICE_USER.username}:${SERVICE_USER.password}@127.0.0.1:${mosquitto.port}`,
          MQTT_SHARE_GROUP: 'bench', MQTT_CLIENT_ID: `bench-${label}-${id}`,
        },
      });
      services.push({ id, proc });
    }
    // Every member subscribed (a late one would get no share) and one leader elected, before the load.
    await waitFor(async () => {
      const health = await Promise.all(services.map(async (s) => ((await (await s.proc.fetch('/api/health')).json()) as { broker: { connected: boolean } }).broker.connected));
      return health.every(Boolean);
    }, 60_000, 'every instance subscribed');
    await waitFor(async () => (await leaseHolder(databaseUrl)) !== null, 60_000, 'a leader');

    const pids = services.map((s) => s.proc.child.pid!);
    // What an idle instance burns anyway (lease renewals, timers, the harness's own polling):
    // measured for IDLE_MS before the load, so the per-message cost can be read without it.
    // After a settling pause: a service just started is still compiling and warming its caches.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const idleAtStart = await Promise.all(pids.map(cpuSeconds));
    const idleStartedMs = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleRates = (await Promise.all(pids.map(cpuSeconds))).map((c, k) => (c - idleAtStart[k]!) / ((performance.now() - idleStartedMs) / 1000));
    const cpuAtStart = await Promise.all(pids.map(cpuSeconds));
    const mosquittoCpuAtStart = await cpuSeconds(mosquitto.pid()!);
    const influxdCpuAtStart = await cpuSeconds(shared.influx.pid()!);
    // --rate is per instance here: N instances get N times the rate, so each sees what the one did.
    const result = await runPublisher({ ...options.publisherArgs, rate: options.publisherArgs.rate * count, url: mosquitto.url, baseMs: Date.now() - 86_400_000 });
    const expected = result.acked * options.readingsPerMessage;
    // mosquitto acknowledged on receipt; the round ends when the services have written every reading.
    // Polled as often as the single-instance bench polls its service (every /metrics costs the service CPU).
    await waitFor(async () => (await Promise.all(services.map((s) => metric(s.proc, 'sbe_store_readings_written_total')))).reduce((x, y) => x + y, 0) >= expected, 300_000, 'every reading written', 250);
    const allStoredMs = Date.now();
    const cpuAtEnd = await Promise.all(pids.map(cpuSeconds));
    const mosquittoCpuS = (await cpuSeconds(mosquitto.pid()!)) - mosquittoCpuAtStart;
    const influxdCpuS = (await cpuSeconds(shared.influx.pid()!)) - influxdCpuAtStart;
    const perInstance: InstanceFigures[] = [];
    for (const [k, s] of services.entries()) {
      const handled = await metric(s.proc, 'sbe_ingest_messages_received_total');
      const cpuS = cpuAtEnd[k]! - cpuAtStart[k]!;
      const aboveIdleS = cpuS - idleRates[k]! * ((allStoredMs - result.firstPublishMs) / 1000);
      perInstance.push({
        instance: s.id,
        messages: handled,
        cpuS: Number(cpuS.toFixed(2)),
        cpuSPer1000Messages: Number(((cpuS * 1000) / handled).toFixed(3)),
        idleCores: Number(idleRates[k]!.toFixed(3)),
        cpuSPer1000MessagesAboveIdle: Number(((aboveIdleS * 1000) / handled).toFixed(3)),
        peakRssMB: Math.round((await rssKiB(pids[k]!, 'VmHWM')) / 1024),
        rssAtEndMB: Math.round((await rssKiB(pids[k]!, 'VmRSS')) / 1024),
      });
    }
    const stored = await influxCount(shared.influx, influxDb);
    const seconds = (allStoredMs - result.firstPublishMs) / 1000;
    const figures: RoundFigures = {
      label,
      instances: count,
      loadAverageAtStart,
      messagesAcked: result.acked,
      ackedPerS: Math.round(result.acked / ((result.lastAckMs - result.firstPublishMs) / 1000)),
      storedPerS: Math.round(result.acked / seconds),
      seconds: Number(seconds.toFixed(2)),
      readingsExpected: expected,
      readingsStored: stored,
      lost: expected - stored,
      mosquittoCpuSPer1000Messages: Number(((mosquittoCpuS * 1000) / result.acked).toFixed(3)),
      influxdCpuSPer1000Readings: Number(((influxdCpuS * 1000) / expected).toFixed(3)),
      perInstance,
    };
    if (killLeader && count > 1) {
      const leader = await leaseHolder(databaseUrl);
      const victim = services.find((s) => s.id === leader);
      if (!victim) throw new Error(`the lease is held by ${leader}, not one of this round's instances`);
      const killedAt = performance.now();
      await victim.proc.kill9();
      await waitFor(async () => {
        const holder = await leaseHolder(databaseUrl);
        return holder !== null && holder !== leader;
      }, 60_000, 'another instance to take the lease', 50);
      figures.takeoverMs = Math.round(performance.now() - killedAt);
    }
    return figures;
  } finally {
    for (const s of services.reverse()) await s.proc.terminate().catch(() => s.proc.kill9());
    await mosquitto?.stop();
  }
}

function print(rounds: RoundFigures[], options: InstancesBenchOptions): void {
  const args = options.publisherArgs;
  console.log('');
  console.log(`ingest benchmark, several instances: ${args.publishers.length} devices x QoS 1 (window ${String(args.window)}), json (${options.readingsPerMessage} readings/message), ${args.messages} messages per round, ${args.rate > 0 ? `paced at ${args.rate} msgs/s per instance` : 'as fast as they go'}`);
  console.log('  devices -> mosquitto 2 ($share/bench/…) -> service(s) -> influxd 1.6; state and leader lease on PostgreSQL 15');
  console.log(`  ${'round'.padEnd(10)}${'instances'.padEnd(10)}${'load avg'.padEnd(20)}${'acked msg/s'.padEnd(13)}${'stored msg/s'.padEnd(14)}${'stored / expected'.padEnd(22)}${'mosquitto cpu s/1k msg'.padEnd(24)}influxd cpu s/1k readings`);
  for (const r of rounds) {
    console.log(`  ${r.label.padEnd(10)}${String(r.instances).padEnd(10)}${r.loadAverageAtStart.padEnd(20)}${String(r.ackedPerS).padEnd(13)}${String(r.storedPerS).padEnd(14)}${`${r.readingsStored} / ${r.readingsExpected}`.padEnd(22)}${String(r.mosquittoCpuSPer1000Messages).padEnd(24)}${r.influxdCpuSPer1000Readings}`);
  }
  console.log(`  ${'instance'.padEnd(16)}${'messages'.padEnd(10)}${'cpu s'.padEnd(8)}${'cpu s/1k msg'.padEnd(14)}${'idle cores'.padEnd(12)}${'above idle s/1k'.padEnd(17)}${'peak RSS MB'.padEnd(13)}RSS at end MB`);
  for (const r of rounds) {
    for (const i of r.perInstance) {
      console.log(`  ${`${r.label}: ${i.instance}`.padEnd(16)}${String(i.messages).padEnd(10)}${String(i.cpuS).padEnd(8)}${String(i.cpuSPer1000Messages).padEnd(14)}${String(i.idleCores).padEnd(12)}${String(i.cpuSPer1000MessagesAboveIdle).padEnd(17)}${String(i.peakRssMB).padEnd(13)}${i.rssAtEndMB}`);
    }
  }
  for (const r of rounds) {
    if (r.takeoverMs !== undefined) console.log(`  leader takeover after kill -9: ${r.takeoverMs} ms (lease ${LEASE_TTL_MS / 1000} s, renewed every ${LEASE_RENEW_MS / 1000} s: bound ${(LEASE_TTL_MS + LEASE_RENEW_MS) / 1000} s)`);
    if (r.lost !== 0) console.log(`  MISMATCH with ${r.instances} instance(s): ${r.readingsExpected} readings acknowledged, ${r.readingsStored} stored`);
  }
  console.log(`  uptime: ${execFileSync('uptime').toString().trim()}`);
}

/** Runs the rounds (1, then options.instances, `pairs` times) and prints their figures; exit code 1 when a reading is missing. */
export async function benchInstances(options: InstancesBenchOptions): Promise<void> {
  const dir = await createTempDir('sbe-bench-instances-');
  let pgServer: PostgresHandle | null = null;
  let influx: InfluxdHandle | null = null;
  try {
    pgServer = await startPostgres();
    influx = await startInfluxd();
    const configPath = join(dir.path, 'sites.yaml');
    await writeFile(configPath, stringify(options.config));
    const shared: Shared = { dir, pg: pgServer, influx, configPath, appConfig: loadConfigFile(configPath, {}) };
    const rounds: RoundFigures[] = [];
    // Pairs of rounds, one service then N, so that the machine's drifting load touches both alike.
    for (let pair = 1; pair <= options.pairs; pair++) {
      rounds.push(await round(shared, 1, options, false, `${pair}_one`));
      rounds.push(await round(shared, options.instances, options, pair === options.pairs, `${pair}_many`));
    }
    print(rounds, options);
    if (options.json) await writeFile(options.json, JSON.stringify(rounds, null, 2));
    if (rounds.some((r) => r.lost !== 0)) process.exitCode = 1;
  } finally {
    await influx?.stop();
    await pgServer?.stop();
    await dir.remove();
  }
}
