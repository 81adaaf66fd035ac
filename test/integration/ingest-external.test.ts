import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/schema.js';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { buildTestConfig, SECRETS } from '../unit/ingest/fixture-config.js';
import { RecordingWriter } from '../unit/ingest/recording-writer.js';

const SERVICE = { username: 'sbe-service', password: 'svc-pass-1' };
const CLIENT_ID = 'sbe-ingest-test';
let config: AppConfig;
let mosquitto: MosquittoHandle;
const services: IngestService[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  config = await buildTestConfig();
  mosquitto = await startMosquitto({ config, service: SERVICE });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => endClient(c)));
  for (const s of services.splice(0)) await s.stop();
});

afterAll(async () => {
  await mosquitto?.stop();
});

async function startService(writer: RecordingWriter, clientId = CLIENT_ID, protocolVersion: 4 | 5 = 5): Promise<IngestService> {
  const service = new IngestService({
    config,
    settings: { MQTT_HOST: '127.0.0.1', MQTT_PORT: 0, MQTT_URL: `mqtt://${SERVICE.username}:${SERVICE.password}@127.0.0.1:${mosquitto.port}`, MQTT_CLIENT_ID: clientId },
    writer,
    metrics: createMetrics(),
    logger: pino({ level: 'silent' }),
    now: () => Date.now(),
    options: { external: { reconnectPeriodMs: 100, retryDelayMs: 200, protocolVersion } },
  });
  services.push(service);
  await service.start();
  await waitUntil(() => service.status().connected, 10_000, 'the service to connect and subscribe');
  return service;
}

async function device(user: keyof typeof SECRETS): Promise<MqttClient> {
  const client = await connectClient(mosquitto.url, { username: user, password: SECRETS[user] });
  clients.push(client);
  return client;
}

