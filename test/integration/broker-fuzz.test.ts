import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestService } from '../../src/ingest/ingest-service.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { closed, connectClient, endClient, publishQos1 } from '../helpers/mqtt.js';
import { buildTestConfig, SECRETS } from '../unit/ingest/fixture-config.js';
import { RecordingWriter } from '../unit/ingest/recording-writer.js';

// 100,000 random and mutated payloads and topics through the embedded broker (issue 11 point 7):
// no crash; every message either refused at authorisation (connection closed, predicted here
// independently of the broker's code) or acknowledged; acknowledged ones are stored or rejected,
// and the counters add up. A fixed seed makes a failure reproducible.

const TOTAL = 100_000;
const TOPIC_REFUSALS = 1_000; // each costs a reconnect
const PUBLISHERS = 8;
const WINDOW = 64; // QoS 1 messages in flight per publisher
const BASE = 'sites/site-a/devices/meter';

let service: IngestService;
let writer: RecordingWriter;
let metrics: Metrics;
let url: string;

beforeAll(async () => {
  writer = new RecordingWriter();
  metrics = createMetrics();
  service = new IngestService({
    config: await buildTestConfig(),
    settings: { MQTT_HOST: '127.0.0.1', MQTT_PORT: 0, MQTT_URL: undefined, MQTT_CLIENT_ID: 'unused' },
    writer,
    metrics,
    logger: pino({ level: 'silent' }),
    now: () => Date.now(),
    options: { maxPayloadBytes: 64 * 1024 },
  });
  await service.start();
  url = `mqtt://127.0.0.1:${service.brokerAddress()?.port}`;
});

afterAll(async () => {
  await service?.stop();
});

/** mulberry32: a small seeded PRNG (public domain), so that a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(11_2026);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));

const SEEDS = [
  () => JSON.stringify({ ts: new Date(Date.now() - 60_000).toISOString(), energy_kwh: 18234.6, power_w: 5120 }),
  () => JSON.stringify([{ bn: 'meter/', bt: Date.now() / 1000 - 60, n: 'power', u: 'W', v: 4800 }, { n: 'energy', u: 'kWh', v: 18000.5, t: 1 }]),
  () => '4800',
  () => JSON.stringify({ power_w: -1, energy_kwh: 'x' }),
];
const TOKENS = ['NaN', '1e309', '-', '"', '{', '}', '[', ']', 'null', 'true', ',', ':', '\u00e9', '\uffff', '0x10', '"ts":', '"power_w":'];

function mutate(seed: string): Buffer {
  const bytes = Buffer.from(seed);
  switch (Math.floor(rand() * 7)) {
    case 0: {
      const b = Buffer.from(bytes);
      for (let k = 0; k < 1 + rand() * 4; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      return b;
    }
    case 1:
      return bytes.subarray(0, Math.floor(rand() * bytes.length));
    case 2: {
      const at = Math.floor(rand() * bytes.length);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(pick(TOKENS)), bytes.subarray(at)]);
    }
    case 3:
      return randomBytes(Math.floor(rand() * 300));
    case 4:
      return Buffer.alloc(0);
    case 5:
      return rand() < 0.05 ? Buffer.alloc(64 * 1024 + 1 + Math.floor(rand() * 4096), 0x31) : Buffer.from(seed.repeat(1 + Math.floor(rand() * 20)));
    default:
      return bytes;
  }
}

const QUANTITY_LEVELS = ['', '/power_w', '/energy_kwh', '/co2_ppm', '/voltage_v', '/', '/\u00e9t\u00e9', `/${'q'.repeat(200)}`];
const OUTSIDE = [
  'sites/site-b/devices/meter',
  'sites/site-a/devices/gas',
  'sites/site-a/devices/meter2',
  `${BASE}/power_w/extra`,
  `${BASE}/power_w/`,
  `${BASE}/a/b/c`,
  `${BASE}/${'x'.repeat(260)}`,
  'tele/meter/SENSOR',
  'sites',
  '$SYS/broker',
  'sites/site-a/devices/meterpower_w',
];

/** The broker's rule, written independently: own subtree, at most 5 levels, at most 256 UTF-8 bytes. */
function mayPublish(topic: string): boolean {
  const inTree = topic === BASE || topic.startsWith(`${BASE}/`);
  return inTree && topic.split('/').length <= 5 && Buffer.byteLength(topic) <= 256;
}

interface Message {
  topic: string;
  payload: Buffer;
  /** A control message: exactly this power_w value must be stored. */
  control?: number;
}

