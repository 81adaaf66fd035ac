import type { AppConfig } from '../config/schema.js';

/**
 * The device secrets published with the project: the `${VAR:-default}` fallbacks of
 * config/sites.example.yaml (test/unit/ingest/published-secrets.test.ts checks this list against
 * every config/*.example* file, so a new example secret cannot be forgotten here). Anyone who has
 * read the repository can publish as these devices.
 */
export const PUBLISHED_DEMO_SECRETS: ReadonlySet<string> = new Set([
  'demo-cleon-gaz',
  'demo-cleon-meteo',
  'demo-cleon-open-space',
  'demo-cleon-tgbt',
  'demo-elbeuf-compresseur',
  'demo-elbeuf-gaz',
  'demo-elbeuf-tgbt',
  'demo-rouen-chaufferie',
  'demo-rouen-eau',
  'demo-rouen-meteo',
  'demo-rouen-salle-b12',
  'demo-rouen-tgbt',
  'demo-sotteville-eclairage',
  'demo-sotteville-quai3',
  'demo-sotteville-tgbt',
]);

/** `{site}/{device or bridge}` of every configured identity whose secret is a published one. */
export function devicesWithPublishedSecrets(config: AppConfig): string[] {
  const found: string[] = [];
  for (const site of config.sites) {
    for (const d of [...site.devices, ...site.bridges]) {
      if (d.secret !== undefined && PUBLISHED_DEMO_SECRETS.has(d.secret)) found.push(`${site.id}/${d.id}`);
    }
  }
  return found;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Where the embedded broker may listen: MQTT_HOST, unless a device uses a published demo secret,
 * then loopback only (issue 11), with the reason for the start-up log. An external broker
 * (MQTT_URL) is not ours to bind: null reason.
 */
export function embeddedBrokerHost(config: AppConfig, env: { MQTT_HOST: string; MQTT_URL?: string | undefined }): { host: string; reason: string | null; devices: string[] } {
  const devices = devicesWithPublishedSecrets(config);
  if (env.MQTT_URL || devices.length === 0 || LOOPBACK.has(env.MQTT_HOST)) return { host: env.MQTT_HOST, reason: null, devices };
  return {
    host: '127.0.0.1',
    devices,
    reason: `${devices.length} device(s) use the secrets published in config/sites.example.yaml: the embedded MQTT broker listens on 127.0.0.1 only, not MQTT_HOST=${env.MQTT_HOST}; set their secrets (or secretHash) in config/sites.yaml to listen there`,
  };
}
