import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/** Strings that would hurt if they reached InfluxQL, line protocol, a regex or a file path. */
const ATTACKS = [
  "'",
  '"',
  '\\',
  "x' OR 1=1 --",
  "tgbt'; DROP DATABASE energy; --",
  'energy_kwh"; DROP MEASUREMENT readings',
  '" ; DELETE FROM readings',
  "2026-11-01' ; DROP SERIES FROM readings WHERE site='cleon-bureaux",
  '/.*/',
  '1h; SHOW USERS',
  'tgbt\nDROP DATABASE energy',
  'ｔｇｂｔ',
  '../../../etc/passwd',
  '${jndi:ldap://x}',
  'a'.repeat(5_000),
];

const DB = 'energy';
const q = encodeURIComponent;

async function influxql(influx: InfluxdHandle, statement: string): Promise<unknown[][]> {
  const response = await fetch(`${influx.url}/query?db=${DB}&q=${q(statement)}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { results: Array<{ series?: Array<{ values: unknown[][] }> }> };
  return body.results[0]?.series?.flatMap((s) => s.values) ?? [];
}

async function storedState(influx: InfluxdHandle): Promise<string> {
  const databases = await influxql(influx, 'SHOW DATABASES');
  const measurements = await influxql(influx, 'SHOW MEASUREMENTS');
  const series = await influxql(influx, 'SHOW SERIES');
  const count = await influxql(influx, 'SELECT COUNT(value) FROM readings');
  const sum = await influxql(influx, 'SELECT SUM(value) FROM readings');
  return JSON.stringify({ databases, measurements, series, count: count[0]?.[1], sum: sum[0]?.[1] });
}

/** Every route and parameter a request can reach the store through, with one parameter replaced by `attack`. */
function hostileUrls(attack: string): string[] {
  const a = q(attack);
  const site = '/api/sites/cleon-bureaux';
  const period = 'from=2026-11-01&to=2026-11-02';
  const seriesBase = { device: 'tgbt', quantity: 'energy_kwh', from: '2026-11-01T00:00:00Z', to: '2026-11-03T00:00:00Z', every: '1h' };
  const urls: string[] = [];
  for (const field of Object.keys(seriesBase)) {
    const params = { ...seriesBase, [field]: attack };
    urls.push(`${site}/series?${Object.entries(params).map(([k, v]) => `${k}=${q(v)}`).join('&')}`);
  }
  for (const route of ['', '/latest', '/series?device=tgbt&quantity=energy_kwh', `/kpis?${period}`, `/baseline?${period}`, `/degree-days?${period}`, `/corrections?${period}`, `/hourly-energy?${period}`, `/hourly-baseline?${period}`]) {
    urls.push(`/api/sites/${a}${route}`);
  }
  for (const route of ['kpis', 'baseline', 'degree-days', 'corrections', 'hourly-energy', 'hourly-baseline']) {
    urls.push(`${site}/${route}?from=${a}&to=2026-11-02`, `${site}/${route}?from=2026-11-01&to=${a}`, `${site}/${route}?${period}&format=${a}`);
  }
  urls.push(`${site}/degree-days?${period}&method=${a}`, `${site}/degree-days?${period}&baseC=${a}`);
  urls.push(`/api/compare?from=${a}&to=2026-11-02`, `/api/compare?${period}&rankBy=${a}`, `/api/compare?${period}&format=${a}`);
  urls.push(`/api/ingest/rejections?limit=${a}`);
  return urls;
}

describe('injection attempts through the API against a real InfluxDB', () => {
  let influx: InfluxdHandle;
  let dataDir: TempDir;
  let service: ServiceProcess;

  beforeAll(async () => {
    influx = await startInfluxd();
    dataDir = await createTempDir('sbe-injection-');
    service = await startServiceProcess({ env: { DATA_DIR: dataDir.path, CONFIG: 'config/sites.example.yaml', INFLUX_URL: influx.url, INFLUX_DB: DB } });
    const client = await connectClient(`mqtt://127.0.0.1:${service.mqttPort}`, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt' });
    try {
      const startMs = Date.parse('2026-11-01T00:00:00Z');
      await Promise.all(
        Array.from({ length: 48 }, (_, i) =>
          publishQos1(client, 'sites/cleon-bureaux/devices/tgbt', JSON.stringify({ ts: startMs + i * 3_600_000, energy_kwh: 1000 + 10 * i, power_w: 4000 + i })),
        ),
      );
    } finally {
      await endClient(client);
    }
    await waitUntil(async () => JSON.parse(await storedState(influx)).count === 96, 10_000, '96 readings in InfluxDB');
  });

  afterAll(async () => {
    await service?.kill9();
    await influx?.stop();
    await dataDir?.remove();
  });

  it('refuses every hostile parameter and leaves the database as it was', async () => {
    const before = await storedState(influx);
    expect(JSON.parse(before).count).toBe(96);
    const statuses = new Map<number, number>();
    for (const attack of ATTACKS) {
      for (const url of hostileUrls(attack)) {
        const response = await service.fetch(`${url}`);
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        // Refused (bad request, forbidden path, unknown site, over-long URL): never a 5xx, never run.
        expect([400, 403, 404, 414], `${response.status} for ${url.slice(0, 200)}`).toContain(response.status);
      }
    }
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(await storedState(influx)).toBe(before);
    const health = (await (await service.fetch(`/api/health`)).json()) as { status: string; store: { ok: boolean } };
    expect(health.store.ok).toBe(true);
    const latest = (await (await service.fetch(`/api/sites/cleon-bureaux/latest`)).json()) as { values: Array<{ quantity: string; value: number }> };
    expect(latest.values.find((v) => v.quantity === 'energy_kwh')?.value).toBe(1470);
  });
});
