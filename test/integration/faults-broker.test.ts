import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedSum, influxTotals, publishLoad, writeFaultConfig, SERVICE_USER } from '../helpers/fault-load.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { waitUntil } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir } from '../helpers/tmp.js';

// The production shape: devices -> Mosquitto (persistent session of the service) -> service -> InfluxDB.
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function setup(): Promise<{ influx: InfluxdHandle; mosquitto: MosquittoHandle; deviceIds: string[]; start: () => Promise<ServiceProcess> }> {
  const dir = await createTempDir('sbe-faults-broker-');
  cleanups.push(() => dir.remove());
  const influx = await startInfluxd();
  cleanups.push(() => influx.stop());
  const { path, config, deviceIds } = await writeFaultConfig(dir.path, 5);
  const mosquitto = await startMosquitto({ config, service: SERVICE_USER });
  cleanups.push(() => mosquitto.stop());
  const env = {
    DATA_DIR: join(dir.path, 'data'),
    CONFIG: path,
    INFLUX_URL: influx.url,
    MQTT_URL: `mqtt://${SERVICE_USER.username}:${SERVICE_USER.password}@127.0.0.1:${mosquitto.port}`,
    MQTT_CLIENT_ID: 'sbe-fault-test',
  };
  const start = async () => {
    const service = await startServiceProcess({ env });
    cleanups.push(() => service.kill9());
    return service;
  };
  return { influx, mosquitto, deviceIds, start };
}

async function brokerConnected(service: ServiceProcess): Promise<boolean> {
  const body = (await (await fetch(`${service.httpUrl}/api/health`)).json()) as { broker: { connected: boolean } };
  return body.broker.connected;
}

describe('external Mosquitto (issue 3, faults b and c)', () => {
  it('loses nothing when the service is killed with kill -9 mid-stream and restarted', async () => {
    const { influx, mosquitto, deviceIds, start } = await setup();
    const service = await start();
    await waitUntil(() => brokerConnected(service), 15_000, 'the service subscribed to mosquitto');
    const messages = 20_000;
    let restarted: Promise<ServiceProcess> | null = null;
    const acked = await publishLoad({
      url: mosquitto.url,
      deviceIds,
      messages,
      baseMs: Date.now() - 86_400_000,
      onAcked: (n) => {
        if (restarted || n < messages / 4) return;
        restarted = (async () => {
          await waitUntil(async () => (await influxTotals(influx.url)).count > 0, 15_000, 'some readings stored before the crash');
          await service.kill9();
          return start();
        })();
      },
    });
    expect(acked).toBe(messages);
    expect(restarted).not.toBeNull();
    const second = await restarted!;
    await waitUntil(async () => (await influxTotals(influx.url)).count >= 2 * messages, 60_000, 'every reading stored after the restart');
    const totals = await influxTotals(influx.url);
    expect(totals.count).toBe(2 * messages);
    expect(totals.sum).toBe(expectedSum(messages));
    expect(await brokerConnected(second)).toBe(true);
  });

  it('reconnects and loses nothing when the broker restarts mid-stream', async () => {
    const { influx, mosquitto, deviceIds, start } = await setup();
    const service = await start();
    await waitUntil(() => brokerConnected(service), 15_000, 'the service subscribed to mosquitto');
    const messages = 20_000;
    let bounce: Promise<void> | null = null;
    let sawDisconnected = false;
    const acked = await publishLoad({
      url: mosquitto.url,
      deviceIds,
      messages,
      baseMs: Date.now() - 86_400_000,
      reconnect: true,
      onAcked: (n) => {
        if (bounce || n < messages / 4) return;
        bounce = (async () => {
          // SIGTERM: mosquitto writes its persistence file (what it acknowledged to devices) on the way out.
          await mosquitto.terminate();
          await waitUntil(async () => !(await brokerConnected(service)), 10_000, 'the service to see the broker gone');
          sawDisconnected = true;
          await mosquitto.restart();
        })();
      },
    });
    await bounce;
    expect(sawDisconnected).toBe(true);
    expect(acked).toBe(messages);
    await waitUntil(() => brokerConnected(service), 20_000, 'the service to reconnect');
    await waitUntil(async () => (await influxTotals(influx.url)).count >= 2 * messages, 60_000, 'every reading stored');
    const totals = await influxTotals(influx.url);
    expect(totals.count).toBe(2 * messages);
    expect(totals.sum).toBe(expectedSum(messages));
  });
});