describe('external broker (mosquitto) ingest', () => {
  it('carries device readings end to end and reports its status without credentials', async () => {
    const writer = new RecordingWriter();
    const service = await startService(writer);
    expect(service.status()).toMatchObject({ mode: 'external', connected: true, endpoint: `mqtt://127.0.0.1:${mosquitto.port}` });
    expect(service.brokerAddress()).toBeNull();
    const meter = await device('site-a/meter');
    const tsMs = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ ts: tsMs, energy_kwh: 18234.6, power_w: 5120 }));
    await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify([{ bn: 'meter/', bt: tsMs / 1000, n: 'energy', u: 'Wh', v: 18234700, t: 60 }]));
    await publishQos1(meter, 'sites/site-a/devices/meter/power_w', 'not a number');
    await waitUntil(() => writer.readings.length === 3 && service.rejections().length === 1, 5000, 'three readings and one rejection');
    await meter.publishAsync('sites/site-a/devices/meter/power_w', '99', { qos: 0 });
    await waitUntil(() => writer.readings.length === 4, 5000, 'the QoS 0 reading');
    expect(writer.readings.pop()).toMatchObject({ quantity: 'power_w', value: 99, tsFromServer: true });
    expect(writer.readings).toEqual([
      { site: 'site-a', device: 'meter', quantity: 'energy_kwh', tsMs, value: 18234.6 },
      { site: 'site-a', device: 'meter', quantity: 'power_w', tsMs, value: 5120 },
      { site: 'site-a', device: 'meter', quantity: 'energy_kwh', tsMs: tsMs + 60_000, value: 18234.7 },
    ]);
    expect(service.rejections()[0]).toMatchObject({ reason: 'invalid-value', site: 'site-a', device: 'meter' });
  });

  it('keeps its session: messages published while the service is offline arrive on reconnect', async () => {
    const first = await startService(new RecordingWriter());
    await first.stop();
    const meter = await device('site-a/meter');
    const base = Date.now() - 3600_000;
    for (let i = 0; i < 50; i++) await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ ts: base + i * 1000, power_w: i }));
    const writer = new RecordingWriter();
    await startService(writer);
    await waitUntil(() => writer.readings.length === 50, 10_000, '50 queued messages');
    expect(writer.readings.map((r) => r.value)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('the generated password and ACL files are enforced by mosquitto', async () => {
    const writer = new RecordingWriter();
    await startService(writer);
    await expect(connectClient(mosquitto.url, { username: 'site-a/meter', password: 'wrong' })).rejects.toThrow(/not authorized|bad user/i);
    await expect(connectClient(mosquitto.url, {})).rejects.toThrow(/not authorized|bad user/i);
    // secretHash-only devices get no mosquitto password line.
    expect(mosquitto.skipped).toEqual(['site-a/env']);
    await expect(connectClient(mosquitto.url, { username: 'site-a/env', password: SECRETS['site-a/env'] })).rejects.toThrow(/not authorized|bad user/i);

    const meter = await device('site-a/meter');
    // mosquitto drops a publish its ACL denies (a QoS 1 one is still acknowledged to the sender).
    await publishQos1(meter, 'sites/site-b/devices/meter', JSON.stringify({ power_w: 666 }));
    await publishQos1(meter, 'sites/site-a/devices/gas', JSON.stringify({ gas_m3: 666 }));
    await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '1');
    await waitUntil(() => writer.readings.length >= 1, 5000, 'the allowed message');
    expect(writer.readings).toEqual([expect.objectContaining({ site: 'site-a', device: 'meter', value: 1 })]);

    // mosquitto 2.0.11 grants a 3.1.1 subscription beyond the ACL but delivers only what
    // the ACL lets the user read: the device sees its own subtree, not another site's.
    const received: string[] = [];
    meter.on('message', (topic) => received.push(topic));
    await meter.subscribeAsync('sites/+/devices/#', { qos: 1 }).catch(() => undefined);
    const other = await device('site-b/meter');
    await publishQos1(other, 'sites/site-b/devices/meter/power_w', '2');
    await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '3');
    await waitUntil(() => received.includes('sites/site-a/devices/meter/power_w'), 5000, 'the device to receive its own topic');
    expect(received).not.toContain('sites/site-b/devices/meter/power_w');
  });

  it('reconnects by itself when mosquitto is killed and restarted on the same port', async () => {
    const writer = new RecordingWriter();
    const service = await startService(writer);
    const pid = mosquitto.pid();
    await mosquitto.kill9();
    await waitUntil(() => !service.status().connected, 5000, 'the service to notice the broker is gone');
    await mosquitto.restart();
    expect(mosquitto.pid()).not.toBe(pid);
    await waitUntil(() => service.status().connected, 10_000, 'the service to reconnect');
    const meter = await device('site-a/meter');
    await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '5');
    await waitUntil(() => writer.readings.length === 1, 5000, 'a message after the restart');
  });

  // Last in this block: the persistent sessions of the tests above queue what these publish.
  for (const protocolVersion of [5, 4] as const) {
    it(`does not turn mosquitto's retained replay into phantom readings on resubscribe (MQTT ${protocolVersion === 5 ? '5, rh: 2' : '3.1.1, dropped'})`, async () => {
      const meter = await device('site-a/meter');
      // A device publishing retained (some firmware does): mosquitto keeps it and replays it to every new subscriber.
      await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '321', { retain: true });
      const writer = new RecordingWriter();
      const service = await startService(writer, `sbe-retain-${protocolVersion}`, protocolVersion);
      await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '322');
      await waitUntil(() => writer.readings.length >= 1, 5000, 'the live reading');
      await service.stop();
      // Resubscribing (a restart with the same session) must not bring 321 back either.
      const again = await startService(writer, `sbe-retain-${protocolVersion}`, protocolVersion);
      await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '323');
      await waitUntil(() => writer.readings.length >= 2, 5000, 'the second live reading');
      await new Promise((r) => setTimeout(r, 300)); // room for a (wrong) replay to arrive
      expect(writer.readings.map((r) => r.value)).toEqual([322, 323]);
      expect(again.status().connected).toBe(true);
      // Clear the retained message for the next tests (an empty retained payload deletes it).
      await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '', { retain: true });
    });
  }
});

