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
  devices: string[];
  secret: string;
  messages: number;
  window: number;
  /** Total messages per second over all devices; 0 = as fast as the windows allow. */
  rate: number;
  payload: 'json' | 'senml';
  /** Readings of message i of a device are stamped baseMs + i*10 (+ k ms within a SenML pack), all distinct. */
  baseMs: number;
}

const args = JSON.parse(process.argv[2]!) as PublisherArgs;
const perDevice = Math.ceil(args.messages / args.devices.length);

function payloadOf(i: number): string {
  const tsMs = args.baseMs + i * 10;
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
  args.devices.map((device, k) =>
    connectAsync(args.url, {
      clientId: `bench-${process.pid}-${k}`,
      username: `${args.site}/${device}`,
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
        const device = args.devices[k]!;
        const topic = `sites/${args.site}/devices/${device}`;
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
