import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connectClient, endClient, publishQos1 } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

// The Alerts and Admin pages in Debian's Chromium, as each role, against the real service (example
// configuration, embedded broker and DuckDB, SQLite state): CO2 readings published over MQTT make a
// real threshold rule open real alerts on two sites; the working group acknowledges one from the
// page; the admin adds that colleague from the admin page first; a site manager sees only their
// site and is refused the other by URL, API, SSE and CSV. Screenshots go to test-artifacts/.
const CHROMIUM = '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const COLLEAGUE = { email: 'groupe.travail@energie.test', password: 'groupe-de-travail-2026' };
const MANAGER = { email: 'gestion.cleon@energie.test', password: 'gestion-cleon-2026!' };
/** A word of each site's name that no other site's name holds ("Rouen" is also in Sotteville-lès-Rouen). */
const NAME_OF: Record<string, string> = { 'cleon-bureaux': 'Cléon', 'elbeuf-atelier': 'Elbeuf', 'rouen-formation': 'Centre de formation', 'sotteville-logistique': 'Sotteville' };
const ALL_SITES = Object.keys(NAME_OF);
// `for: 0`: the first reading above 1,500 ppm opens the alert at the next minute cycle.
const RULES = {
  rules: [
    { id: 'co2-cleon', type: 'threshold', severity: 'critical', select: { sites: ['cleon-bureaux'], quantities: ['co2_ppm'] }, above: 1500, clearAt: 1200, for: '0', clearFor: '10m' },
    { id: 'co2-rouen', type: 'threshold', severity: 'warning', select: { sites: ['rouen-formation'], quantities: ['co2_ppm'] }, above: 1500, clearAt: 1200, for: '0', clearFor: '10m' },
  ],
};

interface ApiAlert { id: number; site: string; state: string; acknowledgedBy: string | null; ackComment: string | null }

let dir: TempDir;
let service: ServiceProcess;
let context: BrowserContext;
const devices: MqttClient[] = [];
const cspViolations: string[] = [];
let alertIds: Record<string, number> = {};

