import { describe, expect, it } from 'vitest';
import type { NewAlert } from '../../../src/alerts/state-port.js';
import { ROUTE_SCOPES } from '../../../src/api/route-scopes.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';
import { anonymous, exampleConfig, harness, NOW_MS } from './helpers.js';

// Walks EVERY route the app registers (an onRoute hook of the test's own records them), as each role
// and anonymously, and checks the scope decision of src/api/route-scopes.ts holds. A route added
// without a decision makes buildApp throw, so this file fails too.
const ALL = exampleConfig().sites.map((s) => s.id);
const MINE = 'cleon-bureaux';
const OTHERS = ALL.filter((s) => s !== MINE);

function concrete(url: string, site: string): string {
  return url.replace(':site', site).replace(':id', '1').replace('*', 'index.html');
}

describe('every registered route has a scope decision that holds', () => {
  it('anonymous: 401 everywhere but public routes; a site-manager: other sites absent', async () => {
    const seen: Array<{ method: string; url: string }> = [];
    const state = new SqliteStateStore({ dataDir: ':memory:' });
    await state.start();
    const h = await harness({ dashboardDir: new URL('../../../dashboard', import.meta.url).pathname, state });
    seen.push(...h.app.scopedRoutes);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['GET /api/alerts', 'DELETE /api/silences/:id', 'GET /metrics', 'GET /docs/json', 'GET /*', 'PATCH /api/users/:id']));
    const manager = await h.tokenFor('site-manager', [MINE]);
    const wg = await h.tokenFor('working-group');
    expect(seen.length).toBeGreaterThan(20);
    h.store.add({ site: OTHERS[0]!, device: 'tgbt', quantity: 'power_w', tsMs: NOW_MS - 1000, value: 1 });
    for (const { method, url } of seen) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const key = `${method} ${url}`;
      const scope = ROUTE_SCOPES[key];
      expect(scope, `${key} has a decision`).toBeDefined();
      const other = concrete(url, OTHERS[0]!);
      const anon = await h.app.inject({ method: method as 'GET', url: other, headers: { ...anonymous, 'content-type': 'application/json' }, payload: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      if (scope === 'public') expect(anon.statusCode, key).not.toBe(401);
      else expect(anon.statusCode, `${key} anonymous`).toBe(401);
      // A stream never ends under inject: /api/live's scope is walked over real HTTP (live-and-dashboard.test.ts).
      if (url === '/api/live') continue;
      const asManager = await h.app.inject({ method: method as 'GET', url: other, headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' }, payload: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      if (scope === 'admin') expect(asManager.statusCode, `${key} as site-manager`).toBe(403);
      if (scope === 'site-param') expect(asManager.statusCode, `${key} of another site as site-manager`).toBe(404);
      if (scope === 'authenticated' && method === 'GET' && asManager.statusCode === 200) {
        for (const site of OTHERS) expect(asManager.body, `${key} as site-manager names ${site}`).not.toContain(`"${site}"`);
      }
      // A stream of one's own site never ends under inject: the browser test opens it.
      if (scope === 'site-param' && !url.endsWith('/live')) {
        const mine = await h.app.inject({ method: method as 'GET', url: concrete(url, MINE), headers: { authorization: `Bearer ${manager}` } });
        expect([200, 400], `${key} of my own site`).toContain(mine.statusCode);
        const asWg = await h.app.inject({ method: method as 'GET', url: other, headers: { authorization: `Bearer ${wg}` } });
        expect(asWg.statusCode, `${key} as working-group`).not.toBe(404);
      }
    }
  });

  it('a site-manager sees only their sites in the site list and /api/session; the working group sees all', async () => {
    const h = await harness();
    const manager = await h.tokenFor('site-manager', [MINE]);
    const sites = (await h.app.inject({ url: '/api/sites', headers: { authorization: `Bearer ${manager}` } })).json<Array<{ id: string }>>();
    expect(sites.map((s) => s.id)).toEqual([MINE]);
    const me = (await h.app.inject({ url: '/api/session', headers: { authorization: `Bearer ${manager}` } })).json<{ sites: string[]; user: { role: string } }>();
    expect(me).toMatchObject({ sites: [MINE], user: { role: 'site-manager' } });
    const wg = await h.tokenFor('working-group');
    expect((await h.app.inject({ url: '/api/sites', headers: { authorization: `Bearer ${wg}` } })).json<unknown[]>()).toHaveLength(ALL.length);
    expect((await h.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${wg}` } })).statusCode).toBe(403);
  });

  it('tells an anonymous caller only up or down', async () => {
    const h = await harness();
    const anon = await h.app.inject({ url: '/api/health', headers: { ...anonymous } });
    expect(anon.json()).toEqual({ status: 'up' });
    expect((await h.app.inject({ url: '/api/health' })).json()).toHaveProperty('writePath');
  });

  it('refuses a revoked token, and a token of a disabled user', async () => {
    const h = await harness();
    const token = await h.tokenFor('working-group');
    expect((await h.app.inject({ url: '/api/sites', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const list = (await h.app.inject({ url: '/api/tokens', headers: { authorization: `Bearer ${token}` } })).json<{ tokens: Array<{ id: number }> }>();
    expect((await h.app.inject({ method: 'DELETE', url: `/api/tokens/${list.tokens[0]!.id}`, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(204);
    const refused = await h.app.inject({ url: '/api/sites', headers: { authorization: `Bearer ${token}` } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ field: 'authorization' });
    expect(refused.body).not.toContain(token);
  });

  describe('alerts and silences (main\'s routes): visible sites only, acts recorded under the caller', () => {
    const alertOf = (site: string, rule: string): NewAlert => ({ site, device: 'tgbt', rule, ruleType: 'out-of-hours', quantity: 'energy_kwh', severity: 'warning', startMs: NOW_MS - 3_600_000, openedMs: NOW_MS - 3_600_000, updatedMs: NOW_MS - 3_600_000, measured: 42, expected: 30, unit: 'kWh', summary: 's' });
    async function setup() {
      const state = new SqliteStateStore({ dataDir: ':memory:' });
      await state.start();
      const [mine, other] = await state.transaction(async (tx) => [await tx.insertAlert(alertOf(MINE, 'a')), await tx.insertAlert(alertOf(OTHERS[0]!, 'b'))]);
      const h = await harness({ state });
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });
      return { h, state, mine: mine!, other: other!, manager: auth(await h.tokenFor('site-manager', [MINE])), wg: auth(await h.tokenFor('working-group')), auth };
    }

    it('lists and shows alerts of visible sites only; another site\'s alert is absent', async () => {
      const { h, mine, other, manager, wg } = await setup();
      const list = (await h.app.inject({ url: '/api/alerts', headers: manager })).json<{ alerts: Array<{ id: number; site: string }> }>();
      expect(list.alerts.map((a) => a.site)).toEqual([MINE]);
      expect((await h.app.inject({ url: `/api/alerts?site=${OTHERS[0]}`, headers: manager })).statusCode).toBe(404);
      expect((await h.app.inject({ url: `/api/alerts/${mine.id}`, headers: manager })).statusCode).toBe(200);
      expect((await h.app.inject({ url: `/api/alerts/${other.id}`, headers: manager })).statusCode).toBe(404);
      expect((await h.app.inject({ url: '/api/alerts', headers: wg })).json<{ alerts: unknown[] }>().alerts).toHaveLength(2);
      expect((await h.app.inject({ url: '/api/alerts', headers: { ...anonymous } })).statusCode).toBe(401);
    });

    it('acknowledges as the caller: a site-manager on their sites, the working group everywhere; a body `by` is refused', async () => {
      const { h, mine, other, manager, wg } = await setup();
      const ack = (id: number, headers: Record<string, string>, payload: Record<string, unknown> = { comment: 'on it' }) => h.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack`, headers, payload });
      expect((await ack(other.id, manager)).statusCode).toBe(404);
      expect((await ack(mine.id, manager, { comment: 'x', by: 'someone-else' })).statusCode).toBe(400);
      const mineAck = await ack(mine.id, manager);
      expect(mineAck.statusCode).toBe(200);
      expect(mineAck.json<{ alert: { acknowledgedBy: string } }>().alert.acknowledgedBy).toMatch(/^site-manager-\d+@test\.invalid$/);
      const otherAck = await ack(other.id, wg);
      expect(otherAck.json<{ alert: { acknowledgedBy: string } }>().alert.acknowledgedBy).toMatch(/^working-group-\d+@test\.invalid$/);
      const history = (await h.app.inject({ url: `/api/alerts/${other.id}`, headers: wg })).json<{ history: Array<{ kind: string; by: string | null }> }>().history;
      expect(history.find((e) => e.kind === 'acknowledged')?.by).toMatch(/^working-group-/);
      expect((await ack(mine.id, { ...anonymous } as never)).statusCode).toBe(401);
    });

    it('silences: the working group on every site, a site-manager on their own; createdBy is the caller', async () => {
      const { h, manager, wg } = await setup();
      const silence = (site: string, headers: Record<string, string>) => h.app.inject({ method: 'POST', url: '/api/silences', headers, payload: { site, to: '2026-11-03T12:00:00Z', reason: 'works' } });
      expect((await silence(OTHERS[0]!, manager)).statusCode).toBe(404);
      const own = await silence(MINE, manager);
      expect(own.statusCode).toBe(201);
      expect(own.json<{ silence: { createdBy: string } }>().silence.createdBy).toMatch(/^site-manager-/);
      const byWg = await silence(OTHERS[0]!, wg);
      expect(byWg.statusCode).toBe(201);
      const otherId = byWg.json<{ silence: { id: number; createdBy: string } }>().silence.id;
      expect((await h.app.inject({ method: 'POST', url: '/api/silences', headers: manager, payload: { site: MINE, to: '2026-11-03T12:00:00Z', reason: 'works', by: 'x' } })).statusCode).toBe(400);
      const listed = (await h.app.inject({ url: '/api/silences', headers: manager })).json<{ silences: Array<{ site: string }> }>().silences;
      expect(listed.map((x) => x.site)).toEqual([MINE]);
      expect((await h.app.inject({ method: 'DELETE', url: `/api/silences/${otherId}`, headers: manager })).statusCode).toBe(404);
      expect((await h.app.inject({ method: 'DELETE', url: `/api/silences/${otherId}`, headers: wg })).statusCode).toBe(204);
      expect((await h.app.inject({ method: 'POST', url: '/api/silences', headers: { ...anonymous }, payload: { site: MINE, to: '2026-11-03T12:00:00Z', reason: 'w' } })).statusCode).toBe(401);
    });
  });
});
