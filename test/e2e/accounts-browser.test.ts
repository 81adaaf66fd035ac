import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

// A site-manager in Debian's Chromium against the real service (example config, embedded DuckDB):
// the user is added by the CLI while the service runs, logs in without a restart, sees exactly
// their site, cannot reach another by URL, API, SSE or CSV, and logs out.
const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const execFileAsync = promisify(execFile);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MANAGER = { email: 'gestionnaire@cleon.test', password: 'cleon-manager-pass' };

let dir: TempDir;
let service: ServiceProcess;
let context: BrowserContext;
const violations: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  dir = await createTempDir('sbe-accounts-browser-');
  const env = { DATA_DIR: join(dir.path, 'data') };
  service = await startServiceProcess({ env });
  // The CLI writes to the same state.sqlite while the service runs.
  const child = execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'users', 'add', '--email', MANAGER.email, '--role', 'site-manager', '--sites', 'cleon-bureaux', '--password-stdin'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
  child.child.stdin!.end(`${MANAGER.password}\n`);
  expect((await child).stdout).toContain('added gestionnaire@cleon.test');
  context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'sbe-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS });
});

afterAll(async () => {
  await context?.close();
  await service?.terminate();
  await dir?.remove();
});

describe('a site-manager in the browser', () => {
  it('logs in, sees only their site, is refused another by URL, API, SSE and CSV, and logs out', async () => {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${service.httpUrl}/`);
    await page.locator('body[data-ready="login"]').waitFor();
    await page.fill('#login-email', MANAGER.email);
    await page.fill('#login-password', 'wrong password 123');
    await page.locator('#login-form button[type="submit"]').click();
    await page.locator('#login-error:not([hidden])').waitFor({ timeout: 20_000 });
    expect(await page.locator('#login-error').textContent()).toContain('wrong e-mail or password');

    await page.fill('#login-password', MANAGER.password);
    await page.locator('#login-form button[type="submit"]').click();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#session-user').textContent()).toContain(MANAGER.email);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'sbe_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const text = await page.locator('main').textContent();
    expect(text).toContain('Cléon');
    for (const other of ['Elbeuf', 'Rouen', 'Sotteville']) expect(text, other).not.toContain(other);

    // With the session cookie, from the page itself: API, CSV, SSE of another site are absent.
    const probe = await page.evaluate(async () => {
      const status = async (u: string) => (await fetch(u)).status;
      const sse = await new Promise<string>((resolve) => {
        const es = new EventSource('/api/sites/elbeuf-atelier/live');
        es.onerror = () => { es.close(); resolve('refused'); };
        es.addEventListener('latest', () => { es.close(); resolve('opened'); });
      });
      const ownSse = await new Promise<string>((resolve) => {
        const es = new EventSource('/api/sites/cleon-bureaux/live');
        es.onopen = () => { es.close(); resolve('opened'); };
        es.onerror = () => { es.close(); resolve('refused'); };
      });
      const sites = (await (await fetch('/api/sites')).json()) as Array<{ id: string }>;
      const csrf = await fetch('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
      return {
        latest: await status('/api/sites/elbeuf-atelier/latest'),
        csv: await status('/api/sites/elbeuf-atelier/kpis?format=csv'),
        alertsCsv: await (await fetch('/api/alerts?format=csv')).text(),
        sse, ownSse, sites: sites.map((s) => s.id), csrf: csrf.status,
      };
    });
    expect(probe).toMatchObject({ latest: 404, csv: 404, sse: 'refused', ownSse: 'opened', sites: ['cleon-bureaux'], csrf: 403 });
    expect(probe.alertsCsv).not.toContain('elbeuf');

    await page.goto(`${service.httpUrl}/#/site/elbeuf-atelier`);
    await page.locator('body[data-ready="true"]').waitFor();
    expect(await page.locator('main').textContent()).not.toContain('Elbeuf');

    await page.locator('#logout').click();
    await page.locator('body[data-ready="login"]').waitFor();
    expect((await page.evaluate(async () => (await fetch('/api/sites')).status))).toBe(401);
    expect(violations, 'no CSP violation').toEqual([]);
  });

  it('rate-limits failed logins with a 429 that says when to retry', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 6; i += 1) last = await fetch(`${service.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'victim@x.test', password: `guess-number-${i}` }) });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await last!.json()) as { message: string }).message).toMatch(/too many failed logins from this account; retry in \d+ s/);
  });

  it('refuses a cross-site login (Origin of another host)', async () => {
    const res = await fetch(`${service.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: JSON.stringify(MANAGER) });
    expect(res.status).toBe(403);
  });
});