async function publishCo2(site: string, device: string, secret: string): Promise<void> {
  const client = await connectClient(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${site}/${device}`, password: secret });
  devices.push(client);
  const now = Date.now();
  // Readings a minute apart ending 20 s ago: past the live rules' 15 s settling delay.
  for (let m = 5; m >= 0; m -= 1) await publishQos1(client, `sites/${site}/devices/${device}`, JSON.stringify({ ts: now - 20_000 - m * 60_000, co2_ppm: 1700 + m * 40 }));
}

async function openAlerts(): Promise<ApiAlert[]> {
  return ((await (await service.fetch('/api/alerts?state=open')).json()) as { alerts: ApiAlert[] }).alerts;
}

/** Waits for the minute cycle (node-cron, real clock) to open one alert per site; generous under load. */
async function waitForAlerts(sites: string[], timeoutMs = 180_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await openAlerts();
    if (sites.every((s) => open.some((a) => a.site === s))) return Object.fromEntries(sites.map((s) => [s, open.find((a) => a.site === s)!.id]));
    if (Date.now() > deadline) throw new Error(`no open alert for ${sites.join(', ')} after ${timeoutMs} ms: ${JSON.stringify(open)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (err) => cspViolations.push(`page error: ${err.message}`));
  return page;
}

async function logIn(page: Page, who: { email: string; password: string }, lang: 'fr' | 'en' = 'fr'): Promise<void> {
  await context.clearCookies();
  await page.goto(`${service.httpUrl}/`);
  await page.evaluate((l) => window.localStorage.setItem('sbe.lang', l), lang);
  await page.reload();
  await page.locator('body[data-ready="login"]').waitFor({ timeout: 30_000 });
  await page.fill('#login-email', who.email);
  await page.fill('#login-password', who.password);
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  expect(await page.locator('#session-user').textContent()).toContain(who.email);
}

async function logOut(page: Page): Promise<void> {
  await page.locator('#logout').click();
  await page.locator('body[data-ready="login"]').waitFor({ timeout: 30_000 });
  expect(await page.evaluate(async () => (await fetch('/api/alerts')).status)).toBe(401);
}

async function go(page: Page, hash: string, ready: 'alertsReady' | 'alertReady' | null = null): Promise<string> {
  // Empty the page first, so that what is read next is the new view, not the one before.
  await page.evaluate((h) => {
    if (window.location.hash === h) return;
    document.getElementById('main')!.replaceChildren();
    window.location.hash = h;
  }, hash);
  if (ready) await page.locator(`body[data-${ready === 'alertsReady' ? 'alerts-ready' : 'alert-ready'}="true"]`).waitFor({ timeout: 30_000 });
  // Until the view has drawn what it asked the server for (no "loading" line left).
  await page.waitForFunction(() => {
    const main = document.getElementById('main')!;
    return main.querySelector('h1, .error') !== null && !/Chargement…|Loading…/.test(main.textContent ?? '');
  }, undefined, { timeout: 60_000 });
  return (await page.locator('main').textContent()) ?? '';
}

/** The page names exactly `sites` among the configured sites, and leaves no translation key showing. */
function expectSites(text: string, sites: string[], where: string): void {
  for (const id of ALL_SITES) {
    if (sites.includes(id)) expect(text, `${where} shows ${id}`).toContain(NAME_OF[id]);
    else expect(text, `${where} hides ${id}`).not.toContain(NAME_OF[id]);
  }
}

const noKeys = (text: string) => expect(text).not.toMatch(/\b(alerts|admin|problem|app|nav)\.[a-zA-Z]+/);

interface OverviewSiteAlerts { site: string; alerts: { open: { critical: number; warning: number; info: number }; acknowledged: number } }

/** The overview's cards count the open alerts of GET /api/overview as the role's own session gets it, and link to the filtered alerts page. */
async function expectOverviewAlerts(page: Page, sites: string[], role: string): Promise<void> {
  const answer = (await page.evaluate(async () => (await fetch('/api/overview')).json())) as { sites: OverviewSiteAlerts[] };
  expect(answer.sites.map((s) => s.site).sort(), `${role} /api/overview sites`).toEqual([...sites].sort());
  for (const s of answer.sites) {
    const open = s.alerts.open.critical + s.alerts.open.warning + s.alerts.open.info;
    // The rule-opened alert is open, or acknowledged once the working group has acted on it.
    if (alertIds[s.site] !== undefined) expect(open + s.alerts.acknowledged, `${role} ${s.site} open or acknowledged alerts`).toBeGreaterThan(0);
    const shown = page.locator(`[data-site="${s.site}"] [data-testid="alerts"]`);
    await expect.poll(() => shown.getAttribute('data-open'), { timeout: 30_000 }).toBe(String(open));
    if (open > 0) expect(await shown.getAttribute('href')).toBe(`#/alerts?state=open&site=${s.site}`);
  }
}

/** Every page of the role: overview, comparison, alerts (list and one alert), rejections, admin. */
async function visitEveryPage(page: Page, sites: string[], role: string): Promise<void> {
  expectSites(await go(page, '#/'), sites, `${role} overview`);
  await expectOverviewAlerts(page, sites, role);
  expectSites(await go(page, '#/compare'), sites, `${role} compare`);
  const alerts = await go(page, '#/alerts', 'alertsReady');
  const options = await page.locator('#alerts-site option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
  expect(options.sort(), `${role} alert site filter`).toEqual([...sites].sort());
  const rows = await page.locator('#alerts-results tr[data-alert]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.site));
  expect([...new Set(rows)].sort(), `${role} alert rows`).toEqual(Object.keys(alertIds).filter((s) => sites.includes(s)).sort());
  noKeys(alerts);
  await go(page, '#/rejections');
  for (const id of ALL_SITES.filter((s) => !sites.includes(s))) expect(await page.locator('main').textContent()).not.toContain(id);
  const adminLink = page.locator('nav a[href="#/admin"]');
  expect(await adminLink.isVisible(), `${role} admin menu entry`).toBe(role === 'admin');
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  await mkdir(ARTIFACTS, { recursive: true });
  dir = await createTempDir('sbe-alerts-admin-');
  const rulesFile = join(dir.path, 'rules.yaml');
  await writeFile(rulesFile, stringify(RULES));
  service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), RULES_FILE: rulesFile }, readyTimeoutMs: 90_000 });
  const made = await service.fetch('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...MANAGER, role: 'site-manager', sites: ['cleon-bureaux'] }) });
  expect(made.status).toBe(201);
  await publishCo2('cleon-bureaux', 'open-space', 'demo-cleon-open-space');
  await publishCo2('rouen-formation', 'salle-b12', 'demo-rouen-salle-b12');
  context = await chromium.launchPersistentContext(await mkdtemp(join(tmpdir(), 'sbe-chromium-')), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
  alertIds = await waitForAlerts(['cleon-bureaux', 'rouen-formation']);
}, 360_000);

