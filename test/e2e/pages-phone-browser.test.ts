import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { connectClient, endClient, publishQos1 } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { CHROMIUM, openAdminBrowser } from './admin-browser.js';

// Issue 13, point 5 ("the layout is usable on a phone") and point 7 (screenshots of every page):
// every page of the dashboard in French and English, at desktop width and at 375 px (an iPhone
// SE / 13 mini in CSS pixels), against the real service (example configuration, embedded broker,
// DuckDB, SQLite state) with a real alert opened by a real threshold rule from CO2 published over
// MQTT. No page may scroll sideways; the alerts list becomes one card per alert on the phone.
// Screenshots go to test-artifacts/pages/.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(ROOT, 'test-artifacts', 'pages');
const SITE = 'cleon-bureaux';
const RULES = { rules: [{ id: 'co2-cleon', type: 'threshold', severity: 'critical', select: { sites: [SITE], quantities: ['co2_ppm'] }, above: 1500, clearAt: 1200, for: '0', clearFor: '10m' }] };
const WIDTHS = { desktop: 1280, phone: 375 } as const;

let dir: TempDir;
let service: ServiceProcess;
let context: BrowserContext;
let page: Page;
let profileDir: string;
let alertId = 0;
const devices: MqttClient[] = [];
const problems: string[] = [];

/** Readings a minute apart ending 20 s ago (past the live rules' 15 s settling delay). */
async function publish(device: string, secret: string, payload: (m: number) => Record<string, number>): Promise<void> {
  const client = await connectClient(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${SITE}/${device}`, password: secret });
  devices.push(client);
  const now = Date.now();
  for (let m = 5; m >= 0; m -= 1) await publishQos1(client, `sites/${SITE}/devices/${device}`, JSON.stringify({ ts: now - 20_000 - m * 60_000, ...payload(m) }));
}

/** Opens a page by its hash and waits until it has drawn what it asked the server for. */
async function go(hash: string): Promise<void> {
  await page.evaluate((h) => {
    document.getElementById('main')!.replaceChildren();
    window.location.hash = h;
  }, hash);
  await page.waitForFunction(() => {
    const main = document.getElementById('main')!;
    // Nothing still loading: no "Loading…" line or panel, no card figure still "…" (overview.js).
    const pending = [...main.querySelectorAll('[data-state="loading"], [data-testid]')].some((el) => el.getAttribute('data-state') === 'loading' || el.textContent === '…');
    return main.querySelector('h1, .error') !== null && !pending && !/Chargement…|Loading…/.test(main.textContent ?? '');
  }, undefined, { timeout: 90_000 });
}

async function setLang(lang: 'fr' | 'en'): Promise<void> {
  if ((await page.locator('html').getAttribute('lang')) === lang) return;
  await page.locator(`[data-lang="${lang}"]`).click();
  await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
}

/** How far the page is wider than the window, and the widest element that sticks out (to name in a failure). */
function overflow(): Promise<{ excess: number; culprit: string | null }> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    let culprit: string | null = null;
    for (const el of document.querySelectorAll('main *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && !el.closest('.table-scroll')) {
        culprit = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className)} right=${Math.round(r.right)}`;
        break;
      }
    }
    return { excess: document.documentElement.scrollWidth - width, culprit };
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  await mkdir(SHOTS, { recursive: true });
  dir = await createTempDir('sbe-pages-phone-');
  const rulesFile = join(dir.path, 'rules.yaml');
  await writeFile(rulesFile, stringify(RULES));
  service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), RULES_FILE: rulesFile }, readyTimeoutMs: 90_000 });
  await publish('tgbt', 'demo-cleon-tgbt', (m) => ({ power_w: 14_000 + m * 500, energy_kwh: 18_000 - m * 0.25 }));
  await publish('open-space', 'demo-cleon-open-space', (m) => ({ co2_ppm: 1700 + m * 40, temperature_c: 22.5, humidity_pct: 48 }));
  // The minute cycle (node-cron, real clock) opens the alert; generous under load.
  const deadline = Date.now() + 180_000;
  while (alertId === 0) {
    const open = ((await (await service.fetch('/api/alerts?state=open')).json()) as { alerts: Array<{ id: number; site: string }> }).alerts;
    alertId = open.find((a) => a.site === SITE)?.id ?? 0;
    if (alertId === 0 && Date.now() > deadline) throw new Error(`no alert opened on ${SITE} after 180 s`);
    if (alertId === 0) await new Promise((r) => setTimeout(r, 2000));
  }
  ({ context, page, profileDir } = await openAdminBrowser(service, problems));
}, 420_000);