function generate(): { good: Message[]; refused: Message[] } {
  const good: Message[] = [];
  const refused: Message[] = [];
  let control = 0;
  while (good.length + refused.length < TOTAL) {
    const r = rand();
    if (r < 0.05) {
      control += 1;
      good.push({ topic: `${BASE}/power_w`, payload: Buffer.from(String(1_000_000 + control)), control: 1_000_000 + control });
    } else if (r < 0.05 + TOPIC_REFUSALS / TOTAL && refused.length < TOPIC_REFUSALS) {
      const topic = rand() < 0.5 ? pick(OUTSIDE) : `${BASE}/${pick(TOKENS).replace(/[+#/]/g, 'z')}/${Math.floor(rand() * 9)}/x`;
      refused.push({ topic, payload: mutate(pick(SEEDS)()) });
    } else {
      const topic = BASE + pick(QUANTITY_LEVELS);
      good.push({ topic, payload: mutate(pick(SEEDS)()) });
    }
  }
  return { good, refused };
}

async function counter(metric: Metrics['messagesReceived'] | Metrics['readingsAccepted'] | Metrics['readingsRejected']): Promise<number> {
  const { values } = await metric.get();
  return values.reduce((n, v) => n + v.value, 0);
}

describe('fuzzing the embedded broker', () => {
  it('takes 100,000 random and mutated messages without a crash, and the counters add up', async () => {
    const { good, refused } = generate();
    // One expect over the lists: 100,000 expect() calls cost seconds.
    expect(good.filter((m) => !mayPublish(m.topic)).map((m) => m.topic)).toEqual([]);
    expect(refused.filter((m) => mayPublish(m.topic)).map((m) => m.topic)).toEqual([]);
    const received0 = await counter(metrics.messagesReceived);
    const accepted0 = await counter(metrics.readingsAccepted);
    const rejected0 = await counter(metrics.readingsRejected);
    const startedMs = Date.now();

    const publishers: MqttClient[] = [];
    for (let p = 0; p < PUBLISHERS; p++) publishers.push(await connectClient(url, { username: 'site-a/meter', password: SECRETS['site-a/meter'], clientId: `fuzz-${p}` }));
    let acked = 0;
    const runGood = publishers.map(async (client, p) => {
      const mine = good.filter((_, i) => i % PUBLISHERS === p);
      for (let i = 0; i < mine.length; i += WINDOW) {
        await Promise.all(mine.slice(i, i + WINDOW).map((m) => publishQos1(client, m.topic, m.payload).then(() => (acked += 1))));
      }
    });
    let refusedClosed = 0;
    const runRefused = (async () => {
      for (const m of refused) {
        const client = await connectClient(url, { username: 'site-a/meter', password: SECRETS['site-a/meter'] });
        const gone = closed(client);
        client.publish(m.topic, m.payload, { qos: 1 });
        await gone;
        refusedClosed += 1;
        await endClient(client);
      }
    })();
    await Promise.all([...runGood, runRefused]);
    await Promise.all(publishers.map((c) => endClient(c)));
    const elapsedS = (Date.now() - startedMs) / 1000;

    const received = (await counter(metrics.messagesReceived)) - received0;
    const accepted = (await counter(metrics.readingsAccepted)) - accepted0;
    const rejections = (await counter(metrics.readingsRejected)) - rejected0;
    console.log(`fuzz: ${TOTAL} messages in ${elapsedS.toFixed(1)} s: ${acked} acknowledged, ${refusedClosed} refused at authorisation; ${accepted} readings stored, ${rejections} rejections, ${writer.calls} writes`);

    expect(acked + refusedClosed).toBe(TOTAL);
    expect(acked).toBe(good.length);
    expect(refusedClosed).toBe(refused.length);
    // Every acknowledged message went through ingest once; refused ones never did.
    expect(received).toBe(good.length);
    // What the counters say was accepted is what reached the store, one write per message with readings.
    expect(writer.readings.length).toBe(accepted);
    const messagesWithReadings = writer.calls;
    // A message with no reading has at least one rejection counted.
    expect(rejections).toBeGreaterThanOrEqual(good.length - messagesWithReadings);
    // Nothing is stored for another device, an undeclared quantity or a non-finite value.
    expect(writer.readings.filter((r) => !(r.site === 'site-a' && r.device === 'meter' && (r.quantity === 'power_w' || r.quantity === 'energy_kwh') && Number.isFinite(r.value)))).toEqual([]);
    // Every control message is stored exactly once, with its value.
    const controlValues = new Map<number, number>();
    for (const r of writer.readings) if (r.quantity === 'power_w' && r.value > 1_000_000 && Number.isInteger(r.value)) controlValues.set(r.value, (controlValues.get(r.value) ?? 0) + 1);
    const controls = good.filter((m) => m.control !== undefined);
    expect(controls.length).toBeGreaterThan(4000);
    expect(controls.filter((m) => controlValues.get(m.control as number) !== 1).map((m) => m.control)).toEqual([]);
    // Still serving.
    const after = await connectClient(url, { username: 'site-a/meter', password: SECRETS['site-a/meter'] });
    await publishQos1(after, `${BASE}/power_w`, '1');
    await endClient(after);
    expect(service.status().connected).toBe(true);
  }, 180_000);
});
