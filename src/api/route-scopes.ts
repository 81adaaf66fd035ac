/**
 * THE table of scope decisions: every route the app registers has one entry here, or the app
 * refuses to build (auth plugin, onRoute). The route-walking test (test/unit/api/route-scopes.test.ts)
 * calls every registered route as each role and anonymously and checks the decision holds.
 *
 * - public: anyone (the login page and its files, login itself, the up/down health answer).
 * - authenticated: any logged-in caller; the handler filters its answer with `visibleSites`.
 * - site-param: any logged-in caller, and `:site` must be one of `visibleSites`, else 404 as for a
 *   site that does not exist (an absent site, never a forbidden one: its existence does not leak,
 *   the lesson of emoncms#1615).
 * - admin: admins only (403 for other roles).
 */
export const SCOPES = ['public', 'authenticated', 'site-param', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROUTE_SCOPES: Readonly<Record<string, Scope>> = {
  // Answers anonymous callers with up/down only; details with a login (health.ts).
  'GET /api/health': 'public',
  'POST /api/session': 'public',
  'GET /api/session': 'authenticated',
  'DELETE /api/session': 'authenticated',
  'GET /api/tokens': 'authenticated',
  'POST /api/tokens': 'authenticated',
  'DELETE /api/tokens/:id': 'authenticated',
  'GET /api/users': 'admin',
  'POST /api/users': 'admin',
  'PATCH /api/users/:id': 'admin',

  'GET /api/sites': 'authenticated',
  'GET /api/sites/:site': 'site-param',
  'GET /api/sites/:site/latest': 'site-param',
  'GET /api/sites/:site/series': 'site-param',
  'GET /api/sites/:site/live': 'site-param',
  // The overview's one stream: the visible sites only; naming another site is a 404 (live.ts).
  'GET /api/live': 'authenticated',
  // The overview page's one answer: the visible sites only, filtered by visibleSites (overview.ts).
  'GET /api/overview': 'authenticated',
  'GET /api/sites/:site/kpis': 'site-param',
  'GET /api/sites/:site/baseline': 'site-param',
  'GET /api/sites/:site/degree-days': 'site-param',
  'GET /api/sites/:site/corrections': 'site-param',
  // Décret tertiaire trajectory and OPERAT export (decret.ts): the site manager declares their own site.
  'GET /api/sites/:site/decret': 'site-param',
  'GET /api/sites/:site/operat': 'site-param',
  // The carpet plot of the site page (hourly-energy.ts).
  'GET /api/sites/:site/hourly-energy': 'site-param',
  // Consumption by hour against the hour-of-week profile (hourly-baseline.ts).
  'GET /api/sites/:site/hourly-baseline': 'site-param',
  // Ranked among the sites the caller may see (analytics.ts).
  'GET /api/compare': 'authenticated',
  // Records of other sites are left out; a rejection with no site is for admins (rejections.ts).
  'GET /api/ingest/rejections': 'authenticated',
  // Alerts (alerts.ts): the list holds only alerts of visible sites; one alert of another site is
  // absent (404). Acknowledging is for admin and working-group on every site, and for a site
  // manager on their own sites: they are the ones who act on the building. `by` is the caller's
  // e-mail (a body `by` is refused), so an acknowledgement cannot be made in someone else's name.
  'GET /api/alerts': 'authenticated',
  'GET /api/alerts/:id': 'authenticated',
  'POST /api/alerts/:id/ack': 'authenticated',
  // Silences (silences.ts): listed for visible sites only. Created and ended by admin and
  // working-group on every site, and by a site manager on their own sites (another site's: 404):
  // they know their building's maintenance windows, and a silence only holds back e-mails (alerts
  // are still recorded and listed), with `createdBy` the caller's e-mail.
  'GET /api/silences': 'authenticated',
  'POST /api/silences': 'authenticated',
  'DELETE /api/silences/:id': 'authenticated',

  // Prometheus scrapes with an admin's API token (Authorization: Bearer).
  'GET /metrics': 'admin',
  // The OpenAPI document describes every route; it needs a login, and names no site.
  'GET /docs': 'authenticated',
  'GET /docs/': 'authenticated',
  'GET /docs/*': 'authenticated',
  'GET /docs/json': 'authenticated',
  'GET /docs/yaml': 'authenticated',
  'GET /docs/static/*': 'authenticated',
  'GET /docs/static/index.html': 'authenticated',
  'GET /docs/static/swagger-initializer.js': 'authenticated',

  // The dashboard's own files: public, so that the login page loads; they hold no data.
  'GET /': 'public',
  'GET /*': 'public',
  'GET /vendor/*': 'public',
};

/** The decision for a route as registered (HEAD answers as its GET does). */
export function scopeOf(method: string, url: string): Scope | undefined {
  return ROUTE_SCOPES[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
