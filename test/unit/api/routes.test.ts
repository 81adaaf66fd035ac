import { describe, expect, it } from 'vitest';
import { FakeStore } from './fake-store.js';
import { NOW_MS, harness } from './helpers.js';

describe('GET /api/health', () => {
  it('is ok with every part up, and reports broker, store, write path, last reading, uptime and version', async () => {
    const store = new FakeStore().add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS - 60_000, value: 1200 });
    const h = await harness({}, store);
    h.clock.nowMs = NOW_MS + 90_000;
    const res = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'ok',
      version: '9.9.9-test',
      uptimeS: 90,
      lastReading: new Date(NOW_MS - 60_000).toISOString(),
      broker: { mode: 'embedded', connected: true },
      store: { kind: 'duckdb', ok: true },
      writePath: { storeUp: true, acknowledging: true, replaying: false, spoolReadings: 0, spoolBytes: 0 },
    });
  });

  it('is degraded while the store is down but the spool accepts, and reports the spool depth', async () => {
    const h = await harness();
    // A store's own text can carry a path or a URL: the answer carries a code (issue 11).
    h.store.healthImpl = async () => ({ ok: false, kind: 'duckdb', detail: 'IO Error: could not open /srv/secret-path/energy.duckdb', lastReadingMs: null });
    Object.assign(h.writeStatus, { storeUp: false, spoolReadings: 1234, spoolBytes: 56_789 });
    const res = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'degraded', store: { ok: false, detail: 'store-unavailable' }, writePath: { spoolReadings: 1234, spoolBytes: 56_789 } });
    expect(res.body).not.toContain('secret-path');
  });

  it('is down (503) while the spool cannot write, even with the store up', async () => {
    const h = await harness();
    Object.assign(h.writeStatus, { spoolWritable: false, acknowledging: false, lastError: 'spool-disk-full' });
    const res = await h.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'down', writePath: { spoolWritable: false, acknowledging: false, lastError: 'spool-disk-full' } });
  });

  it('reports the e-mail outbox, and is degraded while a mail keeps failing', async () => {
    const mail = { configured: true, endpoint: 'smtp://alerts:***@mail', outboxDepth: 3, lastError: 'Invalid login: 535 (SMTP 535)', lastErrorMs: NOW_MS - 5_000, lastSuccessMs: null, mailsAtMaxBackoff: 0, rateLimited: 0 };
    const h = await harness({ mail: { status: () => mail } });
    let body = (await h.app.inject({ url: '/api/health' })).json();
    expect(body).toMatchObject({ status: 'ok', email: { configured: true, outboxDepth: 3, lastError: 'Invalid login: 535 (SMTP 535)', lastErrorAt: new Date(NOW_MS - 5_000).toISOString(), lastSuccessAt: null } });
    mail.mailsAtMaxBackoff = 1;
    body = (await h.app.inject({ url: '/api/health' })).json();
    expect(body).toMatchObject({ status: 'degraded', email: { mailsAtMaxBackoff: 1 } });
    expect((await (await harness()).app.inject({ url: '/api/health' })).json().email).toBeNull();
  });

  it('is degraded while replaying the spool', async () => {
    const h = await harness();
    h.writeStatus.replaying = true;
    expect((await h.app.inject({ url: '/api/health' })).json().status).toBe('degraded');
  });

  it('is down (503) when the store is down and the spool is full', async () => {
    const h = await harness();
    h.store.healthImpl = async () => ({ ok: false, kind: 'duckdb', lastReadingMs: null });
    Object.assign(h.writeStatus, { storeUp: false, acknowledging: false });
    const res = await h.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('down');
  });

  it('is down (503) when the store health check throws and the broker is disconnected, without leaking the error', async () => {
    const h = await harness();
    h.store.healthImpl = async () => {
      throw new Error('ECONNREFUSED http://admin:hunter2@10.0.0.5:8086');
    };
    h.ingestStatus.connected = false;
    const res = await h.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'down', store: { ok: false, detail: 'store-unavailable' }, broker: { connected: false } });
    expect(res.body).not.toContain('hunter2');
  });
});

describe('GET /api/sites', () => {
  it('lists every site with devices and quantities, units and kinds', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/sites' });
    expect(res.statusCode).toBe(200);
    const sites = res.json();
    expect(sites.map((s: { id: string }) => s.id)).toEqual(['cleon-bureaux', 'elbeuf-atelier', 'rouen-formation', 'sotteville-logistique']);
    expect(sites[0]).toMatchObject({ id: 'cleon-bureaux', name: 'Bureaux – Cléon', usage: 'office', city: 'Cléon', floorAreaM2: 1850, timezone: 'Europe/Paris' });
    expect(sites[0].devices[0]).toEqual({
      id: 'tgbt',
      name: 'Tableau général basse tension',
      kind: 'electricity-meter',
      quantities: [
        { name: 'energy_kwh', unit: 'kWh', kind: 'cumulative' },
        { name: 'power_w', unit: 'W', kind: 'instantaneous' },
      ],
    });
    expect(sites[1].devices[0].name).toBe('tgbt');
  });

  it('answers one site, and 404 naming an unknown one', async () => {
    const h = await harness();
    const one = await h.app.inject({ url: '/api/sites/rouen-formation' });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: 'rouen-formation', usage: 'education' });
    const missing = await h.app.inject({ url: '/api/sites/le-havre' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'unknown site "le-havre"', field: 'site', code: 'unknown-site', params: { site: 'le-havre' } });
  });
});

