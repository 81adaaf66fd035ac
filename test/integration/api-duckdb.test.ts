import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAppWithAccounts } from '../unit/api/helpers.js';
import { chartJsDistDir } from '../../src/api/routes/dashboard.js';
import { loadConfigFile } from '../../src/config/load.js';
import type { Reading } from '../../src/model/reading.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import type { WriteStatus } from '../../src/storage/write-status.js';

/**
 * The API over the real embedded DuckDB store, through a real socket: the series
 * semantics (consumption from counters, local days across a DST change) must hold
 * with the database's own bucketing, not only with the unit tests' in-memory fake.
 */
const H = 3_600_000;
const CONFIG = loadConfigFile(fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url)), {});
const DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard', import.meta.url));
const NOW_MS = Date.parse('2026-10-27T12:00:00Z');
// Europe/Paris local days around the October 2026 DST change (25 October lasts 25 h).
const OCT_24 = Date.parse('2026-10-23T22:00:00Z');
const OCT_25 = Date.parse('2026-10-24T22:00:00Z');
const OCT_26 = Date.parse('2026-10-25T23:00:00Z');

const energy = (tsMs: number, value: number): Reading => ({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'energy_kwh', tsMs, value });
const power = (tsMs: number, value: number): Reading => ({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs, value });

let dataDir: string;
let store: DuckDbStore;
let app: FastifyInstance;
let baseUrl: string;
let auth: Record<string, string> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sbe-api-duckdb-'));
  store = new DuckDbStore({ dataDir });
  await store.start();
  await store.write([
    energy(OCT_24 + 12 * H, 1000), // before the range: the index the first day counts from
    energy(OCT_25 + 1 * H, 1010),
    energy(OCT_26 - 1, 1100), // last instant of the 25-hour day
    energy(OCT_26 + 2 * H, 1110),
    energy(OCT_26 + 10 * H, 4), // meter replaced: the index restarts
    energy(OCT_26 + 30 * H, 20),
    power(NOW_MS - 10 * 60_000, 1000),
    power(NOW_MS - 9 * 60_000, 3000),
    power(NOW_MS - 60_000, 2000),
  ]);
  const write: WriteStatus = {
    storeUp: true, pendingReadings: 0, spoolReadings: 0, spoolBytes: 0, spoolMaxBytes: 1, replaying: false,
    replayedReadings: 0, acknowledging: true, deadLetters: 0, lastWriteMs: NOW_MS, lastError: null,
  };
  let adminToken: string;
  ({ app, adminToken } = await buildAppWithAccounts({
    config: CONFIG,
    store,
    ingest: { status: () => ({ mode: 'embedded', connected: true, endpoint: 'mqtt://127.0.0.1:0', lastMessageMs: NOW_MS }), rejections: () => [] },
    writer: { status: () => write },
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => NOW_MS,
    dashboardDir: DASHBOARD_DIR,
  }));
  auth = { authorization: `Bearer ${adminToken}` };
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await store?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

// Over real HTTP as the harness's admin, with its real API token (app.inject would add it by itself).
const get = (path: string) => fetch(`${baseUrl}${path}`, { headers: auth });

describe('API over DuckDB', () => {
  it('reports the store in /api/health', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', store: { kind: 'duckdb', ok: true }, lastReading: new Date(NOW_MS - 60_000).toISOString() });
  });

  it('gives daily consumption over local days, the 25-hour day included, with a counter reset counted as 0', async () => {
    const res = await get('/api/sites/cleon-bureaux/series?device=tgbt&quantity=energy_kwh&from=2026-10-25&to=2026-10-28&every=1d');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ kind: 'cumulative', unit: 'kWh', timezone: 'Europe/Paris', fromMs: OCT_25 });
    expect(body.buckets.map((b: { startMs: number; consumption: number; counterReset: boolean }) => [b.startMs, b.consumption, b.counterReset])).toEqual([
      [OCT_25, 100, false],
      [OCT_26, 0, true],
      [OCT_26 + 24 * H, 16, false],
    ]);
    expect(body.totalConsumption).toBe(116);
  });

  it('gives mean, min and max of power per 5 minutes over the default last 24 h', async () => {
    const res = await get('/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w');
    const body = await res.json();
    expect(body.every).toBe('5m');
    expect(body.buckets.map((b: { mean: number; min: number; max: number; count: number }) => [b.count, b.mean, b.min, b.max])).toEqual([
      [2, 2000, 1000, 3000],
      [1, 2000, 2000, 2000],
    ]);
  });

  it('gives the latest values, and pushes them on the live stream', async () => {
    const latest = await (await get('/api/sites/cleon-bureaux/latest')).json();
    expect(latest.values).toContainEqual(expect.objectContaining({ device: 'tgbt', quantity: 'power_w', value: 2000, unit: 'W' }));
    const controller = new AbortController();
    const res = await fetch(`${baseUrl}/api/sites/cleon-bureaux/live`, { signal: controller.signal, headers: auth });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: latest\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    expect(text).toContain('"quantity":"power_w","unit":"W","kind":"instantaneous","value":2000');
  });

  it('refuses hostile parameters before the database sees them, and the data is intact', async () => {
    const before = await store.count();
    for (const path of [
      "/api/sites/cleon-bureaux/series?device=tgbt'%3B%20DELETE%20FROM%20readings%3B--&quantity=power_w",
      '/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w%22%20OR%201%3D1',
      "/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w&from=2026-10-01'%20OR%20'1'%3D'1",
      '/api/sites/cleon-bureaux%27%3B%20DROP%20TABLE%20readings%3B--/latest',
    ]) {
      const res = await get(path);
      expect([400, 404], path).toContain(res.status);
    }
    expect(await store.count()).toBe(before);
  });

  it('serves the real dashboard and chart.js from node_modules', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('/vendor/chart.umd.js');
    const chart = await get('/vendor/chart.umd.js');
    expect(chart.status).toBe(200);
    expect(await chart.text()).toBe(await readFile(join(chartJsDistDir(), 'chart.umd.js'), 'utf8'));
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await get('/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(await metrics.text()).toContain('sbe_store_readings_written_total');
    const doc = await (await get('/docs/json')).json();
    expect(Object.keys(doc.paths)).toContain('/api/sites/{site}/series');
  });
});
