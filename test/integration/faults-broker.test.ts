import { afterEach, describe, expect, it } from 'vitest';
import { expectedSeriesCounts, expectedSum, influxSeriesCounts, influxTotals, publishLoad } from '../helpers/fault-load.js';
import { startFaultStack, startLateBrokerStack } from '../helpers/fault-stack.js';
import { waitUntil } from '../helpers/mqtt.js';
import type { ServiceProcess } from '../helpers/service-process.js';

// The production shape: devices -> Mosquitto (persistent session of the service) -> service -> InfluxDB.
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setup() {
  return startFaultStack(cleanups, { prefix: 'sbe-faults-broker-' });
}

interface Health {
  status: string;
  broker: { mode: string; connected: boolean };
  writePath: { spoolReadings: number; pendingReadings: number; deadLetters: number };
}

async function health(service: ServiceProcess): Promise<Health> {
  return (await (await service.fetch(`/api/health`)).json()) as Health;
}

async function brokerConnected(service: ServiceProcess): Promise<boolean> {
  return (await health(service)).broker.connected;
}

/** sessionPresent of each CONNACK the service logged: true means the broker kept its persistent session. */
function sessionsPresent(service: ServiceProcess): boolean[] {
  return service
    .logs()
    .filter((line) => line.includes('connected to the MQTT broker'))
    .map((line) => (JSON.parse(line) as { sessionPresent: boolean }).sessionPresent);
}

/** Every reading stored once, under its own series, with its own value. */
async function expectAllStoredOnce(influxUrl: string, deviceIds: string[], messages: number): Promise<void> {
  await waitUntil(async () => (await influxTotals(influxUrl)).count >= 2 * messages, 60_000, 'every reading stored');
  const totals = await influxTotals(influxUrl);
  expect(totals.count).toBe(2 * messages);
  expect(totals.sum).toBe(expectedSum(messages));
  expect(await influxSeriesCounts(influxUrl)).toEqual(expectedSeriesCounts(deviceIds, messages));
}

describe('external Mosquitto (issue 3, faults b and c)', () => {
  it('loses nothing when the service is killed with kill -9 mid-stream and restarted', async () => {
    const { influx, mosquitto, deviceIds, start } = await setup();
    const service = await start();
    await waitUntil(() => brokerConnected(service), 15_000, 'the service subscribed to mosquitto');
    const messages = 20_000;
    let acked = 0;
    let storedAtKill = -1;
    let ackedAtKill = -1;
    let ackedAtRestart = -1;
    let restarted: Promise<ServiceProcess> | null = null;
    const total = await publishLoad({
      url: mosquitto.url,
      deviceIds,
      messages,
      baseMs: Date.now() - 86_400_000,
      onAcked: (n) => {
        acked = n;
        if (restarted || n < messages / 4) return;
        restarted = (async () => {
          await waitUntil(async () => (await influxTotals(influx.url)).count > 0, 15_000, 'some readings stored before the crash');
          ackedAtKill = acked;
          await service.kill9();
          storedAtKill = (await influxTotals(influx.url)).count;
          const second = await start();
          ackedAtRestart = acked;
          return second;
        })();
      },
    });
    expect(total).toBe(messages);
    expect(restarted).not.toBeNull();
    const second = await restarted!;
    // Mid-stream: the crash left readings to store, and devices went on publishing to Mosquitto meanwhile.
    expect(storedAtKill).toBeGreaterThan(0);
    expect(storedAtKill).toBeLessThan(2 * messages);
    expect(ackedAtKill).toBeLessThan(messages);
    expect(ackedAtRestart).toBeGreaterThan(ackedAtKill);
    await expectAllStoredOnce(influx.url, deviceIds, messages);
    // Same MQTT_CLIENT_ID: the restarted service found its session (and the backlog) at Mosquitto.
    expect(sessionsPresent(second)).toEqual([true]);
    await waitUntil(async () => (await health(second)).writePath.pendingReadings === 0, 10_000, 'nothing pending');
    const after = await health(second);
    expect(after.broker).toMatchObject({ mode: 'external', connected: true });
    expect(after.writePath).toMatchObject({ spoolReadings: 0, deadLetters: 0 });
  });

  it('reconnects and loses nothing when the broker restarts mid-stream', async () => {
    const { influx, mosquitto, deviceIds, start } = await setup();
    const service = await start();
    await waitUntil(() => brokerConnected(service), 15_000, 'the service subscribed to mosquitto');
    const messages = 20_000;
    let acked = 0;
    let ackedAtStop = -1;
    let bounce: Promise<void> | null = null;
    let sawDisconnected = false;
    // Each publisher reconnects by itself (reconnectPeriod) and counts a message only on its PUBACK.
    const total = await publishLoad({
      url: mosquitto.url,
      deviceIds,
      messages,
      baseMs: Date.now() - 86_400_000,
      reconnect: true,
      onAcked: (n) => {
        acked = n;
        if (bounce || n < messages / 4) return;
        bounce = (async () => {
          ackedAtStop = acked;
          // SIGTERM: mosquitto writes its persistence file (what it acknowledged to devices) on the way out.
          // A kill -9 would lose what it acknowledged since its last autosave: a broker property, not ours.
          await mosquitto.terminate();
          await waitUntil(async () => !(await brokerConnected(service)), 10_000, 'the service to see the broker gone');
          sawDisconnected = true;
          await mosquitto.restart();
        })();
      },
    });
    await bounce;
    expect(sawDisconnected).toBe(true);
    expect(total).toBe(messages);
    expect(ackedAtStop).toBeLessThan(messages);
    await waitUntil(() => brokerConnected(service), 20_000, 'the service to reconnect');
    await expectAllStoredOnce(influx.url, deviceIds, messages);
    // Two CONNACKs: the first connection, then the reconnection to the restarted broker, which kept the session.
    expect(sessionsPresent(service)).toHaveLength(2);
    expect(sessionsPresent(service)[1]).toBe(true);
    const after = await health(service);
    expect(after.broker.connected).toBe(true);
    expect(after.writePath).toMatchObject({ spoolReadings: 0, deadLetters: 0 });
  });
});

describe('external Mosquitto not up yet when the service starts', () => {
  it('starts, reports the broker down, connects once it is up (MQTT 3.1.1 here), and stores what devices publish', async () => {
    // Also the MQTT 3.1.1 path from the environment, as towards a Mosquitto 1.x.
    const stack = await startLateBrokerStack(cleanups, { prefix: 'sbe-faults-broker-late-', env: { MQTT_PROTOCOL_VERSION: '4' } });
    const service = await stack.start();
    const before = await health(service);
    expect(before.broker).toMatchObject({ mode: 'external', connected: false });
    expect(before.status).toBe('degraded');
    const mosquitto = await stack.startMosquitto();
    await waitUntil(() => brokerConnected(service), 20_000, 'the service to connect to the late broker');
    const messages = 1_000;
    expect(await publishLoad({ url: mosquitto.url, deviceIds: stack.deviceIds, messages, baseMs: Date.now() - 86_400_000 })).toBe(messages);
    await expectAllStoredOnce(stack.influx.url, stack.deviceIds, messages);
    const connected = service.logs().filter((line) => line.includes('connected to the MQTT broker')).map((line) => (JSON.parse(line) as { protocolVersion: number }).protocolVersion);
    expect(connected).toEqual([4]);
  });
});
