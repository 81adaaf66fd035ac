import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { startService, type RunningService } from '../../src/service.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildProfileConfig } from '../unit/ingest/profile-config.js';
import { checkForeignPublishes, checkLastWill, checkRejectionsAndStatus, checkStored, endScenarioClients, publishEveryProfile, type ScenarioTarget } from './profiles-scenario.js';
import { TEST_ADMIN } from '../helpers/service-process.js';

const SERVICE = { username: 'sbe-service', password: 'svc-profiles-1' };

/**
 * Device profiles end to end in the production shape: devices -> Mosquitto (password and ACL
 * files from mosquitto-files, the service subscribed to the profile topics) -> InfluxDB.
 */
describe('device profiles: Mosquitto (generated ACL) -> InfluxDB', () => {
  let dir: TempDir;
  let mosquitto: MosquittoHandle;
  let influx: InfluxdHandle;
  let service: RunningService;
  let target: ScenarioTarget;

  beforeAll(async () => {
    const config = buildProfileConfig();
    dir = await createTempDir('sbe-profiles-mosquitto-');
    [mosquitto, influx] = await Promise.all([startMosquitto({ config, service: SERVICE }), startInfluxd()]);
    const env = parseEnv({
      DATA_DIR: dir.path,
      MQTT_URL: `mqtt://${SERVICE.username}:${SERVICE.password}@127.0.0.1:${mosquitto.port}`,
      MQTT_CLIENT_ID: 'sbe-profiles-test',
      INFLUX_URL: influx.url,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    service = await startService({ config, env, logger: pino({ level: 'silent' }), bootstrapAdmin: TEST_ADMIN });
    const ingest = service.ingest;
    const deadline = Date.now() + 10_000;
    while (!ingest.status().connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!ingest.status().connected) throw new Error(`the service did not subscribe to mosquitto: ${await mosquitto.log()}`);
    target = { brokerUrl: mosquitto.url, service, embedded: false };
  }, 60_000);

  afterEach(() => endScenarioClients());

  afterAll(async () => {
    await service?.stop();
    await Promise.all([mosquitto?.stop(), influx?.stop()]);
    await dir?.remove();
  });

  it('stores what every profile publishes, with each device\'s credentials', async () => {
    await publishEveryProfile(target);
    await checkStored(target);
  });

  it('counts the refusals with their reasons; availability is a status, not a rejection', async () => {
    await checkRejectionsAndStatus(target);
  });

  it('takes a Tasmota LWT (its will) as the online status', async () => {
    await checkLastWill(target);
  });

  it('drops (ACL) a bridge publishing for a device it does not own, a device on another\'s topic, an unconfigured zigbee device', async () => {
    await checkForeignPublishes(target);
  });
});
