import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/schema.js';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { REJECTION_REASONS } from '../../src/ingest/types.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { closed, connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { buildTestConfig, SECRETS } from '../unit/ingest/fixture-config.js';
import { RecordingWriter } from '../unit/ingest/recording-writer.js';

let config: AppConfig;
let service: IngestService;
let writer: RecordingWriter;
let metrics: Metrics;
let url: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  config = await buildTestConfig();
  writer = new RecordingWriter();
  metrics = createMetrics();
  service = new IngestService({
    config,
    settings: { MQTT_HOST: '127.0.0.1', MQTT_PORT: 0, MQTT_URL: undefined, MQTT_CLIENT_ID: 'unused' },
    writer,
    metrics,
    logger: pino({ level: 'silent' }),
    now: () => Date.now(),
    options: { maxPayloadBytes: 64 * 1024 },
  });
  await service.start();
  const address = service.brokerAddress();
  if (!address) throw new Error('no bound address');
  url = `mqtt://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  writer.release();
  await Promise.all(clients.splice(0).map((c) => endClient(c)));
  writer.readings.length = 0;
});

afterAll(async () => {
  await service.stop();
  await service.stop();
});

async function device(user: keyof typeof SECRETS, extra: Parameters<typeof connectClient>[1] = {}): Promise<MqttClient> {
  const client = await connectClient(url, { username: user, password: SECRETS[user], ...extra });
  clients.push(client);
  return client;
}

async function rejected(reason: string): Promise<number> {
  const { values } = await metrics.readingsRejected.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('embedded broker ingest', () => {
  it('listens on the port it reports, and reports its status', () => {
    expect(service.brokerAddress()?.port).toBeGreaterThan(0);
    expect(service.status()).toMatchObject({ mode: 'embedded', connected: true, endpoint: url });
  });

  it('stores JSON, SenML and plain-number readings with the right values', async () => {
    const meter = await device('site-a/meter');
    const env = await device('site-a/env'); // secretHash device
    // An hour ago, written in Paris winter time (+01:00) as the contract example.
    const tsMs = Math.floor(Date.now() / 60_000) * 60_000 - 3600_000;
    const paris = new Date(tsMs + 3600_000).toISOString().replace('Z', '+01:00');
    const tsS = tsMs / 1000;
    await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ ts: paris, energy_kwh: 18234.6, power_w: 5120 }));
    await publishQos1(meter, 'sites/site-a/devices/meter/power_w', '4800');
    await publishQos1(env, 'sites/site-a/devices/env', JSON.stringify([{ bn: 'env/', bt: tsS, n: 'temperature', u: 'Cel', v: 21.5 }, { n: 'co2_ppm', v: 640, t: 60 }]));
    expect(writer.readings).toEqual(
      expect.arrayContaining([
        { site: 'site-a', device: 'meter', quantity: 'energy_kwh', tsMs, value: 18234.6 },
        { site: 'site-a', device: 'meter', quantity: 'power_w', tsMs, value: 5120 },
        { site: 'site-a', device: 'env', quantity: 'temperature_c', tsMs, value: 21.5 },
        { site: 'site-a', device: 'env', quantity: 'co2_ppm', tsMs: tsMs + 60_000, value: 640 },
      ]),
    );
    expect(writer.readings.find((r) => r.quantity === 'power_w' && r.value === 4800)).toMatchObject({ tsFromServer: true });
    expect(writer.readings).toHaveLength(5);
    expect(service.status().lastMessageMs).not.toBeNull();
  });

  it('refuses wrong passwords and anonymous clients', async () => {
    await expect(connectClient(url, { username: 'site-a/meter', password: 'nope' })).rejects.toThrow(/Bad username or password/i);
    await expect(connectClient(url, { username: 'site-a/env', password: 'nope' })).rejects.toThrow(/Bad username or password/i);
    await expect(connectClient(url, {})).rejects.toThrow(/Not authorized/i);
  });

  it('counts and lists every rejection reason a device can cause, and acknowledges them', async () => {
    const meter = await device('site-a/meter');
    const cases: [string, string, string | Buffer][] = [
      ['unknown-topic', 'sites/site-a/devices/meter/', '1'],
      ['unknown-quantity', 'sites/site-a/devices/meter/voltage_v', '230'],
      ['undeclared-quantity', 'sites/site-a/devices/meter/co2_ppm', '400'],
      ['malformed-payload', 'sites/site-a/devices/meter', '{"power_w": '],
      ['invalid-value', 'sites/site-a/devices/meter', '{"power_w": "abc"}'],
      ['unsupported-unit', 'sites/site-a/devices/meter', '[{"n":"power","u":"Cel","v":1}]'],
      ['invalid-timestamp', 'sites/site-a/devices/meter', '{"ts":"yesterday","power_w":1}'],
      ['future-timestamp', 'sites/site-a/devices/meter', JSON.stringify({ ts: Date.now() + 3600_000, power_w: 1 })],
      ['oversized-payload', 'sites/site-a/devices/meter', Buffer.alloc(64 * 1024 + 1, 0x20)],
    ];
    const before = new Map<string, number>();
    for (const reason of REJECTION_REASONS) before.set(reason, await rejected(reason));
    for (const [, topic, payload] of cases) await publishQos1(meter, topic, payload);
    for (const [reason] of cases) expect(await rejected(reason), reason).toBe((before.get(reason) ?? 0) + 1);
    const listed = service.rejections(cases.length).map((r) => r.reason).reverse();
    expect(listed).toEqual(cases.map(([reason]) => reason));
    expect(service.rejections(1)[0]).toMatchObject({ site: 'site-a', device: 'meter', topic: 'sites/site-a/devices/meter' });
    expect(writer.readings).toEqual([]);
  });

  it('closes the connection of a device publishing to another site, and writes nothing', async () => {
    const meter = await device('site-a/meter');
    const gone = closed(meter);
    meter.publish('sites/site-b/devices/meter', JSON.stringify({ power_w: 1 }), { qos: 1 });
    await gone;
    expect(writer.readings).toEqual([]);
    const again = await device('site-a/meter');
    const gone2 = closed(again);
    again.publish('sites/site-a/devices/gas', JSON.stringify({ gas_m3: 1 }), { qos: 0 });
    await gone2;
    // Deeper than the contract, or over 256 bytes: refused at authorisation too (issue 11).
    for (const topic of ['sites/site-a/devices/meter/power_w/extra', `sites/site-a/devices/meter/${'p'.repeat(240)}`]) {
      const client = await device('site-a/meter');
      const gone3 = closed(client);
      client.publish(topic, '1', { qos: 1 });
      await gone3;
    }
    expect(writer.readings).toEqual([]);
  });

  it('refuses subscriptions outside the device subtree (SUBACK 0x80)', async () => {
    const meter = await device('site-a/meter');
    // mqtt.js rejects when a SUBACK carries a failure code; the packet rides on the error.
    const error = (await meter.subscribeAsync(['sites/+/devices/#', 'sites/site-a/devices/meter/#'], { qos: 1 }).catch((e: unknown) => e)) as { packet?: { granted?: number[] } };
    expect(error.packet?.granted).toEqual([128, 1]);
    expect(meter.connected).toBe(true);
  });

  it('survives garbage: random bytes, huge payloads, deep JSON', async () => {
    for (let i = 0; i < 5; i++) {
      const socket = tcpConnect(service.brokerAddress()?.port as number, '127.0.0.1');
      await new Promise<void>((resolve) => {
        socket.once('connect', () => socket.write(randomBytes(4096)));
        socket.once('close', () => resolve());
        socket.once('error', () => resolve());
        setTimeout(() => socket.destroy(), 2000);
      });
    }
    // Over MQTT_MAX_PACKET_BYTES (128 KiB): the connection is closed before the packet is buffered.
    const big = await device('site-a/meter');
    const bigGone = closed(big);
    big.publish('sites/site-a/devices/meter', randomBytes(2 * 1024 * 1024), { qos: 1 });
    await bigGone;
    const meter = await device('site-a/meter');
    await publishQos1(meter, 'sites/site-a/devices/meter', '['.repeat(30_000) + ']'.repeat(30_000));
    await publishQos1(meter, 'sites/site-a/devices/meter', '{"power_w":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000) + '}');
    await publishQos1(meter, 'sites/site-a/devices/meter', randomBytes(1000));
    await publishQos1(meter, 'sites/site-a/devices/meter/power_w', randomBytes(64));
    await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ power_w: 77 }));
    expect(writer.readings).toEqual([expect.objectContaining({ quantity: 'power_w', value: 77 })]);
    expect(service.status().connected).toBe(true);
  });

  it('sends PUBACK only after the write resolved', async () => {
    const meter = await device('site-a/meter');
    writer.hold();
    let acked = false;
    const publish = publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ power_w: 1234 })).then(() => {
      acked = true;
    });
    await waitUntil(() => writer.pendingCount() === 1, 5000, 'the write to start');
    // Proving an absence needs a window: the broker had 300 ms to (wrongly) acknowledge.
    await new Promise((r) => setTimeout(r, 300));
    expect(acked).toBe(false);
    expect(writer.readings).toEqual([]);
    writer.release();
    await publish;
    expect(acked).toBe(true);
    expect(writer.readings).toEqual([expect.objectContaining({ value: 1234 })]);
  });

  it('does not acknowledge a failed write: the device resends it after the connection is dropped', async () => {
    writer.failNext(1);
    const meter = await device('site-a/meter', { clientId: 'resend-meter', clean: false, reconnectPeriod: 50 });
    await publishQos1(meter, 'sites/site-a/devices/meter', JSON.stringify({ ts: Date.now(), power_w: 999 }));
    expect(writer.readings).toEqual([expect.objectContaining({ value: 999 })]);
    expect(writer.calls).toBeGreaterThanOrEqual(2);
  });

  it('keeps up with many concurrent QoS 1 publishers', async () => {
    const devices = await Promise.all((['site-a/meter', 'site-a/gas', 'site-b/meter', 'site-a/env'] as const).map((u) => device(u)));
    const perDevice = 2500;
    const started = performance.now();
    await Promise.all(
      devices.map((client, i) => {
        const topic = ['sites/site-a/devices/meter/power_w', 'sites/site-a/devices/gas/gas_m3', 'sites/site-b/devices/meter/power_w', 'sites/site-a/devices/env/co2_ppm'][i] as string;
        return Promise.all(Array.from({ length: perDevice }, (_, n) => publishQos1(client, topic, String(n))));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const rate = (4 * perDevice) / seconds;
    console.info(`embedded ingest: ${4 * perDevice} QoS 1 messages in ${seconds.toFixed(2)} s = ${Math.round(rate)} msg/s (publishers in the same process)`);
    expect(writer.readings).toHaveLength(4 * perDevice);
    expect(rate).toBeGreaterThan(1000);
  });
});
