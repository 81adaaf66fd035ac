/**
 * Load generator of the ingest benchmark, run in its own process so it does not share the
 * service's event loop. Each simulated device is one mqtt.js client publishing at QoS 1 with a
 * bounded window of unacknowledged messages; a message counts only when its PUBACK arrives
 * (the service sends it once the readings are durable). Prints one JSON line of results.
 */
import { connectAsync, type MqttClient } from 'mqtt';

interface PublisherArgs {
  url: string;
  site: string;
  /** One client each: its username and topic (a bridge's clients share one username). */
  publishers: { username: string; topic: string }[];
  secret: string;
  messages: number;
  window: number;
  /** Total messages per second over all devices; 0 = as fast as the windows allow. */
  rate: number;
  payload: 'json' | 'senml' | 'tasmota' | 'zigbee2mqtt';
  /** Readings of message i of a device are stamped baseMs + i*10 (+ k ms within a SenML pack), all distinct (tasmota: + i s). */
  baseMs: number;
  /** The site's zone, in which Tasmota's `Time` is local. */
  timezone: string;
}

const args = JSON.parse(process.argv[2]!) as PublisherArgs;
const perDevice = Math.ceil(args.messages / args.publishers.length);
const localTime = new Intl.DateTimeFormat('sv-SE', { timeZone: args.timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function payloadOf(i: number): string {
  const tsMs = args.baseMs + i * 10;
  if (args.payload === 'tasmota') {
    // Tasmota's `Time` has a resolution of one second: message i is i seconds after the base.
    // The shape of https://github.com/arendst/Tasmota/issues/1621 (a POW plug's SENSOR).
    const time = localTime.format(new Date(args.baseMs + i * 1000)).replace(' ', 'T');
    return `{"Time":"${time}","ENERGY":{"TotalStartTime":"2026-01-01T00:00:00","Total":${(10_000 + i * 0.01).toFixed(3)},"Yesterday":0.054,"Today":0.049,"Period":0,"Power":${1000 + (i % 500)},"Factor":0.93,"Voltage":231,"Current":4.5}}`;
  }
  if (args.payload === 'zigbee2mqtt') {
    // A zigbee2mqtt plug's state with advanced.last_seen: ISO_8601 (https://www.zigbee2mqtt.io/guide/configuration/).
    return `{"energy":${(10_000 + i * 0.01).toFixed(2)},"linkquality":120,"power":${1000 + (i % 500)},"state":"ON","last_seen":"${new Date(tsMs).toISOString()}"}`;
  }
  if (args.payload === 'json') return `{"ts":${tsMs},"energy_kwh":${(10_000 + i * 0.01).toFixed(2)},"power_w":${1000 + (i % 500)}}`;
  // SenML pack of 10 readings: two quantities at five instants 1 ms apart (RFC 8428 times in seconds).
  const records: string[] = [];
  for (let k = 0; k < 5; k++) {
    const base = k === 0 ? `"bt":${tsMs / 1000},` : '';
    const t = k === 0 ? '' : `"t":${k / 1000},`;
    records.push(`{${base}${t}"n":"energy_kwh","v":${(10_000 + i * 0.05 + k * 0.01).toFixed(2)}}`, `{${t}"n":"power_w","v":${1000 + k}}`);
  }
  return `[${records.join(',')}]`;
}

const clients: MqttClient[] = await Promise.all(
  args.publishers.map((publisher, k) =>
    connectAsync(args.url, {
      clientId: `bench-${process.pid}-${k}`,
      username: publisher.username,
      password: args.secret,
      clean: true,
      reconnectPeriod: 0,
      protocolVersion: 4,
      keepalive: 60,
    }),
  ),
);

const ackLatencies: number[] = [];
let acked = 0;
const cpuAtStart = process.cpuUsage();
const firstPublishMs = Date.now();
let lastAckMs = firstPublishMs;

await Promise.all(
  clients.map(
    (client, k) =>
      new Promise<void>((resolve, reject) => {
        const topic = args.publishers[k]!.topic;
        const total = Math.min(perDevice, args.messages - k * perDevice);
        const perClientRate = args.rate / clients.length;
        let next = 0;
        let inFlight = 0;
        let timer: NodeJS.Timeout | null = null;
        if (total <= 0) return resolve();
        const pump = () => {
          while (inFlight < args.window && next < total) {
            if (args.rate > 0 && next >= ((Date.now() - firstPublishMs) / 1000) * perClientRate) {
              timer ??= setTimeout(() => {
                timer = null;
                pump();
              }, 2);
              return;
            }
            const i = next++;
            inFlight++;
            const sentMs = performance.now();
            client.publish(topic, payloadOf(i), { qos: 1 }, (err) => {
              if (err) return reject(err);
              inFlight--;
              acked++;
              lastAckMs = Date.now();
              // Every 16th message is enough for percentiles and keeps the array small.
              if ((i & 15) === 0) ackLatencies.push(performance.now() - sentMs);
              if (next >= total && inFlight === 0) resolve();
              else pump();
            });
          }
        };
        pump();
      }),
  ),
);
await Promise.all(clients.map((c) => c.endAsync()));

ackLatencies.sort((a, b) => a - b);
const pct = (p: number) => ackLatencies[Math.min(ackLatencies.length - 1, Math.floor((p / 100) * ackLatencies.length))] ?? NaN;
const cpu = process.cpuUsage(cpuAtStart);
const cpuS = (cpu.user + cpu.system) / 1e6;
process.stdout.write(`${JSON.stringify({ acked, firstPublishMs, lastAckMs, ackP50Ms: pct(50), ackP99Ms: pct(99), cpuS })}\n`);
