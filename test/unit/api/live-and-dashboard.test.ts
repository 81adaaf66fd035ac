import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chartJsDistDir, chartMatrixDistDir } from '../../../src/api/routes/dashboard.js';
import { FakeStore } from './fake-store.js';
import { NOW_MS, harness } from './helpers.js';

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function openStream(port: number, path: string, token: string): Promise<{ res: IncomingMessage; text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', () => undefined);
      resolve({ res, text: () => text, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

function events(text: string, name: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith(`event: ${name}\n`))
    .map((block) => JSON.parse(block.split('\ndata: ')[1] ?? 'null'));
}

describe('GET /api/sites/:site/live (Server-Sent Events)', () => {
  it('pushes the latest values when they change, and stops polling when the client leaves', async () => {
    const store = new FakeStore().add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS, value: 1000 });
    const h = await harness({ liveIntervalMs: 30 }, store);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const stream = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await until(() => events(stream.text(), 'latest').length === 1, 'a first event');
    expect(events(stream.text(), 'latest')[0]).toEqual({
      site: 'cleon-bureaux',
      values: [{ device: 'tgbt', quantity: 'power_w', unit: 'W', kind: 'instantaneous', value: 1000, ts: new Date(NOW_MS).toISOString(), tsMs: NOW_MS }],
    });
    await until(() => stream.text().includes(': keep-alive'), 'a keep-alive comment while nothing changes');
    store.add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 2500 });
    await until(() => events(stream.text(), 'latest').length === 2, 'an event for the new reading');
    expect(events(stream.text(), 'latest')[1]).toMatchObject({ values: [{ value: 2500, tsMs: NOW_MS + 1000 }] });

    stream.close();
    const connections = () => new Promise<number>((resolve) => h.app.server.getConnections((_err, n) => resolve(n)));
    let open = 1;
    await until(() => {
      void connections().then((n) => (open = n));
      return open === 0;
    }, 'the server to see the client leave');
    const callsAtClose = () => store.calls.filter((c) => c.method === 'latest').length;
    const settledAt = callsAtClose();
    // Absence cannot be awaited: five poll periods, bounded, to check that nothing polls any more.
    await new Promise((r) => setTimeout(r, 150));
    expect(callsAtClose()).toBe(settledAt);
  });

  it('answers a JSON 404 for an unknown site instead of opening a stream', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/sites/le-havre/live' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ field: 'site' });
  });

  it('ends open streams when the app closes', async () => {
    const h = await harness({ liveIntervalMs: 30 });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const stream = await openStream(port, '/api/sites/rouen-formation/live', h.adminToken);
    await until(() => events(stream.text(), 'latest').length === 1, 'a first event');
    let ended = false;
    stream.res.on('end', () => (ended = true));
    await h.app.close();
    await until(() => ended, 'the stream to end');
  });
});

describe('static dashboard', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('serves index.html at /, chart.js at /vendor/chart.umd.js, and nothing outside the directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbe-dashboard-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tableau de bord</title>');
    writeFileSync(join(dir, 'app.js'), 'console.log(1);');
    const h = await harness({ dashboardDir: dir });
    const index = await h.app.inject({ url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.body).toContain('Tableau de bord');
    expect((await h.app.inject({ url: '/app.js' })).body).toBe('console.log(1);');
    const chart = await h.app.inject({ url: '/vendor/chart.umd.js' });
    expect(chart.statusCode).toBe(200);
    expect(chart.headers['content-type']).toContain('javascript');
    expect(chart.body).toBe(readFileSync(join(chartJsDistDir(), 'chart.umd.js'), 'utf8'));
    // The carpet plot's plugin, from node_modules too (issue 13, point 4: no CDN).
    const matrix = await h.app.inject({ url: '/vendor/chartjs-chart-matrix.min.js' });
    expect(matrix.statusCode).toBe(200);
    expect(matrix.headers['content-type']).toContain('javascript');
    expect(matrix.body).toBe(readFileSync(join(chartMatrixDistDir(), 'chartjs-chart-matrix.min.js'), 'utf8'));
    expect(matrix.body).toContain('Chart.register');
    for (const url of ['/vendor/chart.cjs', '/vendor/chartjs-chart-matrix.cjs', '/vendor/index.d.ts', '/vendor/../package.json', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/vendor/..%2f..%2f..%2fpackage.json']) {
      const res = await h.app.inject({ url });
      expect([403, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('"dependencies"');
    }
    // The API still answers beside the static files.
    expect((await h.app.inject({ url: '/api/sites' })).statusCode).toBe(200);
  });
});
