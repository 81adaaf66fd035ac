import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { embeddedBrokerHost, PUBLISHED_DEMO_SECRETS } from '../../../src/ingest/published-secrets.js';

const CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url));

describe('published demo secrets', () => {
  it('lists every ${VAR:-default} secret of the shipped config/*.example* files', () => {
    const defaults = new Set<string>();
    for (const name of readdirSync(CONFIG_DIR).filter((n) => n.includes('.example'))) {
      for (const m of readFileSync(`${CONFIG_DIR}${name}`, 'utf8').matchAll(/secret:\s*\$\{[A-Z0-9_]+:-([^}]+)\}/g)) defaults.add(m[1] as string);
    }
    expect(defaults.size).toBeGreaterThan(5);
    expect([...defaults].sort()).toEqual([...PUBLISHED_DEMO_SECRETS].sort());
  });

  it('keeps the embedded broker on loopback while the example configuration is in use, and says why', () => {
    const example = loadConfigFile(`${CONFIG_DIR}sites.example.yaml`, {});
    const decision = embeddedBrokerHost(example, { MQTT_HOST: '0.0.0.0' });
    expect(decision.host).toBe('127.0.0.1');
    expect(decision.reason).toMatch(/published.*127\.0\.0\.1 only.*MQTT_HOST=0\.0\.0\.0/);
    // With every secret set (what a deployment does), MQTT_HOST is honoured.
    const env = Object.fromEntries([...readFileSync(`${CONFIG_DIR}sites.example.yaml`, 'utf8').matchAll(/\$\{([A-Z0-9_]+):-/g)].map((m) => [m[1] as string, `set-${m[1]}-0123456789`]));
    const deployed = loadConfigFile(`${CONFIG_DIR}sites.example.yaml`, env);
    expect(embeddedBrokerHost(deployed, { MQTT_HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', reason: null });
    // An external broker is not ours to bind.
    expect(embeddedBrokerHost(example, { MQTT_HOST: '0.0.0.0', MQTT_URL: 'mqtt://broker:1883' }).reason).toBeNull();
  });
});
