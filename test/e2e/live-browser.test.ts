import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, endClient, publishQos1 } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';
import { CHROMIUM, openAdminBrowser } from './admin-browser.js';

// Issue 13, points 2 and 7: a value published over MQTT appears live on an open site page, in
// French and in English: the real service process (embedded broker, DuckDB), Debian's Chromium.
const SITE = 'cleon-bureaux';
const TOPIC = `sites/${SITE}/devices/tgbt`;

let dir: TempDir;
let service: ServiceProcess;
let device: MqttClient;
let context: BrowserContext;
let page: Page;
let profileDir: string;
const problems: string[] = [];
const shotsDir = join(tmpdir(), `sbe-live-shots-${process.pid}`);

const kW = (locale: string, powerW: number) => `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(powerW / 1000)} kW`;

/** Points of the live power chart, and the radius Chart.js gives each (0: not drawn as a dot). */
function chartPoints(): Promise<Array<{ y: number; radius: number }>> {
  return page.evaluate(() => {
    const chart = (globalThis as unknown as { Chart: { getChart(id: string): { getDatasetMeta(i: number): { data: Array<{ options: { radius: number } }> }; data: { datasets: Array<{ data: Array<{ y: number }> }> } } | undefined } }).Chart.getChart('live-power-chart');
    if (!chart) return [];
    const meta = chart.getDatasetMeta(0);
    return chart.data.datasets[0]!.data.map((p, i) => ({ y: p.y, radius: meta.data[i]?.options.radius ?? -1 }));
  });
}

/**
 * Publishes `powerW` at QoS 1 and resolves with how long after the publish began the caption
 * showed `text` (the page's own clock, watched by a MutationObserver installed before publishing).
 */
async function publishAndTime(powerW: number, text: string): Promise<number> {
  await page.evaluate((expected) => {
    const w = window as unknown as { seenAt?: number };
    delete w.seenAt;
    const caption = document.getElementById('live-power-caption')!;
    const observer = new MutationObserver(() => {
      if (caption.textContent?.includes(expected)) {
        w.seenAt = Date.now();
        observer.disconnect();
      }
    });
    observer.observe(caption, { childList: true, characterData: true, subtree: true });
  }, text);
  const sentMs = Date.now();
  await publishQos1(device, TOPIC, JSON.stringify({ ts: new Date().toISOString(), power_w: powerW, energy_kwh: 18_000 + powerW / 1000 }));
  await page.waitForFunction(() => (window as unknown as { seenAt?: number }).seenAt !== undefined, undefined, { timeout: 15_000 });
  const seenAt = await page.evaluate(() => (window as unknown as { seenAt: number }).seenAt);
  return seenAt - sentMs;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (test/run.sh does it)`);
  dir = await createTempDir('sbe-live-browser-');
  service = await startServiceProcess({ env: { DATA_DIR: dir.path, CONFIG: 'config/sites.example.yaml' } });
  device = await connectClient(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${SITE}/tgbt`, password: 'demo-cleon-tgbt' });
  ({ context, page, profileDir } = await openAdminBrowser(service, problems));
}, 180_000);

afterAll(async () => {
  await endClient(device);
  await context?.close();
  await service?.terminate();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await dir?.remove();
});

describe('a value published over MQTT appears live on the site page', () => {
  it('in French: the first reading of a new meter is a dot on the chart, then each one moves the value and the table', async () => {
    await page.goto(`${service.httpUrl}/#/site/${SITE}`);
    await page.locator('#live-state[data-state="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('#live-power-caption').textContent()).toBe('Aucun relevé sur la période.');
    expect(await chartPoints()).toEqual([]);

    const firstMs = await publishAndTime(5120, kW('fr-FR', 5120));
    // One reading: one point, drawn as a dot (a line needs two).
    const points = await chartPoints();
    expect(points).toEqual([{ y: 5.12, radius: 4 }]);
    expect(await page.locator('#live-state').textContent()).toBe("Flux en direct : chaque relevé s'affiche dès qu'il est enregistré.");
    await expect.poll(() => page.locator('[data-panel="devices"] [data-quantity="power_w"]').textContent()).toContain(kW('fr-FR', 5120));
    const secondMs = await publishAndTime(6480, kW('fr-FR', 6480));
    await expect.poll(() => page.locator('[data-panel="devices"] [data-quantity="power_w"]').textContent()).toContain(kW('fr-FR', 6480));
    expect(await page.locator('[data-panel="devices"] [data-quantity="energy_kwh"]').textContent()).toContain(`${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(18_006.48)} kWh (index)`);
    console.log(`live in the browser (fr): publish -> value on the page, ms: ${firstMs}, ${secondMs}`);
    for (const ms of [firstMs, secondMs]) expect(ms).toBeLessThan(1000);
    await page.screenshot({ path: join(shotsDir, 'site-live-fr.png'), fullPage: true });
  });

  it('in English, the same, with English labels and number format', async () => {
    await page.locator('[data-lang="en"]').click();
    await page.locator('#live-state[data-state="live"]').waitFor({ timeout: 15_000 });
    // The page was drawn again: the history (both readings, one 5-minute bucket) and the snapshot.
    await expect.poll(() => page.locator('#live-power-caption').textContent()).toContain(`Latest value: ${kW('en-GB', 6480)}`);
    const ms = await publishAndTime(7250, kW('en-GB', 7250));
    await expect.poll(() => page.locator('[data-panel="devices"] [data-quantity="power_w"]').textContent()).toContain(kW('en-GB', 7250));
    expect(await page.locator('#live-state').textContent()).toBe('Live stream: each reading appears as soon as it is stored.');
    expect((await chartPoints()).length).toBeGreaterThanOrEqual(1);
    console.log(`live in the browser (en): publish -> value on the page, ms: ${ms}`);
    expect(ms).toBeLessThan(1000);
    await page.screenshot({ path: join(shotsDir, 'site-live-en.png'), fullPage: true });
    await page.locator('[data-lang="fr"]').click();
    // The page is drawn again in French once its view module is in (app.js loads views on first
    // use): waited for here, so that its stream is not opened during the next test.
    await expect.poll(() => page.locator('#live-state[data-state="live"]').textContent(), { timeout: 15_000 }).toMatch(/^Flux en direct/);
  });

  it('on the overview too, through its one stream for every card', async () => {
    const requested: string[] = [];
    const note = (req: { url(): string }) => requested.push(new URL(req.url()).pathname);
    page.on('request', note);
    await page.goto(`${service.httpUrl}/#/`);
    const card = page.locator(`[data-site="${SITE}"] [data-testid="live-power"]`);
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toContain(kW('fr-FR', 7250));
    // Sites without a reading say so, from their own first event.
    await expect.poll(() => page.locator('[data-site="rouen-formation"] [data-testid="live-power"]').textContent()).toBe('Aucune donnée');
    await publishQos1(device, TOPIC, JSON.stringify({ ts: new Date().toISOString(), power_w: 8300 }));
    await expect.poll(() => card.textContent(), { timeout: 5_000 }).toContain(kW('fr-FR', 8300));
    // One stream for the whole page, not one per card, and no /latest polled.
    page.off('request', note);
    expect(requested.filter((p) => p.endsWith('/live'))).toEqual(['/api/live']);
    expect(requested.filter((p) => p.endsWith('/latest'))).toEqual([]);
    await page.screenshot({ path: join(shotsDir, 'overview-live-fr.png'), fullPage: true });
  });

  it('logged no error in the browser', () => {
    expect(problems).toEqual([]);
  });
});
