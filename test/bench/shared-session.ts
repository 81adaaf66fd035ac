/**
 * Measures what a stopped member of a shared subscription strands on Debian's mosquitto 2
 * (Mosquitto #1747), for the session settings a subscriber can choose. Two members share
 * `$share/g/sites/+/devices/#`; member B is cut off (socket destroyed, as kill -9 does) while
 * 1,000 QoS 1 messages are published; then B reconnects (or not) and we count what each got.
 * Run: npx tsx test/bench/shared-session.ts
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { startMosquitto } from '../helpers/mosquitto.js';

interface Setting { label: string; clean: boolean; expiryS: number; reconnect: boolean }
const SETTINGS: Setting[] = [
  { label: 'clean start, session expiry 0', clean: true, expiryS: 0, reconnect: false },
  { label: 'persistent, expiry 30 days, member restarted', clean: false, expiryS: 30 * 86_400, reconnect: true },
  { label: 'persistent, expiry 30 days, member never back', clean: false, expiryS: 30 * 86_400, reconnect: false },
  { label: 'persistent, expiry 5 s, member never back', clean: false, expiryS: 5, reconnect: false },
];
const N = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function member(url: string, id: string, s: Setting, got: Set<string>, group: string, holdAcks = false): Promise<MqttClient> {
  const opts: IClientOptions = { clientId: id, clean: s.clean, protocolVersion: 5, reconnectPeriod: 0, properties: { sessionExpiryInterval: s.expiryS } };
  // Never acknowledging (mqtt.js waits for done()): B's share stays in flight, as while its writes are pending.
  if (holdAcks) opts.customHandleAcks = () => undefined;
  const c = connect(url, opts);
  c.on('message', (_t, m) => got.add(m.toString()));
  return new Promise((resolve, reject) => {
    c.once('connect', () => c.subscribe(`$share/${group}/sites/+/devices/#`, { qos: 1 }, (err) => (err ? reject(err) : resolve(c))));
    c.once('error', reject);
  });
}

const broker = await startMosquitto();
try {
  for (const s of SETTINGS) {
    const tag = Math.random().toString(36).slice(2, 8);
    const a = new Set<string>();
    const b = new Set<string>();
    const group = `g${tag}`;
    const ca = await member(broker.url, `a-${tag}`, s, a, group);
    const inFlight = new Set<string>();
    const cb = await member(broker.url, `b-${tag}`, s, inFlight, group, true);
    const pub = connect(broker.url, { clientId: `p-${tag}`, protocolVersion: 5 });
    await new Promise((r) => pub.once('connect', r));
    // First half while B takes messages without acknowledging them, then B dies (kill -9: the TCP
    // connection vanishes without DISCONNECT), then the second half.
    for (let i = 0; i < N / 2; i += 1) await pub.publishAsync(`sites/s/devices/d${i % 10}/energy`, `${tag}-${i}`, { qos: 1 });
    await sleep(500);
    cb.stream.destroy();
    await sleep(300);
    for (let i = N / 2; i < N; i += 1) await pub.publishAsync(`sites/s/devices/d${i % 10}/energy`, `${tag}-${i}`, { qos: 1 });
    await sleep(1500);
    const aBefore = a.size;
    if (s.reconnect) await member(broker.url, `b-${tag}`, s, b, group);
    else if (s.expiryS < 60) await sleep((s.expiryS + 2) * 1000);
    await sleep(1500);
    const union = new Set([...a, ...b]);
    console.log(`${s.label}: survivor got ${aBefore} while B was down; after: A ${a.size}, B ${b.size}, distinct ${union.size}/${N}, missing ${N - union.size}`);
    ca.end(true);
    pub.end(true);
    await sleep(200);
  }
} finally {
  await broker.stop();
}
process.exit(0);
