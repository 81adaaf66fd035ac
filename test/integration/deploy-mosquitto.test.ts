import { fileURLToPath } from 'node:url';
import { connect, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { ExternalSubscriber } from '../../src/ingest/external-subscriber.js';
import { createLogger } from '../../src/observability/logger.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';

// The mosquitto.conf that docker-compose.yml mounts, run by Debian's mosquitto with the password
// and ACL files our CLI generates from the example sites: what a deployment gets.
const SHIPPED_CONF = fileURLToPath(new URL('../../config/mosquitto/mosquitto.conf', import.meta.url));
const EXAMPLE = loadConfigFile(fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url)), {});
const SERVICE = { username: 'sbe-service', password: 'deploy-test-service-secret' };
const SESSION = { clientId: 'sbe-deploy-test', clean: false, protocolVersion: 5, reconnectPeriod: 0, properties: { sessionExpiryInterval: 3600 } } as const;

let mosquitto: MosquittoHandle | null = null;
const clients: MqttClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => endClient(c)));
  await mosquitto?.stop();
});

/** The service's persistent session, with its message handler attached before the queued messages can arrive. */
function serviceSession(url: string, onMessage: (topic: string, payload: string) => void): Promise<MqttClient> {
  const client = connect(url, { ...SERVICE, ...SESSION });
  clients.push(client);
  client.on('message', (topic, payload) => onMessage(topic, payload.toString()));
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

describe('the shipped config/mosquitto/mosquitto.conf', () => {
  it('authenticates devices, keeps each in its subtree, and keeps the service queue across a broker crash', async () => {
    mosquitto = await startMosquitto({ config: EXAMPLE, service: SERVICE, shippedConfigPath: SHIPPED_CONF });
    await expect(connectClient(mosquitto.url, {})).rejects.toThrow(/not authorized|bad user/i);
    await expect(connectClient(mosquitto.url, { username: 'cleon-bureaux/tgbt', password: 'wrong' })).rejects.toThrow(/not authorized|bad user/i);

    // The service subscribes with a persistent session, then goes away (an upgrade, a crash).
    const first = await serviceSession(mosquitto.url, () => undefined);
    await first.subscribeAsync('sites/+/devices/#', { qos: 1 });
    await endClient(first);

    const device = await connectClient(mosquitto.url, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt' });
    clients.push(device);
    for (let i = 0; i < 20; i++) await publishQos1(device, 'sites/cleon-bureaux/devices/tgbt/power_w', String(i));
    // Outside its own subtree: acknowledged by mosquitto, delivered to nobody (ACL).
    await publishQos1(device, 'sites/elbeuf-atelier/devices/tgbt/power_w', '999');

    // Past one autosave (autosave_interval 5, with room for a busy machine), a crash keeps what
    // mosquitto acknowledged.
    await new Promise((r) => setTimeout(r, 8_000));
    await mosquitto.kill9();
    await mosquitto.restart();

    const received: string[] = [];
    await serviceSession(mosquitto.url, (topic, payload) => received.push(`${topic} ${payload}`));
    await waitUntil(() => received.length >= 20, 10_000, 'the queued messages after the crash');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => `sites/cleon-bureaux/devices/tgbt/power_w ${i}`));
  }, 60_000);

  it('refuses a client-id takeover: another device reusing a client id leaves the first one connected', async () => {
    mosquitto = await startMosquitto({ config: EXAMPLE, service: SERVICE, shippedConfigPath: SHIPPED_CONF });
    const tgbt = await connectClient(mosquitto.url, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt', clientId: 'esp32-default' });
    clients.push(tgbt);
    let dropped = false;
    tgbt.once('close', () => (dropped = true));
    const gaz = await connectClient(mosquitto.url, { username: 'cleon-bureaux/gaz', password: 'demo-cleon-gaz', clientId: 'esp32-default' });
    clients.push(gaz);
    await new Promise((r) => setTimeout(r, 1000)); // mosquitto would have dropped tgbt by now
    expect(dropped).toBe(false);
    await publishQos1(tgbt, 'sites/cleon-bureaux/devices/tgbt/power_w', '1');
    await publishQos1(gaz, 'sites/cleon-bureaux/devices/gaz/gas_m3', '1');
  }, 60_000);

  it('two replicas of the service, each with its own user (--replicas 2), share the load and never disconnect each other', async () => {
    mosquitto = await startMosquitto({ config: EXAMPLE, service: { ...SERVICE, replicas: 2 }, shippedConfigPath: SHIPPED_CONF });
    const got = { 1: [] as string[], 2: [] as string[] };
    const subscribers = ([1, 2] as const).map((n) => {
      const u = new URL(mosquitto!.url);
      u.username = `${SERVICE.username}-${n}`;
      u.password = SERVICE.password;
      // The client ids differ too, but mosquitto replaces them by the username (use_username_as_clientid).
      const sub = new ExternalSubscriber({ url: u.toString(), clientId: `sbe-replica-${n}`, logger: createLogger('silent'), shareGroup: 'sbe', reconnectPeriodMs: 200 });
      void sub.start(async (_topic, payload) => {
        got[n].push(payload.toString());
      });
      return sub;
    });
    try {
      await waitUntil(() => subscribers.every((s) => s.status().connected), 20_000, 'both replicas subscribed');
      const device = await connectClient(mosquitto.url, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt' });
      clients.push(device);
      for (let i = 0; i < 200; i++) await publishQos1(device, 'sites/cleon-bureaux/devices/tgbt/power_w', String(i));
      await waitUntil(() => got[1].length + got[2].length >= 200, 20_000, 'every message at one replica');
      await new Promise((r) => setTimeout(r, 500));
      // Each message went to one replica only, both took part, and both are still connected.
      expect([...got[1], ...got[2]].map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(got[1].length).toBeGreaterThan(20);
      expect(got[2].length).toBeGreaterThan(20);
      expect(subscribers.every((s) => s.status().connected)).toBe(true);
    } finally {
      for (const s of subscribers) await s.stop();
    }
  }, 60_000);
});
