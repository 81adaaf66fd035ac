import { connectAsync, type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import type { Reading } from '../../src/model/reading.js';
import type { RunningService } from '../../src/service.js';
import * as S from '../fixtures/device-payloads/samples.js';
import { closed, connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { PROFILE_SECRETS } from '../unit/ingest/profile-config.js';
import { adminToken, TEST_ADMIN } from '../helpers/service-process.js';

/**
 * The same device traffic for both brokers (profiles-embedded, profiles-mosquitto): every
 * profile's upstream samples published with the device's (or bridge's) own credentials, then
 * the stored readings read back from the real store, the rejections, the online statuses, and
 * the publishes that the ACL must stop.
 */
export interface ScenarioTarget {
  brokerUrl: string;
  service: RunningService;
  /** Embedded: the broker closes a client that publishes outside its topics. Mosquitto drops the message. */
  embedded: boolean;
}

const clients: MqttClient[] = [];

export async function endScenarioClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => endClient(c)));
}

async function as(target: ScenarioTarget, user: keyof typeof PROFILE_SECRETS): Promise<MqttClient> {
  const client = await connectClient(target.brokerUrl, { username: user, password: PROFILE_SECRETS[user] });
  clients.push(client);
  return client;
}

async function stored(target: ScenarioTarget, site: string, device: string, quantity: Reading['quantity']): Promise<number[]> {
  const rows = await target.service.store.readings({ site, device, quantity, fromMs: Date.parse('2000-01-01T00:00:00Z'), toMs: Date.now() + 300_000 });
  return rows.map((r) => r.value);
}

