import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { SEVERITIES, type Severity } from '../../alerts/model.js';
import type { SiteConfig } from '../../config/schema.js';
import { siteCalendar, typeDays } from '../../energy/calendar.js';
import { localDateOf, localMidnightMs } from '../../energy/local-time.js';
import type { SiteConsumption } from '../../energy/site-data.js';
import { problems as fromAnalytics } from '../analytics-answers.js';
import type { AppDeps } from '../deps.js';
import { deviceSilence, STALE_AFTER_MS } from '../device-silence.js';
import { siteOverviewFigures, type ProfileState } from '../overview-figures.js';
import { OverviewBaselines } from '../overview-baselines.js';
import { overviewResponse, type OverviewAnswer } from '../overview-schemas.js';
import { problemOf } from '../problems.js';
import { errorResponses } from '../schemas.js';
import { visibleSites } from '../site-scope.js';

type Energy = NonNullable<AppDeps['energy']>;

/**
 * How long the overview waits for what is read or fitted for the first time (a site's month
 * after a start, a baseline's reference year): past it, the site says `computing` and the
 * dashboard asks again, so the page is interactive in under 1 s (issue 13, point 6) and shows
 * what it has, never a figure made up. The reads go on and land in the analytics' caches.
 */
export const OVERVIEW_WAIT_MS = 250;

/**
 * How long the overview waits for the latest readings when they are read for the first time:
 * with them the cards show live power at once (the live stream's snapshot of twenty sites came
 * 300-500 ms after an answer without them on a first load, bench:api 2026-12-01 20:20), and
 * sitesLatest took up to 430 ms cold on InfluxDB.
 */
export const LATEST_WAIT_MS = 600;

/** How long one answer of sitesLatest serves the overview (see recentLatest). */
const LATEST_REUSE_MS = 10_000;

/** A promise whose outcome can be read synchronously once it has settled. */
function watched<T>(p: Promise<T>) {
  const w: { done: boolean; value?: T; error?: unknown; settled: Promise<void> } = { done: false, settled: Promise.resolve() };
  w.settled = p.then(
    (value) => {
      w.done = true;
      w.value = value;
    },
    (error: unknown) => {
      w.done = true;
      w.error = error;
    },
  );
  return w;
}

/**
 * GET /api/overview: every site the caller may see (site-scope.ts), each with today so far
 * against its hour-of-week profile, the month to date in kWh and kWh/m² under the coverage rule,
 * its open alerts by severity and its silent devices (issue 13, point 3). One answer for the
 * page instead of a /series request per meter and card: the latest readings of all the sites are
 * one store query (sitesLatest), the alerts one state query, and each site's month and profile
 * come from the analytics' caches (the month kept per site, the profile per reference period).
 */