afterAll(async () => {
  for (const d of devices) await endClient(d);
  await context?.close();
  await service?.terminate();
  await dir?.remove();
});

describe('the alerts and admin pages, as each role', () => {
  it('admin: every site on every page; the alerts page filters, exports and silences; the admin page adds the colleague, shows field errors and makes a token once; in French and English', async () => {
    const page = await newPage();
    await logIn(page, service.admin);
    await visitEveryPage(page, ALL_SITES, 'admin');

    // Filters: by site, by severity, by state; a reversed period is refused before asking.
    await go(page, '#/alerts?severity=critical', 'alertsReady');
    expect(await page.locator('#alerts-results tr[data-alert]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.site))).toEqual(['cleon-bureaux']);
    await go(page, '#/alerts?state=resolved', 'alertsReady');
    expect(await page.locator('#alerts-empty').textContent()).toContain('Aucune alerte ne correspond à ces filtres');
    await go(page, '#/alerts?from=2026-12-05&to=2026-12-01', 'alertsReady');
    expect(await page.locator('#alerts-results .error').textContent()).toContain('La date de début doit précéder');
    const text = await go(page, '#/alerts', 'alertsReady');
    expect(text).toContain('critique');
    const csvHref = await page.locator('#alerts-csv').getAttribute('href');
    const csv = await page.evaluate(async (u) => (await fetch(u!)).text(), csvHref);
    expect(csv.split('\n')[0]).toContain('id,site,device');
    expect(csv).toContain('co2-cleon');
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-admin-fr.png'), fullPage: true });

    // The detail: history, chart with its table, PNG and CSV downloads; a silence of the device.
    await go(page, `#/alerts/${alertIds['rouen-formation']}`, 'alertReady');
    expect(await page.locator('#alert-title').textContent()).toContain(`Alerte n° ${alertIds['rouen-formation']}`);
    expect(await page.locator('main table caption', { hasText: 'Historique' }).count()).toBe(1);
    expect(await page.locator('#alert-chart').count()).toBe(1);
    expect(await page.locator('main details table tbody tr').count()).toBeGreaterThan(0);
    const png = page.waitForEvent('download');
    await page.locator('#alert-png').click();
    const pngDownload = await png;
    expect(pngDownload.suggestedFilename()).toMatch(/^alerte-\d+-rouen-formation-salle-b12-co2_ppm\.png$/);
    await pngDownload.saveAs(join(ARTIFACTS, 'alert-chart-download.png'));
    expect((await import('node:fs')).readFileSync(join(ARTIFACTS, 'alert-chart-download.png')).subarray(1, 4).toString()).toBe('PNG');
    const dataCsv = page.waitForEvent('download');
    await page.locator('#alert-data-csv').click();
    const saved = join(dir.path, 'data.csv');
    await (await dataCsv).saveAs(saved);
    expect((await import('node:fs')).readFileSync(saved, 'utf8').split('\r\n')[0]).toBe('hourStartUtc,mean_ppm,min_ppm,max_ppm,readings');
    await page.screenshot({ path: join(ARTIFACTS, 'alert-detail-admin-fr.png'), fullPage: true });
    await page.selectOption('#silence-hours', '24');
    await page.fill('#silence-reason', 'Remplacement de la ventilation');
    await page.locator('#silence-form button[type="submit"]').click();
    // The page stays ready while its POST is on the way: the API is asked until the silence is there.
    const activeSilences = async () => ((await (await service.fetch('/api/silences?active=true')).json()) as { silences: Array<{ site: string; device: string; reason: string; createdBy: string }> }).silences;
    await expect.poll(activeSilences, { timeout: 15_000 }).toEqual([expect.objectContaining({ site: 'rouen-formation', device: 'salle-b12', reason: 'Remplacement de la ventilation', createdBy: service.admin.email })]);
    await go(page, '#/alerts', 'alertsReady');
    await page.locator('#silences tr[data-silence]').waitFor();
    expect(await page.locator('#silences').textContent()).toContain('Remplacement de la ventilation');

    // Admin page: a short password is refused by the API, shown beside the password field.
    await go(page, '#/admin');
    await page.locator('#users tr[data-user]').first().waitFor();
    await page.fill('#user-email', COLLEAGUE.email);
    await page.selectOption('#user-role', 'working-group');
    await page.fill('#user-password', 'court');
    await page.locator('#add-user-form button[type="submit"]').click();
    await page.locator('#user-password-error:not([hidden])').waitFor();
    expect(await page.locator('#user-password-error').textContent()).toBe('Mot de passe : au moins 12 caractères.');
    await page.fill('#user-password', COLLEAGUE.password);
    await page.locator('#add-user-form button[type="submit"]').click();
    await page.locator('#user-added:not([hidden])').waitFor();
    await page.locator(`#users tr[data-user="${COLLEAGUE.email}"]`).waitFor();
    expect(await page.locator('#user-password-error').isHidden()).toBe(true);
    // The same e-mail again: 409, beside the e-mail field.
    await page.fill('#user-email', COLLEAGUE.email);
    await page.selectOption('#user-role', 'working-group');
    await page.fill('#user-password', COLLEAGUE.password);
    await page.locator('#add-user-form button[type="submit"]').click();
    await page.locator('#user-email-error:not([hidden])').waitFor();
    expect(await page.locator('#user-email-error').textContent()).toContain('E-mail');

    // A token, shown once; it works as a Bearer; revoked from the page, it no longer does.
    await page.fill('#token-name', 'supervision');
    await page.locator('#token-form button[type="submit"]').click();
    const token = (await page.locator('#token-value').textContent())!;
    expect(token.length).toBeGreaterThan(20);
    expect((await fetch(`${service.httpUrl}/api/alerts`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-fr.png'), fullPage: true });
    await page.locator('#tokens tr[data-token="supervision"] button[data-revoke]').click();
    await page.locator('#tokens tr[data-token="supervision"][data-revoked="true"]').waitFor();
    expect((await fetch(`${service.httpUrl}/api/alerts`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    // Revoked, its value leaves the page; it is never listed (the server keeps it hashed).
    expect(await page.locator('#token-created').isHidden()).toBe(true);
    expect(await page.locator('#tokens').textContent()).not.toContain(token);

    // English: every page of the admin, no key left untranslated.
    await page.locator('button[data-lang="en"]').click();
    expect(await page.locator('main h1').textContent()).toBe('Administration');
    await page.locator('#users tr[data-user]').first().waitFor();
    noKeys((await page.locator('main').textContent())!);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-en.png'), fullPage: true });
    const en = await go(page, '#/alerts', 'alertsReady');
    expect(await page.locator('main h1').textContent()).toBe('Alerts');
    expect(en).toContain('critical');
    noKeys(en);
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-admin-en.png'), fullPage: true });
    // Ending the silence from the list.
    await page.locator('#silences tr[data-silence] button').click();
    await page.locator('#silences-empty').waitFor();
    expect(((await (await service.fetch('/api/silences?active=true')).json()) as { silences: unknown[] }).silences).toEqual([]);
    const detail = await go(page, `#/alerts/${alertIds['cleon-bureaux']}`, 'alertReady');
    expect(detail).toContain('The readings around the alert');
    noKeys(detail);
    await page.screenshot({ path: join(ARTIFACTS, 'alert-detail-admin-en.png'), fullPage: true });
    await page.locator('button[data-lang="fr"]').click();
    await logOut(page);
    await page.close();
  }, 240_000);

  it('working group (added from the admin page): logs in, every site, no admin page, acknowledges the rule-opened alert from the page', async () => {
    const page = await newPage();
    await logIn(page, COLLEAGUE);
    await visitEveryPage(page, ALL_SITES, 'working-group');
    expect(await go(page, '#/admin')).toContain('Réservé aux administrateurs');
    expect(await page.evaluate(async () => (await fetch('/api/users')).status)).toBe(403);

    const id = alertIds['cleon-bureaux']!;
    await go(page, '#/alerts', 'alertsReady');
    await page.locator(`tr[data-alert="${id}"] a`).click();
    await page.locator('body[data-alert-ready="true"] #ack-form').waitFor({ timeout: 30_000 });
    expect(await page.locator('#alert-title').getAttribute('data-state')).toBe('open');
    // An empty comment is refused by the browser (required); a real one is recorded under this user.
    await page.fill('#ack-comment', 'Fenêtres ouvertes, ventilation relancée');
    await page.locator('#ack-form button[type="submit"]').click();
    await page.locator('#alert-title[data-state="acknowledged"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#alert-facts').textContent()).toContain(`${COLLEAGUE.email}`);
    expect(await page.locator('main').textContent()).toContain('prise en compte');
    const acked = ((await (await service.fetch(`/api/alerts/${id}`)).json()) as { alert: ApiAlert; history: Array<{ kind: string; by: string | null }> });
    expect(acked.alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: COLLEAGUE.email, ackComment: 'Fenêtres ouvertes, ventilation relancée' });
    expect(acked.history.map((e) => e.kind)).toContain('acknowledged');
    expect(await page.locator('#ack-form').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'alert-acknowledged-working-group-fr.png'), fullPage: true });
    await go(page, '#/alerts?state=acknowledged', 'alertsReady');
    expect(await page.locator('#alerts-results tr[data-alert]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.alert))).toEqual([String(id)]);
    await logOut(page);
    await page.close();
  }, 240_000);

  it('site manager: only their site on every page, in French and English, on a phone; another site refused by URL, API, SSE and CSV', async () => {
    const page = await newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await logIn(page, MANAGER);
    await visitEveryPage(page, ['cleon-bureaux'], 'site-manager');
    await go(page, '#/alerts', 'alertsReady');
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-site-manager-phone-fr.png'), fullPage: true });
    const other = alertIds['rouen-formation']!;

    // By URL: the other site's alerts and one of its alerts are absent, said in the user's language.
    await go(page, '#/alerts?site=rouen-formation', 'alertsReady');
    expect(await page.locator('#alerts-error').textContent()).toBe('Site inconnu : rouen-formation.');
    await go(page, `#/alerts/${other}`, 'alertReady');
    expect(await page.locator('#alert-error').textContent()).toBe(`Aucune alerte ${other}.`);
    await go(page, '#/site/rouen-formation');
    expect(await page.locator('main').textContent()).not.toContain('Centre de formation');
    expect(await go(page, '#/admin')).toContain('Réservé aux administrateurs');

    // By API, SSE and CSV, with the session cookie, from the page itself.
    const probe = await page.evaluate(async (id) => {
      const status = async (u: string) => (await fetch(u)).status;
      const sse = await new Promise<string>((resolve) => {
        const es = new EventSource('/api/sites/rouen-formation/live');
        es.onerror = () => { es.close(); resolve('refused'); };
        es.addEventListener('latest', () => { es.close(); resolve('opened'); });
      });
      const csrf = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const ack = await fetch(`/api/alerts/${id}/ack`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.csrfToken }, body: '{"comment":"x"}' });
      const silence = await fetch('/api/silences', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.csrfToken }, body: JSON.stringify({ site: 'rouen-formation', to: new Date(Date.now() + 3_600_000).toISOString(), reason: 'x' }) });
      return {
        alert: await status(`/api/alerts/${id}`),
        list: await status('/api/alerts?site=rouen-formation'),
        silences: ((await (await fetch('/api/silences')).json()) as { silences: Array<{ site: string }> }).silences.map((s) => s.site),
        csv: await (await fetch('/api/alerts?format=csv')).text(),
        users: await status('/api/users'),
        sse, ack: ack.status, silence: silence.status,
      };
    }, other);
    expect(probe).toMatchObject({ alert: 404, list: 404, silences: [], users: 403, sse: 'refused', ack: 404, silence: 404 });
    expect(probe.csv).toContain('co2-cleon');
    expect(probe.csv).not.toContain('rouen');

    await page.locator('button[data-lang="en"]').click();
    const en = await go(page, '#/alerts', 'alertsReady');
    expect(await page.locator('main h1').textContent()).toBe('Alerts');
    expectSites(en, ['cleon-bureaux'], 'site-manager alerts (en)');
    noKeys(en);
    await go(page, '#/alerts?site=rouen-formation', 'alertsReady');
    expect(await page.locator('#alerts-error').textContent()).toBe('Unknown site: rouen-formation.');
    await page.screenshot({ path: join(ARTIFACTS, 'alerts-site-manager-phone-en.png'), fullPage: true });
    await page.locator('button[data-lang="fr"]').click();
    await logOut(page);
    expect(cspViolations, 'no CSP violation or page error').toEqual([]);
    await page.close();
  }, 240_000);

  it('admin: sets a site manager\'s sites, resets a password (field error when short) and disables a colleague, whose session ends', async () => {
    const page = await newPage();
    await logIn(page, service.admin);
    await go(page, '#/admin');
    const manager = page.locator(`#users tr[data-user="${MANAGER.email}"]`);
    await manager.waitFor();
    const id = ((await (await service.fetch('/api/users')).json()) as { users: Array<{ id: number; email: string }> }).users.find((u) => u.email === MANAGER.email)!.id;

    await manager.locator('summary').click();
    await manager.locator(`#u${id}-sites input[value="elbeuf-atelier"]`).check();
    await manager.locator('form[data-form="access"] button[type="submit"]').click();
    await page.locator(`#users tr[data-user="${MANAGER.email}"]`, { hasText: 'Elbeuf' }).waitFor();
    const users = async () => ((await (await service.fetch('/api/users')).json()) as { users: Array<{ email: string; sites: string[]; disabled: boolean }> }).users;
    expect((await users()).find((u) => u.email === MANAGER.email)!.sites.sort()).toEqual(['cleon-bureaux', 'elbeuf-atelier']);

    const row = page.locator(`#users tr[data-user="${MANAGER.email}"]`);
    await row.locator('summary').click();
    await row.locator(`#p${id}-password`).fill('trop-court');
    await row.locator('form[data-form="password"] button[type="submit"]').click();
    await row.locator(`#p${id}-password-error:not([hidden])`).waitFor();
    expect(await row.locator(`#p${id}-password-error`).textContent()).toBe('Mot de passe : au moins 12 caractères.');
    await row.locator(`#p${id}-password`).fill('nouveau-mot-de-passe-cleon');
    await row.locator('form[data-form="password"] button[type="submit"]').click();
    const login = async (who: { email: string; password: string }) => (await fetch(`${service.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) })).status;
    await expect.poll(() => login({ email: MANAGER.email, password: 'nouveau-mot-de-passe-cleon' }), { timeout: 30_000 }).toBe(201);
    expect(await login(MANAGER)).toBe(401);

    // Disabling ends the colleague's open session at once (issue 11 point 2).
    const colleagueSession = (await fetch(`${service.httpUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(COLLEAGUE) })).headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${service.httpUrl}/api/alerts`, { headers: { cookie: colleagueSession } })).status).toBe(200);
    await page.locator(`#users tr[data-user="${COLLEAGUE.email}"] button[data-action="disable"]`).click();
    await page.locator(`#users tr[data-user="${COLLEAGUE.email}"] button[data-action="enable"]`).waitFor();
    expect(await page.locator(`#users tr[data-user="${COLLEAGUE.email}"]`).textContent()).toContain('désactivé');
    expect((await users()).find((u) => u.email === COLLEAGUE.email)!.disabled).toBe(true);
    expect((await fetch(`${service.httpUrl}/api/alerts`, { headers: { cookie: colleagueSession } })).status).toBe(401);
    expect(await login(COLLEAGUE)).toBe(401);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-users-changed-fr.png'), fullPage: true });
    await logOut(page);
    expect(cspViolations, 'no CSP violation or page error').toEqual([]);
    await page.close();
  }, 240_000);
});
