import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chartJsDistDir, chartMatrixDistDir } from '../../../src/api/routes/dashboard.js';
import { EventBus } from '../../../src/events/event-bus.js';
import type { AppDeps } from '../../../src/api/deps.js';
import { LiveFanoutProcess } from '../../../src/live/fanout-process.js';
import { SiteLiveHub } from '../../../src/live/site-live-hub.js';
import { createLogger } from '../../../src/observability/logger.js';
import { FakeStore } from './fake-store.js';
import { NOW_MS, exampleConfig, harness } from './helpers.js';

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

type FanoutMode = 'inline' | 'process';
const running: LiveFanoutProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()));
});

/**
 * A hub fed by a bus of the test's own: what ingest emits after a durable write, the test emits.
 * `process`: the streams are handed to a real fan-out process (src/live/fanout-worker.ts), as the
 * service does by default; `inline`: served by the app's own process (LIVE_FANOUT=inline).
 */
async function liveHub(mode: FanoutMode, keepAliveMs?: number, backlogLimitMs?: number) {
  const events = new EventBus();
  const hub = new SiteLiveHub({ events, coalesceMs: 20 });
  await hub.start();
  const fanout = mode === 'process' ? new LiveFanoutProcess({ hub, sites: exampleConfig().sites, logger: createLogger('silent'), ...(keepAliveMs ? { keepAliveMs } : {}), ...(backlogLimitMs ? { backlogLimitMs } : {}) }) : undefined;
  if (fanout) {
    await fanout.start();
    running.push(fanout);
    await fanout.whenReady();
  }
  const deps: Partial<AppDeps> = { live: hub, ...(fanout ? { liveFanout: fanout } : {}), ...(keepAliveMs && !fanout ? { liveKeepAliveMs: keepAliveMs } : {}) };
  /** Streams open, wherever they are served. */
  const streams = () => (fanout ? fanout.streamCount : hub.viewerCount());
  return { events, hub, fanout, deps, streams };
}

