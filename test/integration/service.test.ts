import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

const execFileAsync = promisify(execFile);
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const EXAMPLE_CONFIG = 'config/sites.example.yaml';

interface LatestBody {
  values: Array<{ device: string; quantity: string; value: number; tsMs: number }>;
}

/** mosquitto_pub as a site manager would run it; resolves with its exit code. */
async function mosquittoPub(port: number, user: string, password: string, topic: string, message: string): Promise<number> {
  try {
    await execFileAsync(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(port), '-q', '1', '-u', user, '-P', password, '-t', topic, '-m', message], { timeout: 10_000 });
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

async function getJson<T>(service: ServiceProcess, path: string): Promise<T> {
  const response = await service.fetch(path);
  const url = path;
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}

function metricValue(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe('the service as `npm start` runs it (embedded broker, DuckDB)', () => {
  let dataDir: TempDir;
  let service: ServiceProcess | null = null;
  const env = () => ({ DATA_DIR: dataDir.path, CONFIG: EXAMPLE_CONFIG });

  beforeAll(async () => {
    dataDir = await createTempDir('sbe-service-');
    service = await startServiceProcess({ env: env() });
  });

  afterAll(async () => {
    await service?.kill9();
    await dataDir.remove();
  });

  it('shows a reading published with mosquitto_pub in /latest within a second', async () => {
    const port = service!.mqttPort!;
    const publishedMs = Date.now();
    const code = await mosquittoPub(port, 'cleon-bureaux/tgbt', 'demo-cleon-tgbt', 'sites/cleon-bureaux/devices/tgbt', '{"energy_kwh": 18234.6, "power_w": 5120}');
    expect(code).toBe(0);
    let body: LatestBody = { values: [] };
    await waitUntil(
      async () => {
        body = await getJson<LatestBody>(service!, `/api/sites/cleon-bureaux/latest`);
        return body.values.length === 2;
      },
      1000,
      'the reading in /latest',
    );
    expect(Date.now() - publishedMs).toBeLessThan(1000 + 10_000); // mosquitto_pub's own start-up is not ours to count
    const energy = body.values.find((v) => v.quantity === 'energy_kwh');
    expect(energy).toMatchObject({ device: 'tgbt', value: 18234.6 });
    expect(body.values.find((v) => v.quantity === 'power_w')?.value).toBe(5120);
  });

  it("refuses the same credentials on another site's topic, and a wrong password", async () => {
    const port = service!.mqttPort!;
    const otherSite = await mosquittoPub(port, 'cleon-bureaux/tgbt', 'demo-cleon-tgbt', 'sites/elbeuf-atelier/devices/tgbt', '{"energy_kwh": 1}');
    expect(otherSite).not.toBe(0);
    const wrongPassword = await mosquittoPub(port, 'cleon-bureaux/tgbt', 'not-the-secret', 'sites/cleon-bureaux/devices/tgbt', '{"energy_kwh": 2}');
    expect(wrongPassword).not.toBe(0);
    const elbeuf = await getJson<LatestBody>(service!, `/api/sites/elbeuf-atelier/latest`);
    expect(elbeuf.values.filter((v) => v.value === 1)).toEqual([]);
    const cleon = await getJson<LatestBody>(service!, `/api/sites/cleon-bureaux/latest`);
    expect(cleon.values.find((v) => v.quantity === 'energy_kwh')?.value).toBe(18234.6);
  });

  it('counts a stream of garbage payloads, stays up, and still stores good readings', async () => {
    const before = await (await service!.fetch(`/metrics`)).text();
    const client = await connectClient(`mqtt://127.0.0.1:${service!.mqttPort}`, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt' });
    try {
      const garbage = ['not json', '{"energy_kwh": "abc"}', '{"powr_w": 3}', '[1,2', '{"energy_kwh": 1e400}', '\u0000\u0001\u0002', '{}', 'null'];
      for (let round = 0; round < 25; round += 1) {
        await Promise.all(garbage.map((payload) => publishQos1(client, 'sites/cleon-bureaux/devices/tgbt', payload)));
      }
      await publishQos1(client, 'sites/cleon-bureaux/devices/tgbt', '{"energy_kwh": 18240.1}');
    } finally {
      await endClient(client);
    }
    const after = await (await service!.fetch(`/metrics`)).text();
    const reasons = ['malformed-payload', 'invalid-value', 'unknown-quantity', 'undeclared-quantity'];
    const rejectedBefore = reasons.reduce((s, r) => s + metricValue(before, `sbe_ingest_rejections_total{reason="${r}"}`), 0);
    const rejectedAfter = reasons.reduce((s, r) => s + metricValue(after, `sbe_ingest_rejections_total{reason="${r}"}`), 0);
    expect(rejectedAfter - rejectedBefore).toBeGreaterThanOrEqual(25 * 8);
    const rejections = await getJson<Array<{ reason: string; detail: string; device: string | null }>>(service!, `/api/ingest/rejections?limit=10`);
    expect(rejections.length).toBe(10);
    expect(rejections.every((r) => r.detail.length > 0 && r.device === 'tgbt')).toBe(true);
    const health = await getJson<{ status: string }>(service!, `/api/health`);
    expect(health.status).toBe('ok');
    const latest = await getJson<LatestBody>(service!, `/api/sites/cleon-bureaux/latest`);
    expect(latest.values.find((v) => v.quantity === 'energy_kwh')?.value).toBe(18240.1);
  });

  it('exits 0 on SIGTERM and has every stored reading after a restart', async () => {
    const client = await connectClient(`mqtt://127.0.0.1:${service!.mqttPort}`, { username: 'rouen-formation/tgbt', password: 'demo-rouen-tgbt' });
    const baseMs = Date.UTC(2026, 10, 1);
    try {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          publishQos1(client, 'sites/rouen-formation/devices/tgbt', JSON.stringify({ ts: new Date(baseMs + i * 60_000).toISOString(), energy_kwh: 1000 + i })),
        ),
      );
    } finally {
      await endClient(client);
    }
    expect(await service!.terminate()).toBe(0);
    expect(service!.logs().some((l) => l.includes('smart-building-energy stopped'))).toBe(true);

    service = await startServiceProcess({ env: env() });
    const latest = await getJson<LatestBody>(service, `/api/sites/rouen-formation/latest`);
    expect(latest.values.find((v) => v.quantity === 'energy_kwh')?.value).toBe(1199);
    const series = await getJson<{ totalConsumption: number; buckets: Array<{ count: number }> }>(
      service,
      `/api/sites/rouen-formation/series?device=tgbt&quantity=energy_kwh&from=${new Date(baseMs).toISOString()}&to=${new Date(baseMs + 200 * 60_000).toISOString()}&every=1m`,
    );
    // 200 index readings one minute apart: 200 one-minute buckets, 199 kWh consumed between the first and the last.
    expect(series.buckets.reduce((n, b) => n + b.count, 0)).toBe(200);
    expect(series.totalConsumption).toBeCloseTo(199, 6);
    const cleon = await getJson<LatestBody>(service, `/api/sites/cleon-bureaux/latest`);
    expect(cleon.values.find((v) => v.quantity === 'power_w')?.value).toBe(5120);
  });
});

describe('start-up checks', () => {
  it('exits non-zero and names every bad key of the configuration before anything listens', async () => {
    const dir = await createTempDir('sbe-badconfig-');
    try {
      const file = join(dir.path, 'sites.yaml');
      await writeFile(
        file,
        'sites:\n  - id: Bad_Id\n    name: x\n    usage: office\n    floorAreaM2: -3\n    devices:\n      - id: tgbt\n        kind: electricity-meter\n        quantities: [powr_w]\n        secret: s\n',
      );
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH ?? '', CONFIG: file, DATA_DIR: dir.path, HTTP_PORT: '0', MQTT_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain('sites[0].id');
      expect(stderr).toContain('sites[0].floorAreaM2');
      expect(stderr).toContain('sites[0].devices[0].quantities[0]');
      expect(stderr).not.toContain('started');
    } finally {
      await dir.remove();
    }
  });
});