export const overviewRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; energy: Energy }> = async (app, { deps, energy }) => {
  const baselines = new OverviewBaselines((site) => energy.baseline(site), (site) => energy.cachedBaseline?.(site) ?? null, deps.logger);
  /**
   * The latest readings of the visible sites, one store query (sitesLatest) reused for
   * LATEST_REUSE_MS: on InfluxDB it took 200 ms warm and 430 ms cold for 20 sites (bench:api,
   * 2026-12-01 19:49), and a device is silent only after STALE_AFTER_MS (15 min), so a few
   * seconds' reuse changes no status while the page's retry finds the answer of the first ask.
   */
  let latestCache: { key: string; atMs: number; value: ReturnType<AppDeps['store']['sitesLatest']> } | null = null;
  const recentLatest = (ids: string[]) => {
    const key = ids.join('\u0000');
    const at = performance.now();
    if (!latestCache || latestCache.key !== key || at - latestCache.atMs > LATEST_REUSE_MS) {
      const value = ids.length ? deps.store.sitesLatest(ids) : Promise.resolve([]);
      latestCache = { key, atMs: at, value };
      value.catch(() => {
        if (latestCache?.value === value) latestCache = null;
      });
    }
    return latestCache.value;
  };
  app.get(
    '/api/overview',
    {
      schema: {
        summary: 'Every visible site: today against the baseline, month to date (kWh, kWh/m²), open alerts, silent devices',
        tags: ['sites'],
        response: { 200: overviewResponse, ...errorResponses },
      },
    },
    async (request): Promise<OverviewAnswer> => {
      const nowMs = deps.now();
      const timers: NodeJS.Timeout[] = [];
      const after = (ms: number) => new Promise<void>((resolve) => timers.push(setTimeout(resolve, ms)));
      const deadline = after(OVERVIEW_WAIT_MS);
      const latestDeadline = after(LATEST_WAIT_MS);
      const visible = visibleSites(request, deps.config);
      const sites = deps.config.sites.filter((s) => visible.has(s.id));
      const ids = sites.map((s) => s.id);
      const gas = energy.gasConversion().kWhPerM3;
      const perSite = sites.map((site) => {
        const today = localDateOf(nowMs, site.timezone);
        const monthFrom = `${today.slice(0, 8)}01`;
        return { site, today, monthFrom, month: watched(energy.consumption(site.id, { from: monthFrom, to: today })), baseline: watched(baselines.get(site.id)) };
      });
      const latest = watched(recentLatest(ids));
      const alerts = deps.state && ids.length ? await deps.state.read.alerts({ states: ['open', 'acknowledged'], sites: ids, limit: 100_000 }) : [];
      await Promise.race([Promise.all([latest.settled, ...perSite.flatMap((p) => [p.month.settled, p.baseline.settled])]), deadline]);
      // The latest readings are the cards' live power and silent devices: worth a little longer.
      if (!latest.done) await Promise.race([latest.settled, latestDeadline]);
      timers.forEach(clearTimeout);
      if (latest.error !== undefined) throw latest.error;

      const latestBySite = latest.done ? groupBy(latest.value!, (l) => l.site) : null;
      const alertsBySite = groupBy(alerts, (a) => a.site);
      return {
        generated: new Date(nowMs).toISOString(),
        staleAfterMs: STALE_AFTER_MS,
        alertsAvailable: deps.state !== undefined,
        sites: perSite.map((p) => {
          if (p.month.error !== undefined) throw p.month.error;
          const profile = profileState(p.site, p.baseline, request.log);
          const figures = p.month.done ? siteFigures(p.site, nowMs, p.today, p.monthFrom, p.month.value!, gas, profile) : null;
          const devices = latestBySite ? deviceSilence(p.site, latestBySite.get(p.site.id) ?? [], nowMs) : null;
          return {
            site: p.site.id,
            timezone: p.site.timezone,
            status: figures && devices ? ('ok' as const) : ('computing' as const),
            today: figures?.today ?? null,
            month: figures?.month ?? null,
            // The page's cards show power at once from here; the live stream moves it afterwards.
            power: latestBySite ? (latestBySite.get(p.site.id) ?? []).filter((l) => l.quantity === 'power_w').map((l) => ({ device: l.device, valueW: l.value, at: new Date(l.tsMs).toISOString() })) : null,
            alerts: alertCounts(alertsBySite.get(p.site.id) ?? []),
            devices: devices && {
              total: devices.total,
              silent: devices.silent.map((d) => ({ device: d.device, name: d.name, lastReading: new Date(d.lastReadingMs).toISOString() })),
              neverReported: devices.neverReported,
            },
          };
        }),
      };
    },
  );
};

function profileState(site: SiteConfig, w: ReturnType<typeof watched<Awaited<ReturnType<Energy['baseline']>>>>, log: { warn: (o: object, m: string) => void }): ProfileState {
  if (!w.done) return { kind: 'computing' };
  if (w.error !== undefined) {
    log.warn({ err: w.error, site: site.id }, 'overview: no baseline');
    return { kind: 'none', problems: [problemOf('baseline-unavailable', { site: site.id })] };
  }
  const b = w.value!;
  const profile = b.period ? b.profile() : null;
  if (!b.period || !profile) return { kind: 'none', problems: fromAnalytics(b.result.ok ? [] : b.result.problems) };
  return { kind: 'ready', profile, period: b.period };
}

function siteFigures(site: SiteConfig, nowMs: number, today: string, monthFrom: string, month: SiteConsumption, gasKWhPerM3: number, profile: ProfileState) {
  const dayType = typeDays([today], siteCalendar(site))[0]!.type;
  const f = siteOverviewFigures({ site, nowMs, todayStartMs: localMidnightMs(today, site.timezone), today, monthFrom, dayType, month, gasKWhPerM3, profile });
  const iso = (ms: number) => new Date(ms).toISOString();
  const { fromMs, untilMs, ...today_ } = f.today;
  const { untilMs: monthUntil, ...month_ } = f.month;
  return { today: { ...today_, from: iso(fromMs), until: iso(untilMs) }, month: { ...month_, until: iso(monthUntil) } };
}

function alertCounts(alerts: readonly { state: string; severity: Severity }[]) {
  const open = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let acknowledged = 0;
  for (const a of alerts) {
    if (a.state === 'open') open[a.severity]++;
    else acknowledged++;
  }
  return { open, acknowledged };
}

/** Map.groupBy, which Node 20 does not have. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const list = out.get(key(item));
    if (list) list.push(item);
    else out.set(key(item), [item]);
  }
  return out;
}
