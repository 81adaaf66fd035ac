/**
 * Issue 9, "What will be checked", as one scenario on the production shape: two whole services
 * (src/main.ts, each in its own process) behind Debian's mosquitto 2 with MQTT_SHARE_GROUP, on
 * Debian's influxd and postgres, mailing a real SMTP server in the test.
 *   1. A load at QoS 1 from five meters; kill -9 of the follower mid-load, restarted with its
 *      client id: every reading mosquitto acknowledged is in InfluxDB once (count, sum, series).
 *   2. kill -9 of the leader while the CO2 condition is pending: the other takes the lease within
 *      the bound (measured and printed), and opens one alert and sends one e-mail.
 *   3. PostgreSQL stopped for longer than the lease, then restarted: the leader steps down, one
 *      leader afterwards, nothing sent again.
 * The lease runs with the service's defaults (15 s, renewed every 5 s: takeover ≤ 20 s) since the
 * service reads no variable for them; rules run on the wall clock's cron minute, hence the rule
 * lasts 1 min. About 4 minutes of wall clock in all (216-242 s on a machine at load average 20).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load.js';
import { expectedSeriesCounts, expectedSum, FAULT_SECRET, FAULT_SITE, influxSeriesCounts, influxTotals, metricValue, publishLoad, SERVICE_USER } from '../helpers/fault-load.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { startPostgres, type PostgresHandle } from '../helpers/postgres.js';
import { CO2_RULE, RECIPIENT, SECRET, siteConfigObject } from '../helpers/rules-service.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

const METERS = ['m0', 'm1', 'm2', 'm3', 'm4'];
const MESSAGES = 10_000;
const FOR_MS = 60_000;
/** The bound on a takeover after the leader dies. */
const TAKEOVER_BOUND_MS = 30_000;
/** The services' lease ttl (LEADER_LEASE_TTL_S; 15 s by default): shorter, so the scenario takes less wall clock. */
const LEASE_TTL_MS = 6_000;

/** The CO2 room of rules-service.ts (site-a) beside the fault site's five meters. */
function scenarioConfig(): Record<string, unknown> {
  const co2 = siteConfigObject([{ ...CO2_RULE, for: '1m', clearFor: '1m' }]) as { sites: Record<string, unknown>[]; rules: unknown[] };
  const meters = {
    id: FAULT_SITE, name: 'Fault tests', usage: 'industrial', floorAreaM2: 500,
    devices: METERS.map((id) => ({ id, kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: FAULT_SECRET })),
  };
  return { sites: [...co2.sites, meters], rules: co2.rules };
}

type LeaseEvent = 'acquired' | 'lost' | null;
/** The last lease event an instance logged (src/cluster/leader-lease.ts messages). */
function lastLeaseEvent(service: ServiceProcess): LeaseEvent {
  let last: LeaseEvent = null;
  for (const line of service.logs()) {
    if (line.includes('"leader lease acquired')) last = 'acquired';
    else if (line.includes('"leader lease lost')) last = 'lost';
  }
  return last;
}

