import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

export interface OverviewLoad {
  /** Page clock (navigation start = 0) when every site card is filled: no '…' placeholder left. */
  cardsFilledMs: number;
  /** Page clock when the last API answer the page asked for (the live stream excepted) arrived. */
  lastApiAnswerMs: number;
  /** The later of the two: the overview shows every figure and waits for nothing. */
  interactiveMs: number;
  apiRequests: number;
  /** Page clock when the first API request of the load was sent: what the page's own files took before asking anything. */
  firstApiRequestMs: number;
  /** The load's /api/overview requests (one answer for every card): when the first was sent and the last answered, on the page clock. */
  overviewSpanMs: { firstSentMs: number; lastAnsweredMs: number; count: number };
  /**
   * Page clock when every card holds its final figures (`data-complete`): none still says it is
   * computing (a site's month or baseline read for the first time after a start). Null when that
   * took longer than the wait (`completeTimeoutMs`).
   */
  completeMs: number | null;
  slowestApi: { path: string; ms: number };
}

/**
 * Loads the dashboard's overview in Debian's chromium (playwright-core, as test/e2e does), logged in
 * through POST /api/session, `loads` times: the first load is cold (the app's caches are as the
 * caller left them), the others are reloads. Measured on the page's own clock from navigation start.
 */
export async function measureOverview(baseUrl: string, login: { email: string; password: string }, sites: number, loads: number): Promise<OverviewLoad[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const profileDir = await mkdtemp(join(tmpdir(), 'sbe-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const res = await context.request.post(`${baseUrl}/api/session`, { data: login });
    if (res.status() !== 201) throw new Error(`login failed: HTTP ${res.status()} ${await res.text()}`);
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const out: OverviewLoad[] = [];
    for (let i = 0; i < loads; i++) {
      const answers: { path: string; startMs: number; endMs: number; ms: number }[] = [];
      const pending = new Set<import('playwright-core').Request>();
      const isApi = (request: import('playwright-core').Request) => {
        const url = new URL(request.url());
        return url.pathname.startsWith('/api/') && !url.pathname.endsWith('/live');
      };
      const onRequest = (request: import('playwright-core').Request) => {
        if (isApi(request)) pending.add(request);
      };
      const onDone = (request: import('playwright-core').Request) => {
        if (!pending.delete(request)) return;
        const url = new URL(request.url());
        const t = request.timing();
        // responseEnd is relative to startTime (ms since epoch); the page clock starts at navigation.
        answers.push({ path: url.pathname + url.search, startMs: t.startTime, endMs: t.startTime + t.responseEnd, ms: t.responseEnd });
      };
      page.on('request', onRequest);
      page.on('requestfinished', onDone);
      page.on('requestfailed', onDone);
      if (i === 0) await page.goto(`${baseUrl}/#/`, { waitUntil: 'commit' });
      else await page.reload({ waitUntil: 'commit' });
      // Interactive when each site's card is on the page and none still shows the '…' placeholder:
      // every figure is there, or says it is being computed (overview-card.js), never made up.
      const filled = await page.waitForFunction(
        (expected: number) => {
          const cards = document.querySelectorAll('[data-site]');
          if (cards.length < expected) return false;
          for (const card of cards) for (const el of card.querySelectorAll('*')) if (el.childElementCount === 0 && el.textContent?.trim() === '…') return false;
          return performance.now();
        },
        sites,
        { polling: 'raf', timeout: 120_000 },
      );
      const cardsFilledMs = (await filled.jsonValue()) as number;
      // The load's requests are those asked for until the cards filled (see below); a retry of a
      // site still computing comes later, while the complete figures are awaited.
      const loadRequests = new Set([...pending]);
      const complete = await page
        .waitForFunction(
          (expected: number) => {
            const cards = document.querySelectorAll('[data-site][data-complete="true"]');
            return cards.length >= expected ? performance.now() : false;
          },
          sites,
          { polling: 'raf', timeout: 60_000 },
        )
        .then(async (handle) => (await handle.jsonValue()) as number)
        .catch(() => null);
      // The answers of the page load: every API request asked for until the cards filled (a series
      // behind a filled card may still be on its way). A request asked for later is the page's
      // periodic refresh, not its load: waiting for "networkidle" instead counted a refresh a
      // minute later as the load's last answer (61 s "interactive" in the run of 2026-12-01 12:56,
      // with the cards filled at 2.1 s).
      const origin = await page.evaluate(() => performance.timeOrigin);
      const deadline = Date.now() + 60_000;
      while ([...loadRequests].some((r) => pending.has(r)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      page.off('request', onRequest);
      page.off('requestfinished', onDone);
      page.off('requestfailed', onDone);
      const ofLoad = answers.filter((a) => a.startMs - origin <= cardsFilledMs);
      const lastApiAnswerMs = ofLoad.length ? Math.max(...ofLoad.map((a) => a.endMs - origin)) : 0;
      const slowest = ofLoad.reduce((a, b) => (b.ms > a.ms ? b : a), { path: '', startMs: 0, endMs: 0, ms: 0 });
      const overviews = ofLoad.filter((a) => a.path.startsWith('/api/overview'));
      out.push({
        cardsFilledMs,
        lastApiAnswerMs,
        interactiveMs: Math.max(cardsFilledMs, lastApiAnswerMs),
        apiRequests: ofLoad.length,
        firstApiRequestMs: ofLoad.length ? Math.min(...ofLoad.map((a) => a.startMs - origin)) : 0,
        overviewSpanMs: { firstSentMs: overviews.length ? Math.min(...overviews.map((a) => a.startMs - origin)) : 0, lastAnsweredMs: overviews.length ? Math.max(...overviews.map((a) => a.endMs - origin)) : 0, count: overviews.length },
        completeMs: complete === null ? null : Math.round(complete),
        slowestApi: { path: slowest.path, ms: slowest.ms },
      });
    }
    if (errors.length) throw new Error(`overview page errors: ${errors.join('; ')}`);
    return out;
  } finally {
    await context.close();
    await rm(profileDir, { recursive: true, force: true });
  }
}
