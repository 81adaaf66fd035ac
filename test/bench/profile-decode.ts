/**
 * Decoder micro-benchmark: CPU per reading of PayloadDecoder.decode for the native JSON path and
 * the tasmota and zigbee2mqtt profiles, in-process, on the same payloads as the ingest bench
 * (--payload json|tasmota|zigbee2mqtt). The ingest bench measures the whole service, whose CPU
 * per reading swings with the machine's load; this isolates what a profile adds to a message.
 *   npx tsx test/bench/profile-decode.ts [--messages 200000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { configSchema } from '../../src/config/schema.js';
import { PayloadDecoder } from '../../src/ingest/decoder.js';

const { values: a } = parseArgs({ options: { messages: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '3' } } });
const N = Number(a.messages);
const devices = Array.from({ length: 20 }, (_, i) => `d${String(i).padStart(3, '0')}`);
const meter = { kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'] };
const SECRET = 'bench-device-secret';
const config = configSchema.parse({
  sites: [
    {
      id: 'bench',
      name: 'Benchmark site',
      usage: 'office',
      floorAreaM2: 1000,
      bridges: [{ id: 'z2m', profile: 'zigbee2mqtt', secret: SECRET }],
      devices: [
        ...devices.map((id) => ({ id, ...meter, secret: SECRET })),
        ...devices.map((id) => ({ id: `t${id}`, ...meter, profile: 'tasmota', topic: `bench_${id}`, secret: SECRET })),
        ...devices.map((id) => ({ id: `z${id}`, ...meter, profile: 'zigbee2mqtt', bridge: 'z2m', topic: `plug_${id}` })),
      ],
    },
  ],
});
const decoder = new PayloadDecoder(config);
const baseMs = Date.now() - 86_400_000;
const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function message(kind: string, i: number): [string, Buffer] {
  const d = devices[i % devices.length]!;
  const n = Math.floor(i / devices.length);
  if (kind === 'json') return [`sites/bench/devices/${d}`, Buffer.from(`{"ts":${baseMs + n * 10},"energy_kwh":${(10_000 + n * 0.01).toFixed(2)},"power_w":${1000 + (n % 500)}}`)];
  if (kind === 'tasmota') {
    const time = local.format(new Date(baseMs + n * 1000)).replace(' ', 'T');
    return [`tele/bench_${d}/SENSOR`, Buffer.from(`{"Time":"${time}","ENERGY":{"TotalStartTime":"2026-01-01T00:00:00","Total":${(10_000 + n * 0.01).toFixed(3)},"Yesterday":0.054,"Today":0.049,"Period":0,"Power":${1000 + (n % 500)},"Factor":0.93,"Voltage":231,"Current":4.5}}`)];
  }
  return [`zigbee2mqtt/plug_${d}`, Buffer.from(`{"energy":${(10_000 + n * 0.01).toFixed(2)},"linkquality":120,"power":${1000 + (n % 500)},"state":"ON","last_seen":"${new Date(baseMs + n * 10).toISOString()}"}`)];
}

const results: Record<string, number[]> = { json: [], tasmota: [], zigbee2mqtt: [] };
for (let round = 0; round < Number(a.rounds); round++) {
  for (const kind of Object.keys(results)) {
    const messages = Array.from({ length: N }, (_, i) => message(kind, i));
    const nowMs = Date.now();
    let readings = 0;
    const before = process.cpuUsage();
    for (const [topic, payload] of messages) {
      const r = decoder.decode(topic, payload, nowMs);
      if (r.rejections.length > 0) throw new Error(`${kind}: ${r.rejections[0]!.detail}`);
      readings += r.readings.length;
    }
    const cpu = process.cpuUsage(before);
    results[kind]!.push((cpu.user + cpu.system) / readings);
  }
}
const best = (xs: number[]) => Math.min(...xs);
console.log(`decoder CPU per reading, best of ${a.rounds} rounds of ${N} messages (2 readings each):`);
for (const [kind, xs] of Object.entries(results)) {
  console.log(`  ${kind.padEnd(12)} ${best(xs).toFixed(2)} us  (rounds: ${xs.map((x) => x.toFixed(2)).join(', ')})${kind === 'json' ? '' : `  +${(best(xs) - best(results.json!)).toFixed(2)} us vs json`}`);
}