describe.each<FanoutMode>(['inline', 'process'])('GET /api/sites/:site/live (Server-Sent Events), streams served %s', (mode) => {
  it('sends the snapshot, then what is stored as it is stored, with one subscription per site and no polling', async () => {
    const store = new FakeStore().add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS, value: 1000 });
    const { events: bus, hub, fanout, deps } = await liveHub(mode, 40);
    const h = await harness(deps, store);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const stream = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    const second = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    expect(stream.res.statusCode).toBe(200);
    expect(stream.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await until(() => events(stream.text(), 'latest').length === 1 && events(second.text(), 'latest').length === 1, 'a first event on each stream');
    expect(events(stream.text(), 'latest')[0]).toEqual({
      site: 'cleon-bureaux',
      values: [{ device: 'tgbt', quantity: 'power_w', unit: 'W', kind: 'instantaneous', value: 1000, ts: new Date(NOW_MS).toISOString(), tsMs: NOW_MS }],
    });
    // One subscription to the site whatever the number of pages: per viewer here, one for the fan-out process.
    expect(hub.viewerCount('cleon-bureaux')).toBe(fanout ? 1 : 2);
    if (fanout) expect(fanout.streamCount).toBe(2);
    expect(bus.listenerCount('readingsStored')).toBe(1);
    await until(() => stream.text().includes(': keep-alive'), 'a keep-alive comment while nothing changes');
    // A reading of another site, and one of a device the configuration does not declare, are not sent.
    bus.emit('readingsStored', { readings: [
      { site: 'rouen-formation', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 7 },
      { site: 'cleon-bureaux', device: 'retired-meter', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 8 },
      { site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 2500 },
    ] });
    await until(() => events(stream.text(), 'latest').length === 2 && events(second.text(), 'latest').length === 2, 'an event for the new reading on each stream');
    expect(events(stream.text(), 'latest')[1]).toEqual({
      site: 'cleon-bureaux',
      values: [{ device: 'tgbt', quantity: 'power_w', unit: 'W', kind: 'instantaneous', value: 2500, ts: new Date(NOW_MS + 1000).toISOString(), tsMs: NOW_MS + 1000 }],
    });
    // The store was read once per stream, for its snapshot; never polled since.
    expect(store.calls.filter((c) => c.method === 'latest')).toHaveLength(2);

    stream.close();
    second.close();
    await until(() => hub.viewerCount() === 0 && (fanout?.streamCount ?? 0) === 0, 'the hub to forget both viewers');
  });

  it('answers a JSON 404 for an unknown site, and for a site that is not a site manager\'s own, instead of opening a stream', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/sites/le-havre/live' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ field: 'site' });
    const manager = await h.tokenFor('site-manager', ['cleon-bureaux']);
    const other = await h.app.inject({ url: '/api/sites/rouen-formation/live', headers: { authorization: `Bearer ${manager}` } });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toMatchObject({ code: 'unknown-site', field: 'site' });
  });

  it('says when the store cannot give the snapshot, and still streams what is stored', async () => {
    const store = new FakeStore();
    store.failWith = new Error('store down');
    const { events: bus, deps } = await liveHub(mode);
    const h = await harness(deps, store);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const stream = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    await until(() => events(stream.text(), 'unavailable').length === 1, 'an unavailable event');
    bus.emit('readingsStored', { readings: [{ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS, value: 3 }] });
    await until(() => events(stream.text(), 'latest').length === 1, 'the stored reading');
    stream.close();
  });

  it('GET /api/live: one stream for the overview, with each site the caller may see, and only those', async () => {
    const store = new FakeStore()
      .add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS, value: 1000 })
      .add({ site: 'rouen-formation', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS, value: 2000 });
    const { events: bus, hub, fanout, deps } = await liveHub(mode);
    const h = await harness(deps, store);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const all = await openStream(port, '/api/live', h.adminToken);
    const siteIds = h.deps.config.sites.map((s) => s.id);
    await until(() => events(all.text(), 'latest').length === siteIds.length, 'a first event per site');
    expect(events(all.text(), 'latest').map((e) => (e as { site: string }).site)).toEqual(siteIds);
    expect(hub.viewerCount()).toBe(siteIds.length);
    if (fanout) expect(fanout.streamCount).toBe(1);

    const managerToken = await h.tokenFor('site-manager', ['cleon-bureaux']);
    const mine = await openStream(port, '/api/live', managerToken);
    await until(() => events(mine.text(), 'latest').length === 1, "the manager's site");
    bus.emit('readingsStored', { readings: [
      { site: 'rouen-formation', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 2100 },
      { site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 1100 },
    ] });
    await until(() => events(all.text(), 'latest').length === siteIds.length + 2, 'both new readings on the full stream');
    await until(() => events(mine.text(), 'latest').length === 2, "the manager's new reading");
    await new Promise((r) => setTimeout(r, 100));
    // Another site's reading never reaches the manager, neither in the snapshot nor later.
    expect(events(mine.text(), 'latest').map((e) => (e as { site: string }).site)).toEqual(['cleon-bureaux', 'cleon-bureaux']);
    expect(mine.text()).not.toContain('rouen-formation');

    const refused = await h.app.inject({ url: '/api/live?sites=cleon-bureaux,rouen-formation', headers: { authorization: `Bearer ${managerToken}` } });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ code: 'unknown-site', field: 'sites' });
    const nobody = await h.tokenFor('site-manager', []);
    expect((await h.app.inject({ url: '/api/live', headers: { authorization: `Bearer ${nobody}` } })).statusCode).toBe(204);
    const bad = await h.app.inject({ url: '/api/live?sites=Cleon%27--' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'sites' });
    all.close();
    mine.close();
    await until(() => hub.viewerCount() === 0 && (fanout?.streamCount ?? 0) === 0, 'the hub to forget every viewer');
  });

  it('ends open streams when the app closes', async () => {
    const { hub, fanout, deps } = await liveHub(mode);
    const h = await harness(deps);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const stream = await openStream(port, '/api/sites/rouen-formation/live', h.adminToken);
    await until(() => events(stream.text(), 'latest').length === 1, 'a first event');
    let ended = false;
    stream.res.on('end', () => (ended = true));
    await h.app.close();
    await until(() => ended, 'the stream to end');
    await until(() => hub.viewerCount() === 0 && (fanout?.streamCount ?? 0) === 0, 'the hub to forget the viewer');
  });
});

