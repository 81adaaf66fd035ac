import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts.js';
import type { User } from '../../accounts/model.js';
import type { AppConfig } from '../../config/schema.js';
import type { LoginLimiter } from '../login-limiter.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { sendProblem } from '../problem-reply.js';
import { problemOf } from '../problems.js';
import { visibleSites } from '../site-scope.js';

export interface SessionRouteOptions {
  config: AppConfig;
  accounts: Accounts;
  limiter: LoginLimiter;
}

const loginBody = z.strictObject({ email: z.string().max(254, 'must be at most 254 characters'), password: z.string().max(256, 'must be at most 256 characters') });

export const presentUser = (u: User) => ({ id: u.id, email: u.email, role: u.role, sites: u.sites, disabled: u.disabled, created: new Date(u.createdMs).toISOString(), updated: new Date(u.updatedMs).toISOString() });

/** POST/GET/DELETE /api/session: login (sets the cookie), who am I, logout. */
export const sessionRoutes: FastifyPluginAsyncZod<SessionRouteOptions> = async (app, { config, accounts, limiter }) => {
  app.post('/api/session', { schema: { summary: 'Log in: sets the session cookie', tags: ['session'], body: loginBody } }, async (request, reply) => {
    // Login CSRF (OWASP CSRF cheat sheet, "Login CSRF"): a browser sends Origin on a cross-site
    // POST; it must be this host. Clients without Origin (curl, scripts) are not browsers.
    const origin = request.headers.origin;
    if (origin !== undefined) {
      let host: string | null;
      try {
        host = new URL(origin).host;
      } catch {
        host = null;
      }
      if (host !== request.host) return sendProblem(reply, 403, 'Origin does not match this server', problemOf('cross-origin-login', {}), 'origin');
    }
    const { email, password } = request.body;
    const block = limiter.blocked(request.ip, email);
    if (block) {
      reply.header('retry-after', String(block.retryAfterS));
      return sendProblem(reply, 429, `too many failed logins from ${block.by === 'ip' ? 'this address' : 'this account'}; retry in ${block.retryAfterS} s`, problemOf('too-many-logins', { by: block.by, retryAfterS: block.retryAfterS }), block.by === 'ip' ? 'ip' : 'email');
    }
    const user = await accounts.verifyLogin(email, password);
    if (!user) {
      limiter.fail(request.ip, email);
      // One message for an unknown e-mail, a wrong password and a disabled account (OWASP
      // Authentication cheat sheet): which one is not said.
      request.log.info({ field: 'password' }, 'login refused');
      return sendProblem(reply, 401, 'wrong e-mail or password, or the account is disabled', problemOf('wrong-credentials', {}), 'password');
    }
    limiter.succeeded(email);
    const { id } = await accounts.openSession(user);
    // RFC 6265bis: HttpOnly (no script reads it), SameSite=Lax (not sent on cross-site POSTs),
    // Secure when the request came over HTTPS (behind a proxy: TRUST_PROXY=1), Path=/, and no
    // Max-Age: the server ends the session (idle and absolute limits), the browser at its close.
    reply.setCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https', path: '/' });
    request.log.info({ userId: user.id, role: user.role }, 'logged in');
    return reply.code(201).send({ user: presentUser(user) });
  });

  app.get('/api/session', { schema: { summary: 'Who am I: my role, my sites and the CSRF token of my session', tags: ['session'] } }, async (request) => {
    const caller = request.caller!;
    return { user: presentUser(caller.user), via: caller.via, sites: [...visibleSites(request, config)], csrfToken: caller.session?.csrfToken ?? null };
  });

  app.delete('/api/session', { schema: { summary: 'Log out', tags: ['session'] } }, async (request, reply) => {
    const caller = request.caller!;
    if (caller.session) await accounts.closeSession(caller.session.idHash);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
};