async function waitStored(target: ScenarioTarget, site: string, device: string, quantity: Reading['quantity'], expected: number[]): Promise<void> {
  let last: number[] = [];
  await waitUntil(
    async () => {
      last = await stored(target, site, device, quantity);
      return last.length >= expected.length;
    },
    10_000,
    `${site}/${device} ${quantity} = ${JSON.stringify(expected)}`,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; stored: ${JSON.stringify(last)}`);
  });
  expect(last, `${device} ${quantity}`).toEqual(expected);
}

export async function publishEveryProfile(target: ScenarioTarget): Promise<void> {
  const nowS = Math.floor(Date.now() / 1000);
  const prise = await as(target, 'atelier/prise');
  // Retained discovery at boot: tolerated (the embedded broker would otherwise cut the plug off), never a rejection.
  await publishQos1(prise, 'tasmota/discovery/2C3AE8123456/config', S.TASMOTA_DISCOVERY, { retain: true });
  await publishQos1(prise, 'tele/atelier_plug/SENSOR', S.TASMOTA_SENSOR);
  await publishQos1(prise, 'tele/atelier_plug/STATE', S.TASMOTA_STATE);
  await publishQos1(prise, 'tele/atelier_plug/SENSOR', S.TASMOTA_SENSOR_AMBIGUOUS);
  const proEm = await as(target, 'atelier/pro-em');
  await publishQos1(proEm, 'shellyproem50-08f9e0e67204/status/em1:1', S.SHELLY_EM1_STATUS);
  await publishQos1(proEm, 'shellyproem50-08f9e0e67204/status/em1data:1', S.SHELLY_EM1DATA_STATUS);
  const pro3em = await as(target, 'atelier/pro3em');
  await publishQos1(pro3em, 'shellypro3em-0cb815fc1234/events/rpc', S.shellyNotifyStatus('shellypro3em-0cb815fc1234', nowS - 60));
  const bridge = await as(target, 'atelier/z2m');
  await publishQos1(bridge, 'zigbee2mqtt/bridge/state', S.Z2M_ONLINE);
  await publishQos1(bridge, 'zigbee2mqtt/bureau/climat', S.Z2M_TEMPERATURE_HUMIDITY);
  await publishQos1(bridge, 'zigbee2mqtt/0x00158d0001e0a1b2', S.Z2M_OCCUPANCY);
  await publishQos1(bridge, 'zigbee2mqtt/Zlinky', S.ZLINKY_STANDARD);
  await publishQos1(bridge, 'zigbee2mqtt/bureau/climat/availability', S.Z2M_OFFLINE_LEGACY);
  const teleinfo = await as(target, 'atelier/teleinfo');
  await publishQos1(teleinfo, 'teleinfo/12345678901', S.TELEINFO_HISTORIC);
  const emontx = await as(target, 'atelier/emontx');
  await publishQos1(emontx, 'emon/emontx/power1', S.EMON_POWER1);
  await publishQos1(emontx, 'emon/emontx/T1', '21.5');
  const gateway = await as(target, 'atelier/passerelle');
  await publishQos1(gateway, 'emon/10', S.emonJson(nowS - 30));
}

export async function checkStored(target: ScenarioTarget): Promise<void> {
  await waitStored(target, 'atelier', 'prise', 'energy_kwh', [1.956]);
  await waitStored(target, 'atelier', 'prise', 'power_w', [9]);
  await waitStored(target, 'atelier', 'pro-em', 'power_w', [5080.3]);
  await waitStored(target, 'atelier', 'pro-em', 'energy_kwh', [6.6449]);
  await waitStored(target, 'atelier', 'pro3em', 'energy_kwh', [248.54012]);
  await waitStored(target, 'atelier', 'climat', 'temperature_c', [27.34]);
  await waitStored(target, 'atelier', 'climat', 'humidity_pct', [44.72]);
  await waitStored(target, 'atelier', 'presence', 'presence', [1]);
  await waitStored(target, 'atelier', 'linky', 'energy_kwh', [41045]);
  await waitStored(target, 'atelier', 'linky-easf01', 'energy_kwh', [19901]);
  await waitStored(target, 'atelier', 'linky-easf02', 'energy_kwh', [21144]);
  await waitStored(target, 'atelier', 'linky', 'power_w', [2040]);
  await waitStored(target, 'atelier', 'teleinfo', 'energy_kwh', [18811.534]);
  await waitStored(target, 'atelier', 'teleinfo-hchc', 'energy_kwh', [9058.688]);
  await waitStored(target, 'atelier', 'teleinfo-hchp', 'energy_kwh', [9752.846]);
  await waitStored(target, 'atelier', 'emontx', 'power_w', [100]);
  await waitStored(target, 'atelier', 'passerelle', 'power_w', [100]);
  // The API serves a tariff sub-channel like a device (a sub-meter of the Linky).
  const { port } = target.service.httpAddress;
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const httpUrl = `http://127.0.0.1:${port}`;
  // As the first admin, logged in through the real session and token routes.
  const token = await adminToken(httpUrl, TEST_ADMIN);
  const series = await fetch(`${httpUrl}/api/sites/atelier/series?device=linky-easf02&quantity=energy_kwh&from=${today}&every=1d`, { headers: { authorization: `Bearer ${token}` } });
  expect(series.status).toBe(200);
  expect(((await series.json()) as { buckets: { index: number }[] }).buckets.map((b) => b.index)).toEqual([21144]);
  const tasmota = await target.service.store.readings({ site: 'atelier', device: 'prise', quantity: 'energy_kwh', fromMs: 0, toMs: Date.now() });
  expect(tasmota[0]!.tsMs).toBe(Date.parse('2018-01-17T17:59:50Z')); // local Time read in Europe/Paris
}

export async function checkRejectionsAndStatus(target: ScenarioTarget): Promise<void> {
  const ingest = target.service.ingest;
  await waitUntil(() => ingest.rejections().length >= 2, 5000, 'the rejections');
  const reasons = ingest.rejections().map((r) => [r.device, r.reason]);
  expect(reasons).toEqual(expect.arrayContaining([
    ['prise', 'ambiguous-timestamp'],
    ['emontx', 'unknown-quantity'],
  ]));
  // STATE, discovery, bridge/state and availability are not rejections.
  expect(ingest.rejections().filter((r) => r.topic.endsWith('/STATE') || r.topic.startsWith('tasmota/discovery/') || r.topic.endsWith('/availability') || r.topic.endsWith('bridge/state'))).toEqual([]);
  await waitUntil(() => ingest.devicesOnline().length >= 2, 5000, 'online statuses');
  expect(ingest.devicesOnline().map((s) => [s.device, s.online]).sort()).toEqual([
    ['climat', false],
    ['z2m', true],
  ]);
}

/** A Tasmota connects with its LWT as the will (Tasmota does); the broker publishes it when the connection drops. */
export async function checkLastWill(target: ScenarioTarget): Promise<void> {
  const client = await connectAsync(target.brokerUrl, {
    username: 'atelier/prise',
    password: PROFILE_SECRETS['atelier/prise'],
    clientId: 'DVES_123456',
    reconnectPeriod: 0,
    will: { topic: 'tele/atelier_plug/LWT', payload: Buffer.from(S.TASMOTA_LWT_OFFLINE), qos: 1, retain: true },
  });
  await publishQos1(client, 'tele/atelier_plug/LWT', S.TASMOTA_LWT_ONLINE, { retain: true });
  const ingest = target.service.ingest;
  await waitUntil(() => ingest.devicesOnline().some((s) => s.device === 'prise' && s.online), 5000, 'prise online');
  client.stream.destroy(); // no DISCONNECT: the broker sends the will
  await waitUntil(() => ingest.devicesOnline().some((s) => s.device === 'prise' && !s.online), 10_000, 'prise offline from its will');
  await endClient(client);
}

/** A bridge publishing for a device of another bridge, and a Tasmota on another's topic: nothing stored. */
export async function checkForeignPublishes(target: ScenarioTarget): Promise<void> {
  const before = target.service.ingest.rejections().length;
  const bridge = await as(target, 'atelier/z2m');
  if (target.embedded) {
    const gone = closed(bridge);
    bridge.publish('z2m-bureaux/salle', '{"temperature":30}', { qos: 1 });
    await gone; // the embedded broker closes a client that publishes outside its topics
  } else {
    await publishQos1(bridge, 'z2m-bureaux/salle', '{"temperature":30}'); // mosquitto acknowledges and drops it (ACL)
  }
  const prise = await as(target, 'atelier/prise');
  if (target.embedded) {
    const gone = closed(prise);
    prise.publish('shellypro3em-0cb815fc1234/status/emdata:0', S.SHELLY_EMDATA_STATUS, { qos: 1 });
    await gone;
  } else {
    await publishQos1(prise, 'shellypro3em-0cb815fc1234/status/emdata:0', S.SHELLY_EMDATA_STATUS);
  }
  // An unconfigured zigbee device of the bridge's own network.
  const again = await as(target, 'atelier/z2m');
  await publishQos1(again, 'zigbee2mqtt/cuisine/prise', '{"power":12,"energy":1.5}');
  // A marker published after them: once it is stored, the foreign messages had their chance.
  await publishQos1(again, 'zigbee2mqtt/bureau/climat', '{"temperature":19.5,"humidity":40}');
  await waitStored(target, 'atelier', 'climat', 'temperature_c', [27.34, 19.5]);
  expect(await stored(target, 'bureaux', 'salle', 'temperature_c')).toEqual([]);
  expect(await stored(target, 'atelier', 'pro3em', 'energy_kwh')).toEqual([248.54012]);
  const added = target.service.ingest.rejections().slice(0, target.service.ingest.rejections().length - before);
  if (target.embedded) expect(added.map((r) => r.reason)).toEqual(['unknown-device']);
  else expect(added).toEqual([]); // mosquitto's ACL dropped all three: they never reached the service
}
