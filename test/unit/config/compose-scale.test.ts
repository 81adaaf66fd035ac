/**
 * The compose file's `scale` profile, checked statically (no Docker engine here): every variable
 * the service reads is set or has a default, each replica has its own identity, ports and volumes
 * are consistent, and every `${VAR:?}` the profile needs is in the example .env.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../../src/config/env.js';
import { serviceUsernames } from '../../../src/ingest/mosquitto-files.js';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));
const composeText = readFileSync(root('docker-compose.yml'), 'utf8');
interface Service { profiles?: string[]; environment?: Record<string, string>; ports?: string[]; volumes?: string[]; depends_on?: Record<string, { condition: string }>; image?: string; build?: unknown; healthcheck?: unknown; restart?: string }
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const exampleEnv = Object.fromEntries(
  readFileSync(root('config/docker/example.env'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
const inProfile = (name: string) => Object.entries(compose.services).filter(([, s]) => !s.profiles || s.profiles.includes(name));
const replicas = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('scale') && s.build);
const containerPath = (v: string) => v.split(':')[1];

/** Resolves compose interpolation the way `docker compose` does with .env = the example file. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_]+)(?::?([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const v = exampleEnv[name];
    if (v !== undefined && v !== '') return v;
    if (op === '?') throw new Error(`${name} is required (${arg}) and not in config/docker/example.env`);
    return arg ?? '';
  });
}

describe('docker-compose.yml, scale profile', () => {
  it('runs two or more app replicas with PostgreSQL, Mosquitto and InfluxDB', () => {
    const names = inProfile('scale').map(([n]) => n);
    expect(replicas.length).toBeGreaterThanOrEqual(2);
    for (const s of ['postgres', 'mosquitto', 'influxdb']) expect(names).toContain(s);
    expect(names).not.toContain('app');
    expect(compose.services.postgres!.image).toMatch(/^postgres:1[5-9]/);
    expect(exampleEnv.COMPOSE_PROFILES).toBe('single');
  });

  it('sets or defaults every variable the service reads, and each value parses', () => {
    for (const [name, svc] of replicas) {
      const env = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
      for (const key of Object.keys(env)) expect(Object.keys(envSchema.shape), `${name}: ${key} is not read by the service`).toContain(key);
      // The image sets DATA_DIR, HTTP_HOST, HTTP_PORT (Dockerfile ENV); the rest must parse as given.
      const parsed = envSchema.safeParse({ ...env, DATA_DIR: '/var/lib/smart-building-energy', HTTP_HOST: '0.0.0.0', HTTP_PORT: '8080' });
      expect(parsed.success, `${name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      const data = parsed.data!;
      expect(new URL(data.DATABASE_URL!).hostname).toBe('postgres');
      expect(new URL(data.MQTT_URL!).hostname).toBe('mosquitto');
      expect(new URL(data.INFLUX_URL!).hostname).toBe('influxdb');
      expect(data.MQTT_SHARE_GROUP).toBeTruthy();
      expect(svc.restart).toBe('unless-stopped');
      expect(svc.depends_on?.postgres?.condition).toBe('service_healthy');
    }
    expect(compose.services.postgres!.healthcheck).toBeDefined();
  });

  it('gives each replica its own client id, MQTT user, instance id, host port and data volume, in one share group', () => {
    const ids = replicas.map(([, s]) => s.environment!.MQTT_CLIENT_ID);
    const instances = replicas.map(([, s]) => s.environment!.INSTANCE_ID);
    const groups = new Set(replicas.map(([, s]) => interpolate(s.environment!.MQTT_SHARE_GROUP!)));
    const dataVolumes = replicas.map(([, s]) => s.volumes!.find((v) => containerPath(v) === '/var/lib/smart-building-energy')!.split(':')[0]);
    expect(new Set(ids).size).toBe(replicas.length);
    expect(new Set(instances).size).toBe(replicas.length);
    // One MQTT user per replica, those `mosquitto-files --replicas N` writes (serviceUsernames):
    // the shipped mosquitto.conf makes the username the client id (use_username_as_clientid).
    const users = replicas.map(([, s]) => decodeURIComponent(new URL(interpolate(s.environment!.MQTT_URL!)).username));
    expect(new Set(users).size).toBe(replicas.length);
    expect(serviceUsernames({ username: exampleEnv.MQTT_SERVICE_USER!, password: 'x', replicas: replicas.length })).toEqual(expect.arrayContaining(users));
    expect(readFileSync(root('config/mosquitto/mosquitto.conf'), 'utf8')).toMatch(/^use_username_as_clientid true$/m);
    expect(groups.size).toBe(1);
    expect(new Set(dataVolumes).size).toBe(replicas.length);
    const hostPorts = inProfile('scale').flatMap(([, s]) => (s.ports ?? []).map((p) => p.split(':')[0]));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    for (const [, s] of replicas) expect(s.ports!.every((p) => p.endsWith(':8080'))).toBe(true);
    // Every named volume used is declared at the top level.
    for (const [name, s] of inProfile('scale')) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes), `${name}: ${source}`).toContain(source);
      }
    }
  });
});
