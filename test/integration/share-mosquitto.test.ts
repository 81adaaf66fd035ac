/**
 * Shared ingestion on Debian's mosquitto 2 with the ACL our CLI generates: two subscribers as the
 * service runs them (ExternalSubscriber, MQTT_SHARE_GROUP, own client ids, persistent sessions,
 * PUBACK after the handler's write) split a device's load, and a member killed mid-load and
 * restarted with its client id gets its share back: nothing the broker acknowledged is missing.
 */
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { ExternalSubscriber } from '../../src/ingest/external-subscriber.js';
import { generateMosquittoFiles } from '../../src/ingest/mosquitto-files.js';
import { createLogger } from '../../src/observability/logger.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';

const EXAMPLE = loadConfigFile(fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url)), {});
const SERVICE = { username: 'sbe-service', password: 'share-test-service-secret' };
const logger = createLogger('silent');

let mosquitto: MosquittoHandle | null = null;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await mosquitto?.stop();
});

function member(url: string, clientId: string, got: string[]): ExternalSubscriber {
  const u = new URL(url);
  u.username = SERVICE.username;
  u.password = SERVICE.password;
  const sub = new ExternalSubscriber({ url: u.toString(), clientId, logger, shareGroup: 'sbe', reconnectPeriodMs: 200 });
  cleanups.push(() => sub.stop());
  void sub.start(async (_topic, payload) => {
    got.push(payload.toString());
  });
  return sub;
}

describe('shared subscription through mosquitto 2', () => {
  it('the generated ACL lets the service user subscribe to $share/<group>/sites/+/devices/#', async () => {
    const files = await generateMosquittoFiles(EXAMPLE, SERVICE);
    expect(files.aclFile).toContain('topic read $share/+/sites/+/devices/#');
  });

  it('two members split the load; one killed mid-load and restarted: every acknowledged reading arrives', async () => {
    mosquitto = await startMosquitto({ config: EXAMPLE, service: SERVICE });
    const a: string[] = [];
    const b: string[] = [];
    const subA = member(mosquitto.url, 'sbe-share-a', a);
    const subB = member(mosquitto.url, 'sbe-share-b', b);
    await waitUntil(() => subA.status().connected && subB.status().connected, 20_000, 'both subscribed');
    const device: MqttClient = await connectClient(mosquitto.url, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt' });
    cleanups.push(() => endClient(device));
    const N = 400;
    const topic = 'sites/cleon-bureaux/devices/tgbt/power_w';
    for (let i = 0; i < N / 2; i++) await publishQos1(device, topic, String(i));
    await waitUntil(() => a.length + b.length >= N / 2, 20_000, 'the first half');
    // Both took part (mosquitto 2 hands shared messages round-robin).
    expect(a.length).toBeGreaterThan(N / 8);
    expect(b.length).toBeGreaterThan(N / 8);
    // kill -9 of B: its connection vanishes without DISCONNECT; its persistent session stays.
    (subB as unknown as { client: MqttClient }).client.stream.destroy();
    await subB.stop();
    for (let i = N / 2; i < N; i++) await publishQos1(device, topic, String(i));
    await new Promise((r) => setTimeout(r, 1_000));
    // B's share is held for it (Mosquitto #1747): the survivor has about half of the second half.
    const stranded = N - new Set([...a, ...b]).size;
    expect(stranded).toBeGreaterThan(0);
    // B restarts with its client id (compose: restart unless-stopped) and gets its share.
    const b2: string[] = [];
    const subB2 = member(mosquitto.url, 'sbe-share-b', b2);
    await waitUntil(() => new Set([...a, ...b, ...b2]).size >= N, 30_000, 'every reading after the restart');
    // The resumed session delivers as soon as CONNACK, possibly before our SUBACK is handled.
    await waitUntil(() => subB2.status().connected, 20_000, 'B subscribed again');
    const all = [...a, ...b, ...b2];
    expect(new Set(all).size).toBe(N);
    console.log(`shared ingestion: A ${a.length}, B ${b.length} before the kill, stranded until B restarted ${stranded}, B after restart ${b2.length}, redelivered twice ${all.length - N}`);
  });
});
