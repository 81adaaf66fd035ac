import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ServiceProcess } from '../helpers/service-process.js';

/** Debian's chromium: a missing browser fails the launch loudly, it is never skipped. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Debian chromium with a fresh profile, logged in through the dashboard's own login page as the
 * service's first admin. Console and page errors go to `problems`, cleared after the login: before
 * it, GET /api/session answers 401 on purpose (Chromium logs that as a console error; the login
 * page has its own test, accounts-browser.test.ts).
 */
export async function openAdminBrowser(
  service: ServiceProcess,
  problems: string[],
  options: { acceptDownloads?: boolean; beforeLogin?: (page: Page) => void } = {},
): Promise<{ context: BrowserContext; page: Page; profileDir: string }> {
  const profileDir = await mkdtemp(join(tmpdir(), 'sbe-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  options.beforeLogin?.(page);
  await page.goto(`${service.httpUrl}/`);
  await page.locator('body[data-ready="login"]').waitFor();
  await page.fill('#login-email', service.admin.email);
  await page.fill('#login-password', service.admin.password);
  await page.locator('#login-form button[type="submit"]').click();
  await page.locator('body[data-ready="true"]').waitFor({ timeout: 30_000 });
  problems.length = 0;
  return { context, page, profileDir };
}