describe('GET /api/sites/:site/latest', () => {
  it('gives the last value per device and quantity, with unit and ISO time, only for declared quantities', async () => {
    const store = new FakeStore().add(
      { site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS - 120_000, value: 1000 },
      { site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS - 60_000, value: 1500 },
      { site: 'cleon-bureaux', device: 'tgbt', quantity: 'energy_kwh', tsMs: NOW_MS - 60_000, value: 123_456.5 },
      { site: 'cleon-bureaux', device: 'removed-meter', quantity: 'power_w', tsMs: NOW_MS, value: 9 },
    );
    const h = await harness({}, store);
    const res = await h.app.inject({ url: '/api/sites/cleon-bureaux/latest' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.site).toBe('cleon-bureaux');
    expect(body.values).toHaveLength(2);
    expect(body.values).toContainEqual({
      device: 'tgbt',
      quantity: 'power_w',
      unit: 'W',
      kind: 'instantaneous',
      value: 1500,
      ts: new Date(NOW_MS - 60_000).toISOString(),
      tsMs: NOW_MS - 60_000,
    });
    expect(body.values).toContainEqual(expect.objectContaining({ quantity: 'energy_kwh', unit: 'kWh', value: 123_456.5 }));
  });
});

describe('GET /api/ingest/rejections', () => {
  it('returns the latest rejections with a default limit of 100, and honours limit', async () => {
    const h = await harness();
    for (let i = 0; i < 3; i++) {
      h.rejections.push({ receivedMs: NOW_MS - i * 1000, topic: 'sbe/cleon-bureaux/tgbt', reason: 'invalid-value', detail: `entry ${i}: value "abc"`, field: String(i), site: 'cleon-bureaux', payloadExcerpt: '[{"n":"power_w","vs":"abc"}]' });
    }
    const all = await h.app.inject({ url: '/api/ingest/rejections' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toHaveLength(3);
    expect(all.json()[0]).toEqual({
      received: new Date(NOW_MS).toISOString(),
      receivedMs: NOW_MS,
      reason: 'invalid-value',
      detail: 'entry 0: value "abc"',
      field: '0',
      topic: 'sbe/cleon-bureaux/tgbt',
      site: 'cleon-bureaux',
      device: null,
      payloadExcerpt: '[{"n":"power_w","vs":"abc"}]',
    });
    const two = await h.app.inject({ url: '/api/ingest/rejections?limit=2' });
    expect(two.json()).toHaveLength(2);
    expect(h.rejectionLimits).toEqual([100, 2]);
  });

  it.each(['0', '501', '-1', '1.5', 'abc', '99999999999'])('refuses limit=%s with a 400 naming limit', async (limit) => {
    const h = await harness();
    const res = await h.app.inject({ url: `/api/ingest/rejections?limit=${limit}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'Bad Request', field: 'limit' });
    expect(res.json().message).toMatch(/^querystring\.limit: /);
    expect(h.rejectionLimits).toEqual([]);
  });
});

describe('GET /metrics', () => {
  it('serves the registry as Prometheus text with its content type', async () => {
    const h = await harness();
    h.deps.metrics.readingsAccepted.inc(42);
    const res = await h.app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(h.deps.metrics.registry.contentType.split(';')[0]);
    expect(res.body).toContain('# TYPE sbe_ingest_readings_accepted_total counter');
    expect(res.body).toContain('sbe_ingest_readings_accepted_total 42');
  });
});

describe('OpenAPI and errors', () => {
  it('documents every route at /docs/json and serves the UI at /docs', async () => {
    const h = await harness();
    const doc = (await h.app.inject({ url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/health',
        '/api/ingest/rejections',
        '/api/live',
        '/api/session',
        '/api/sites',
        '/api/sites/{site}',
        '/api/sites/{site}/latest',
        '/api/sites/{site}/live',
        '/api/sites/{site}/series',
        '/api/tokens',
        '/api/tokens/{id}',
        '/api/users',
        '/api/users/{id}',
        '/metrics',
      ].sort(),
    );
    // The live stream says what it sends: pushed as stored, not polled (issue 13, point 2).
    expect(doc.paths['/api/sites/{site}/live'].get.description).toContain('the store is\nnot polled'.replace('\n', ' '));
    expect(doc.paths['/api/live'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['sites']);
    const seriesParams = doc.paths['/api/sites/{site}/series'].get.parameters.map((p: { name: string }) => p.name).sort();
    expect(seriesParams).toEqual(['device', 'every', 'from', 'quantity', 'site', 'to']);
    const ui = await h.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('answers 500 without internals when the store fails, and logs it', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../../../src/observability/logger.js');
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const h = await harness({ logger });
    h.store.failWith = new Error('duckdb: table readings is corrupt at /var/lib/sbe/x.db');
    const res = await h.app.inject({ url: '/api/sites/cleon-bureaux/latest' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error; see the service log', code: 'internal-error', params: {} });
    expect(res.body).not.toContain('corrupt');
    expect(lines.join('\n')).toContain('table readings is corrupt');
  });

  it('answers 404 JSON for an unknown route', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'Not Found', message: 'no route GET /api/nope' });
  });

  it('has no dashboard at / when no dashboardDir is given', async () => {
    const h = await harness();
    expect((await h.app.inject({ url: '/' })).statusCode).toBe(404);
  });
});