afterAll(async () => {
  for (const d of devices) await endClient(d);
  await context?.close();
  await service?.terminate();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await dir?.remove();
});

describe('every page, in French and English, at desktop and phone width', () => {
  const pages = (): Array<[string, string]> => [
    ['overview', '#/'],
    ['site', `#/site/${SITE}`],
    ['compare', '#/compare'],
    ['alerts', '#/alerts'],
    ['alert-detail', `#/alerts/${alertId}`],
    ['rejections', '#/rejections'],
    ['admin', '#/admin'],
  ];
  for (const lang of ['fr', 'en'] as const) {
    for (const [form, width] of Object.entries(WIDTHS)) {
      it(`${lang}, ${form} (${width} px): no page scrolls sideways, each is saved as a screenshot`, async () => {
        await page.setViewportSize({ width, height: form === 'phone' ? 812 : 900 });
        await setLang(lang);
        for (const [name, hash] of pages()) {
          await go(hash);
          expect(await overflow(), `${name} ${lang} ${form}`).toEqual({ excess: expect.any(Number) as number, culprit: null });
          expect((await overflow()).excess, `${name} ${lang} ${form}: scrollWidth − innerWidth`).toBeLessThanOrEqual(0);
          await page.screenshot({ path: join(SHOTS, `${name}-${lang}-${form}.png`), fullPage: true });
        }
      }, 300_000);
    }
  }

  it('shows each alert as a card on a phone, every figure under its column name, and as a table on a desktop', async () => {
    await setLang('fr');
    await page.setViewportSize({ width: 375, height: 812 });
    await go('#/alerts');
    await page.locator('body[data-alerts-ready="true"]').waitFor({ timeout: 30_000 });
    const row = page.locator(`#alerts-results tr[data-alert="${alertId}"]`);
    const card = await row.evaluate((tr) => {
      const cells = [...tr.querySelectorAll('td, th')];
      return {
        display: getComputedStyle(tr).display,
        width: Math.round(tr.getBoundingClientRect().width),
        labels: cells.map((c) => getComputedStyle(c, '::before').content.replace(/^"|"$/g, '')),
        headers: [...tr.closest('table')!.querySelectorAll('thead th')].map((th) => th.textContent),
        theadHeight: Math.round(tr.closest('table')!.querySelector('thead')!.getBoundingClientRect().height),
      };
    });
    expect(card.display).toBe('block');
    expect(card.width).toBeLessThanOrEqual(375);
    // The column names, read from the stylesheet's ::before, are the table's own headers, in French.
    expect(card.labels).toEqual(card.headers);
    expect(card.labels).toContain('Gravité');
    expect(card.theadHeight).toBeLessThanOrEqual(1);
    expect(await row.locator('.badge.sev-critical').textContent()).toBe('critique');
    await row.screenshot({ path: join(SHOTS, 'alert-card-fr-phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await row.evaluate((tr) => getComputedStyle(tr).display)).toBe('table-row');
    expect(await row.evaluate((tr) => getComputedStyle(tr.querySelector('td')!, '::before').content)).toBe('none');
  });

  it('logged no error in the browser', () => {
    expect(problems).toEqual([]);
  });
});
