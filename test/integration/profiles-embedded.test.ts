import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { startService, type RunningService } from '../../src/service.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { buildProfileConfig } from '../unit/ingest/profile-config.js';
import { checkForeignPublishes, checkLastWill, checkRejectionsAndStatus, checkStored, endScenarioClients, publishEveryProfile, type ScenarioTarget } from './profiles-scenario.js';
import { TEST_ADMIN } from '../helpers/service-process.js';

/** Device profiles end to end on the embedded broker into the embedded DuckDB store. */
describe('device profiles: embedded broker -> DuckDB', () => {
  let dir: TempDir;
  let service: RunningService;
  let target: ScenarioTarget;

  beforeAll(async () => {
    dir = await createTempDir('sbe-profiles-embedded-');
    const env = parseEnv({ DATA_DIR: dir.path, MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    service = await startService({ config: buildProfileConfig(), env, logger: pino({ level: 'silent' }), bootstrapAdmin: TEST_ADMIN });
    target = { brokerUrl: `mqtt://127.0.0.1:${service.mqttAddress!.port}`, service, embedded: true };
  });

  afterEach(() => endScenarioClients());

  afterAll(async () => {
    await service?.stop();
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

  it('closes a bridge that publishes for a device it does not own, and a device on another\'s topic; counts an unconfigured zigbee device', async () => {
    await checkForeignPublishes(target);
  });
});
