import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Accounts } from '../../accounts/accounts.js';
import type { Caller } from '../../accounts/model.js';
import { sameSecret } from '../../accounts/secrets.js';
import type { AppConfig } from '../../config/schema.js';
import { sendProblem } from '../problem-reply.js';
import { problemOf } from '../problems.js';
import { scopeOf, type Scope } from '../route-scopes.js';
import { visibleSites } from '../site-scope.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking, resolved once in onRequest; null for an anonymous caller. */
    caller: Caller | null;
  }
  interface FastifyInstance {
    /** Every route registered, as the onRoute hook saw it: the route-walking test reads it. */
    readonly scopedRoutes: ReadonlyArray<{ method: string; url: string; scope: Scope }>;
  }
  interface FastifyContextConfig {
    scope?: Scope;
  }
}

export const SESSION_COOKIE = 'sbe_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface AuthOptions {
  config: AppConfig;
  /** Absent: nobody can log in, every non-public route answers 401 (fail closed). */
  accounts?: Accounts;
}

/** RFC 9110 §9.2.1: GET, HEAD, OPTIONS are safe; anything else changes state and needs the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolveCaller(request: FastifyRequest, accounts: Accounts | undefined): Promise<Caller | null | 'bad-token'> {
  if (!accounts) return null;
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const m = /^Bearer ([\w-]{1,100})$/.exec(authorization);
    // A bad token is refused, never downgraded to anonymous: the client meant to authenticate.
    return (m && (await accounts.tokenCaller(m[1]!))) || 'bad-token';
  }
  const sid = request.cookies[SESSION_COOKIE];
  return sid ? accounts.sessionCaller(sid) : null;
}

/**
 * Authentication and site scope as ONE onRequest hook (house style; fastify/demo's autohooks):
 * it resolves the caller (API token, else session cookie), enforces the route's scope decision
 * from route-scopes.ts and CSRF, and routes only ask `visibleSites(request)`. A route registered
 * without a decision makes the app fail to build.
 */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, { accounts, config }) => {
    await app.register(fastifyCookie);
    app.decorateRequest('caller', null);
    const scopedRoutes: Array<{ method: string; url: string; scope: Scope }> = [];
    app.decorate('scopedRoutes', scopedRoutes);

    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const decisions = new Set(methods.map((m) => route.config?.scope ?? scopeOf(m, route.url)));
      if (decisions.has(undefined) || decisions.size !== 1) {
        throw new Error(`route ${methods.join(',')} ${route.url} has no scope decision: add it to src/api/route-scopes.ts`);
      }
      const scope = [...decisions][0]!;
      route.config = { ...(route.config ?? {}), scope };
      for (const method of methods) scopedRoutes.push({ method, url: route.url, scope });
    });

    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const scope = request.routeOptions.config.scope;
      const caller = await resolveCaller(request, accounts);
      if (caller === 'bad-token') return sendProblem(reply, 401, 'the API token is unknown, revoked, or its user is disabled', problemOf('invalid-token', {}), 'authorization');
      request.caller = caller;
      // No route matched (the 404 handler): nothing to protect, and it must not reveal more.
      if (scope === undefined) return undefined;
      if (scope === 'public') return undefined;
      if (!caller) return sendProblem(reply, 401, 'log in first (POST /api/session) or send Authorization: Bearer <token>', problemOf('login-required', {}));
      if (caller.via === 'session' && !SAFE_METHODS.has(request.method)) {
        // Synchronizer token (OWASP CSRF Prevention cheat sheet): SameSite=Lax alone does not
        // cover same-site subdomains, and a Bearer token is never sent by a browser on its own.
        const sent = request.headers[CSRF_HEADER];
        if (typeof sent !== 'string' || !sameSecret(sent, caller.session!.csrfToken)) {
          return sendProblem(reply, 403, `missing or wrong ${CSRF_HEADER} header (GET /api/session gives it)`, problemOf('csrf-token-required', { header: CSRF_HEADER }), CSRF_HEADER);
        }
      }
      if (scope === 'admin' && caller.user.role !== 'admin') return sendProblem(reply, 403, 'admins only', problemOf('admin-only', {}));
      if (scope === 'site-param') {
        const site = (request.params as { site?: string }).site ?? '';
        // A malformed id is left to the route's validation (a 400 naming `site`); it cannot be visible.
        if (/^[a-z0-9-]{1,64}$/.test(site) && !visibleSites(request, config).has(site)) return sendProblem(reply, 404, `unknown site ${JSON.stringify(site.slice(0, 64))}`, problemOf('unknown-site', { site: site.slice(0, 64) }), 'site');
      }
      return undefined;
    });
  },
  { name: 'auth', fastify: '5.x' },
);