// MQTT 5, and 3.1.1 for brokers without 5 (mosquitto 1.x, many embedded brokers): the same
// guarantees, and messages still written concurrently.
describe.each([5, 4] as const)('external broker (mosquitto) acknowledgements over MQTT protocol level %i', (protocolVersion) => {
  // One persistent session per test: a PUBACK still unsent when a test ends must not bring its
  // message back into the next test.
  const sessionOf = (test: string) => `sbe-ingest-test-v${protocolVersion}-${test}`;

  it('does not acknowledge before the write resolved: a message held at shutdown is redelivered', async () => {
    const held = new RecordingWriter();
    held.hold();
    const first = await startService(held, sessionOf('held'), protocolVersion);
    const meter = await device('site-a/meter');
    const ts = Date.now() - 1000;
    await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ ts, power_w: 4242 + protocolVersion }));
    await waitUntil(() => held.pendingCount() === 1, 5000, 'the write to start');
    await first.stop();
    held.release(); // too late: the connection is gone, no PUBACK went out
    const writer = new RecordingWriter();
    await startService(writer, sessionOf('held'), protocolVersion);
    await waitUntil(() => writer.readings.length === 1, 10_000, 'the redelivered message');
    expect(writer.readings[0]).toMatchObject({ tsMs: ts, value: 4242 + protocolVersion });
  });

  it('does not acknowledge a failed write: the connection is dropped and the broker redelivers', async () => {
    const writer = new RecordingWriter();
    const service = await startService(writer, sessionOf('failed'), protocolVersion);
    writer.failNext(1);
    const meter = await device('site-b/meter');
    await publishQos1(meter, 'sites/site-b/devices/meter', JSON.stringify({ ts: Date.now() - 1000, heat_kwh: 12.5 + protocolVersion }));
    await waitUntil(() => writer.readings.length === 1, 10_000, 'the redelivered message');
    expect(writer.readings[0]).toMatchObject({ site: 'site-b', quantity: 'heat_kwh', value: 12.5 + protocolVersion });
    expect(writer.calls).toBe(2);
    await waitUntil(() => service.status().connected, 5000, 'the service to be subscribed again');
  });

  it('holds several writes at once, acknowledging none of them before they resolve', async () => {
    const held = new RecordingWriter();
    held.hold();
    await startService(held, sessionOf('several'), protocolVersion);
    const meter = await device('site-a/meter');
    const n = 10;
    const published = Array.from({ length: n }, (_, i) => publishQos1(meter, 'sites/site-a/devices/meter/power_w', String(i)));
    // One message at a time would start a single write (mosquitto lets 20 be in flight in 3.1.1).
    await waitUntil(() => held.pendingCount() === n, 5000, `${n} writes started together`);
    held.release();
    await waitUntil(() => held.readings.length === n, 5000, 'all readings');
    expect(held.readings.map((r) => r.value)).toEqual(Array.from({ length: n }, (_, i) => i));
    await Promise.all(published); // Mosquitto's PUBACKs to the device, before the client is ended
  });

  it('writes messages concurrently yet stores them all, in order (a 5 ms write, 2000 messages)', async () => {
    // One write at a time would need 2000 x 5 ms = 10 s.
    const writer = new RecordingWriter(5);
    await startService(writer, sessionOf('concurrent'), protocolVersion);
    const meter = await device('site-a/meter');
    const n = 2000;
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => publishQos1(meter, 'sites/site-a/devices/meter/power_w', String(i))));
    await waitUntil(() => writer.readings.length === n, 30_000, `${n} messages`);
    const seconds = (performance.now() - started) / 1000;
    console.info(`external ingest via mosquitto (MQTT protocol level ${protocolVersion}), 5 ms writes: ${n} QoS 1 messages in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} msg/s`);
    expect(writer.readings.map((r) => r.value)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(seconds).toBeLessThan(5);
  });
});


describe('external broker speaking MQTT 3.1.1 only (aedes)', () => {
  it('falls back to 3.1.1 and still acknowledges after the write', async () => {
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const writer = new RecordingWriter();
    writer.hold();
    const service = new IngestService({
      config,
      settings: { MQTT_HOST: '127.0.0.1', MQTT_PORT: 0, MQTT_URL: `mqtt://127.0.0.1:${port}`, MQTT_CLIENT_ID: 'sbe-v4' },
      writer,
      metrics: createMetrics(),
      logger: pino({ level: 'silent' }),
      now: () => Date.now(),
      options: { external: { reconnectPeriodMs: 100 } },
    });
    services.push(service);
    try {
      await service.start();
      await waitUntil(() => service.status().connected, 10_000, 'the 3.1.1 fallback to connect');
      const publisher = await connectClient(`mqtt://127.0.0.1:${port}`);
      clients.push(publisher);
      await publishQos1(publisher, 'sites/site-a/devices/meter/power_w', '7');
      await waitUntil(() => writer.pendingCount() === 1, 5000, 'the write to start');
      writer.release();
      await waitUntil(() => writer.readings.length === 1, 5000, 'the reading');
      expect(writer.readings[0]).toMatchObject({ quantity: 'power_w', value: 7 });
    } finally {
      await service.stop();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
