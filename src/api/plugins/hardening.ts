import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sendProblem } from '../problem-reply.js';

/** Routes that compute from the store (a comparison reads every site's year): rate-limited per caller. */
export const EXPENSIVE_ROUTES = new Set(['/api/compare', '/api/sites/:site/kpis', '/api/sites/:site/baseline', '/api/sites/:site/degree-days', '/api/sites/:site/corrections', '/api/sites/:site/series']);

export interface HardeningOptions {
  /** Requests per minute to the expensive routes, per user (per IP when anonymous). Default 60. */
  analyticsPerMinute?: number;
}

/**
 * Security headers (@fastify/helmet 13, Fastify 5) with a CSP that allows only the dashboard's own
 * scripts and styles: no inline script, no inline style attribute, no external origin (OWASP
 * Content Security Policy cheat sheet). The Swagger UI at /docs needs inline styles: it gets its
 * own, looser style-src, and nothing else.
 */
export const hardeningPlugin = fp<HardeningOptions>(
  async (app: FastifyInstance, options) => {
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // HSTS only means something over HTTPS; the reverse proxy that terminates TLS sets it (README).
      strictTransportSecurity: false,
    });
    app.addHook('onRequest', async (request, reply) => {
      if (request.url.startsWith('/docs')) {
        reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; frame-ancestors 'none'");
      }
    });

    // Set before @fastify/rate-limit's own onRoute hook reads it (hooks run in registration order).
    const max = options.analyticsPerMinute ?? 60;
    app.addHook('onRoute', (route) => {
      if (EXPENSIVE_ROUTES.has(route.url)) route.config = { ...(route.config ?? {}), rateLimit: { max, timeWindow: 60_000 } };
    });
    await app.register(fastifyRateLimit, {
      global: false,
      // After the auth hook: a user is one bucket wherever they come from; anonymous callers are
      // refused before (401) and never reach an expensive computation.
      hook: 'preHandler',
      keyGenerator: (request) => (request.caller ? `user:${request.caller.user.id}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => {
        const err = new Error(`too many analytics requests: at most ${context.max} per minute; retry in ${Math.ceil(context.ttl / 1000)} s`) as Error & { statusCode: number };
        err.statusCode = 429;
        return err;
      },
    });
    void sendProblem;
  },
  { name: 'hardening', fastify: '5.x' },
);