describe('two services behind mosquitto on InfluxDB and PostgreSQL: kills and a PostgreSQL restart', () => {
  let dir: TempDir | null = null;
  let pgServer: PostgresHandle | null = null;
  let influx: InfluxdHandle | null = null;
  let mosquitto: MosquittoHandle | null = null;
  let smtp: TestSmtpServer | null = null;
  let sensor: MqttClient | null = null;
  let sensing = false;
  const services: ServiceProcess[] = [];
  afterAll(async () => {
    sensing = false;
    await endClient(sensor);
    for (const s of services) await s.kill9();
    await smtp?.close();
    await mosquitto?.stop();
    await influx?.stop();
    await pgServer?.stop();
    await dir?.remove();
  });

  it('nothing lost or stored twice, one alert and one e-mail, takeover within the bound, one leader after PostgreSQL restarts', async () => {
    dir = await createTempDir('sbe-scale-two-');
    pgServer = await startPostgres();
    const databaseUrl = await pgServer.createDatabase('scale_two');
    influx = await startInfluxd();
    const configPath = join(dir.path, 'sites.yaml');
    await writeFile(configPath, stringify(scenarioConfig()));
    mosquitto = await startMosquitto({ config: loadConfigFile(configPath, {}), service: SERVICE_USER });
    smtp = await createTestSmtpServer();
    await smtp.listen();

    /** A fresh client per statement: the test's own view must survive the PostgreSQL restart. */
    const sql = async <T>(text: string, params: unknown[] = []): Promise<T[]> => {
      const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as T[];
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    const leaseHolder = async (): Promise<string | null> =>
      (await sql<{ holder: string }>("SELECT holder FROM leader_lease WHERE name = 'leader' AND expires_at > now()").catch(() => []))[0]?.holder ?? null;

    const envOf = (id: 'a' | 'b'): Record<string, string> => ({
      DATA_DIR: join(dir!.path, `data-${id}`),
      CONFIG: configPath,
      INFLUX_URL: influx!.url,
      MQTT_URL: `mqtt://${SERVICE_USER.username}:${SERVICE_USER.password}@127.0.0.1:${mosquitto!.port}`,
      MQTT_SHARE_GROUP: 'sbe',
      MQTT_CLIENT_ID: `sbe-scale-${id}`,
      INSTANCE_ID: id,
      LEADER_LEASE_TTL_S: String(LEASE_TTL_MS / 1000),
      DATABASE_URL: databaseUrl,
      SMTP_URL: `smtp://127.0.0.1:${smtp!.port}`,
      ALERT_EMAIL_FROM: 'alertes@energie.example.fr',
    });
    const start = async (id: 'a' | 'b'): Promise<ServiceProcess> => {
      const service = await startServiceProcess({ env: envOf(id), readyTimeoutMs: 120_000 });
      services.push(service);
      return service;
    };
    /** On failure, what each instance said last: a wall-clock scenario is hard to replay. */
    const withLogs = async (what: () => Promise<void>): Promise<void> => {
      try {
        await what();
      } catch (error) {
        const tails = services.map((s, i) => `--- instance ${i} (pid ${s.child.pid}, exit ${s.child.exitCode ?? s.child.signalCode}) ---\n${s.logs().slice(-30).join('\n')}`);
        throw new Error(`${(error as Error).message}\n${tails.join('\n')}`, { cause: error });
      }
    };

    // A starts first and leads; B follows.
    let a = await start('a');
    await withLogs(() => waitUntil(() => lastLeaseEvent(a) === 'acquired', 30_000, 'a to lead', 100));
    let b = await start('b');
    expect(await leaseHolder()).toBe('a');

    // The CO2 room holds 1,800 ppm from now on, a reading every 2 s stamped by the sensor.
    sensor = await connectClient(mosquitto.url, { username: 'site-a/salle', password: SECRET, reconnectPeriod: 500 });
    const firstCo2Ms = Date.now();
    sensing = true;
    const sensorLoop = (async () => {
      while (sensing) {
        await publishQos1(sensor!, 'sites/site-a/devices/salle', JSON.stringify({ ts: Date.now(), co2_ppm: 1800 })).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    })();

    // 1. The load; kill -9 of the follower once a quarter is acknowledged, restarted at once.
    const aWrittenBefore = metricValue(await (await a.fetch('/metrics')).text(), 'sbe_store_readings_written_total');
    const restart: { b: Promise<ServiceProcess> | null } = { b: null };
    const acked = await publishLoad({
      url: mosquitto.url, deviceIds: METERS, messages: MESSAGES, baseMs: Date.now() - 2 * 86_400_000,
      onAcked: (n) => {
        if (n === MESSAGES / 4 && !restart.b) restart.b = b.kill9().then(() => start('b'));
      },
    });
    expect(acked).toBe(MESSAGES);
    expect(restart.b).not.toBeNull();
    b = await restart.b!;
    await withLogs(() => waitUntil(async () => (await influxTotals(influx!.url)).count >= 2 * MESSAGES, 120_000, 'every acknowledged reading in InfluxDB', 250));
    // A moment more: a reading stored twice or late would change the figures now.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await influxTotals(influx.url)).toEqual({ count: 2 * MESSAGES, sum: expectedSum(MESSAGES) });
    expect(await influxSeriesCounts(influx.url)).toEqual(expectedSeriesCounts(METERS, MESSAGES));
    // The load was shared: A stored part of it, not all (B's share, stranded while B was down, came with B).
    const aWritten = metricValue(await (await a.fetch('/metrics')).text(), 'sbe_store_readings_written_total') - aWrittenBefore;
    const bWritten = metricValue(await (await b.fetch('/metrics')).text(), 'sbe_store_readings_written_total');
    expect(aWritten).toBeGreaterThan(0.2 * 2 * MESSAGES);
    expect(aWritten).toBeLessThan(0.8 * 2 * MESSAGES);
    expect(bWritten).toBeGreaterThan(0);
    console.log(`two services, ${MESSAGES} messages: A stored ${aWritten} readings, B after its restart ${bWritten}; InfluxDB holds ${2 * MESSAGES}, none twice`);

    // 2. The leader has judged the condition pending (persisted in PostgreSQL): kill -9 of it now.
    await withLogs(() => waitUntil(async () => (await sql<{ state: { machine: { phase: string } } }>('SELECT state FROM rule_state')).some((r) => r.state.machine.phase === 'pending'), 90_000, 'the pending CO2 condition', 250));
    expect(await sql('SELECT id FROM alerts')).toEqual([]);
    expect(await leaseHolder()).toBe('a');
    const killedAt = performance.now();
    await a.kill9();
    await withLogs(() => waitUntil(async () => (await leaseHolder()) === 'b', TAKEOVER_BOUND_MS + 10_000, 'b to take the lease', 100));
    const takeoverMs = Math.round(performance.now() - killedAt);
    console.log(`leader takeover after kill -9: ${takeoverMs} ms (lease ${LEASE_TTL_MS} ms, bound ${TAKEOVER_BOUND_MS} ms)`);
    expect(takeoverMs).toBeLessThan(TAKEOVER_BOUND_MS);
    // A comes back (restart: unless-stopped) as a follower, and gets its stranded share.
    a = await start('a');
    await withLogs(() => waitUntil(() => smtp!.received.length >= 1, 180_000, 'the alert e-mail', 250));
    const alerts = await sql<{ start_ms: number; opened_ms: number; state: string; rule: string }>('SELECT start_ms::float8 AS start_ms, opened_ms::float8 AS opened_ms, state, rule FROM alerts');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.rule).toBe('co2-high');
    expect(alerts[0]!.start_ms).toBeGreaterThanOrEqual(firstCo2Ms);
    expect(alerts[0]!.opened_ms - alerts[0]!.start_ms).toBeGreaterThanOrEqual(FOR_MS);
    expect(smtp.received[0]!.to).toEqual([RECIPIENT]);
    expect(lastLeaseEvent(a)).toBeNull();

    // 3. PostgreSQL stops for longer than the lease: the leader steps down; then it is back.
    const mailId = smtp.received[0]!.messageId;
    await pgServer.crash();
    const crashedAt = performance.now();
    await withLogs(() => waitUntil(() => lastLeaseEvent(b) === 'lost', LEASE_TTL_MS + 15_000, 'b to step down', 100));
    console.log(`leader stepped down ${Math.round(performance.now() - crashedAt)} ms after PostgreSQL stopped`);
    await new Promise((r) => setTimeout(r, Math.max(0, LEASE_TTL_MS + 3_000 - (performance.now() - crashedAt))));
    await pgServer.restart();
    await withLogs(() => waitUntil(async () => (await leaseHolder()) !== null, TAKEOVER_BOUND_MS, 'a leader after the restart', 250));
    console.log(`a leader again ${Math.round(performance.now() - crashedAt)} ms after PostgreSQL stopped (down ${LEASE_TTL_MS + 3_000} ms)`);
    // The new leader's outbox pass at its start and one poll (15 s) after: nothing sent again.
    await new Promise((r) => setTimeout(r, 20_000));
    const holder = await leaseHolder();
    const byId = { a, b };
    const leaders = (['a', 'b'] as const).filter((id) => lastLeaseEvent(byId[id]) === 'acquired');
    expect(leaders).toEqual([holder]);
    expect(await sql('SELECT count(*)::int AS n FROM leader_lease')).toEqual([{ n: 1 }]);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.messageId).toBe(mailId);
    expect(await sql('SELECT id FROM alerts')).toHaveLength(1);
    expect(await sql<{ sent: number; waiting: number }>('SELECT count(sent_ms)::int AS sent, count(*) FILTER (WHERE sent_ms IS NULL)::int AS waiting FROM outbox')).toEqual([{ sent: 1, waiting: 0 }]);
    // Ingest went on through it all: the last sensor readings are stored.
    const co2Count = async () => {
      const q = encodeURIComponent("SELECT COUNT(value) FROM readings WHERE site = 'site-a'");
      const body = (await (await fetch(`${influx!.url}/query?db=energy&q=${q}`)).json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
      return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
    };
    const before = await co2Count();
    await withLogs(() => waitUntil(async () => (await co2Count()) > before, 20_000, 'a new CO2 reading stored', 250));

    sensing = false;
    await sensorLoop;
    // Both stop cleanly: the leader hands its lease over.
    expect(await a.terminate()).toBe(0);
    expect(await b.terminate()).toBe(0);
  }, 420_000);
});