/** An app on a loopback port whose streams go to a real fan-out process, and one stream handed to it (its snapshot received). */
async function appWithHandedStream(store?: FakeStore, backlogLimitMs?: number) {
  const hubParts = await liveHub('process', undefined, backlogLimitMs);
  const h = await harness(hubParts.deps, store);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = h.app.server.address() as AddressInfo;
  const handed = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
  await until(() => events(handed.text(), 'latest').length === 1, 'the snapshot');
  let ended = false;
  handed.res.on('close', () => (ended = true));
  return { ...hubParts, fanout: hubParts.fanout!, h, port, handed, ended: () => ended };
}

describe('live streams in the fan-out process', () => {
  it("carry the app's headers, as a stream served here does", async () => {
    const { fanout, deps } = await liveHub('process');
    const h = await harness(deps);
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const handed = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    await until(() => events(handed.text(), 'latest').length === 1, 'the snapshot');
    expect(fanout!.streamCount).toBe(1);
    expect(handed.res.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      'transfer-encoding': 'chunked',
      // Set by the hardening plugin's hooks before the stream opens.
      'x-content-type-options': 'nosniff',
    });
    expect(handed.res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(handed.text().startsWith('retry: 2000\n\n')).toBe(true);
    handed.close();
  });

  it('when it dies: its streams end, new ones are served by the HTTP process, and it is started again', async () => {
    const store = new FakeStore().add({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS, value: 1000 });
    const { events: bus, hub, fanout, h, port, ended } = await appWithHandedStream(store);
    const firstPid = fanout.pid!;
    process.kill(firstPid, 'SIGKILL');
    await until(ended, 'the handed stream to end with its process');
    await until(() => fanout!.streamCount === 0 && hub.viewerCount() === 0, 'the dead process\'s streams to be forgotten');

    // Meanwhile a page is served by the HTTP process, and told what is stored.
    expect(fanout!.isReady).toBe(false);
    const here = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    await until(() => events(here.text(), 'latest').length === 1, 'the snapshot, served here');
    expect(fanout!.streamCount).toBe(0);
    bus.emit('readingsStored', { readings: [{ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 1000, value: 1500 }] });
    await until(() => events(here.text(), 'latest').length === 2, 'the new reading, served here');

    // Started again (after about 1 s): new streams go to it.
    await until(() => fanout!.isReady, 'the fan-out process to be started again', 20_000);
    expect(fanout!.pid).not.toBe(firstPid);
    const again = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    await until(() => events(again.text(), 'latest').length === 1, 'the snapshot, from the new process');
    expect(fanout!.streamCount).toBe(1);
    bus.emit('readingsStored', { readings: [{ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS + 2000, value: 1700 }] });
    await until(() => events(again.text(), 'latest').length === 2 && events(here.text(), 'latest').length === 3, 'the next reading on both');
    expect((events(again.text(), 'latest')[1] as { values: Array<{ value: number }> }).values[0]!.value).toBe(1700);
    // And the server still closes (it waits for the sockets the process holds).
    await h.app.close();
    await until(() => hub.viewerCount() === 0 && fanout!.streamCount === 0, 'every stream to end');
  }, 60_000);

  it('when it reads no batch (stopped), it is killed and started again rather than left to queue batches in the HTTP process', async () => {
    const { events: bus, fanout, h, port, ended } = await appWithHandedStream(undefined, 1_000);
    const stoppedPid = fanout.pid!;
    process.kill(stoppedPid, 'SIGSTOP');
    // Batches of 2,000 series (~150 kB each) until the channel is behind for 1 s: the socket's
    // kernel buffer holds a few of them, Node's queue the rest.
    const readings = (k: number) => Array.from({ length: 2_000 }, (_, i) => ({ site: 'cleon-bureaux', device: `d${i}`, quantity: 'power_w' as const, tsMs: NOW_MS + k, value: k }));
    const deadline = Date.now() + 30_000;
    for (let k = 1; fanout!.pid === stoppedPid && Date.now() < deadline; k += 1) {
      bus.emit('readingsStored', { readings: readings(k) });
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(fanout!.pid).not.toBe(stoppedPid);
    await until(ended, 'the stopped process\'s stream to end');
    await until(() => fanout!.isReady, 'the fan-out process to be started again', 20_000);
    const again = await openStream(port, '/api/sites/cleon-bureaux/live', h.adminToken);
    await until(() => events(again.text(), 'latest').length === 1, 'the snapshot, from the new process');
    expect(fanout!.streamCount).toBe(1);
    again.close();
    await h.app.close();
  }, 60_000);
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
