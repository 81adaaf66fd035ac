import { describe, expect, it } from 'vitest';
import { mosquittoFilesCommand } from '../../../src/cli/commands/mosquitto-files.js';

describe('mosquitto-files --replicas', () => {
  const env = { MQTT_SERVICE_USER: 'sbe-service', MQTT_SERVICE_PASSWORD: 'a-service-password' };
  it('refuses a count that is not a whole number from 1 to 64, naming the option', async () => {
    for (const bad of ['0', '2.5', 'two', '65']) {
      await expect(mosquittoFilesCommand('/tmp/unused', undefined, () => undefined, env, bad)).rejects.toThrow(`--replicas: a whole number of service replicas from 1 to 64, got "${bad}"`);
    }
  });
  it('refuses replicas without the service user they are made from', async () => {
    await expect(mosquittoFilesCommand('/tmp/unused', 'config/sites.example.yaml', () => undefined, {}, '2')).rejects.toThrow('--replicas: set MQTT_SERVICE_USER and MQTT_SERVICE_PASSWORD');
  });
});
