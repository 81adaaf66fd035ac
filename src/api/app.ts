import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps.js';
import { installErrorHandler } from './error-handler.js';
import { LoginLimiter } from './login-limiter.js';
import { authPlugin } from './plugins/auth.js';
import { hardeningPlugin } from './plugins/hardening.js';
import { alertRoutes } from './routes/alerts.js';
import { AnalyticsGate } from './analytics-gate.js';
import { analyticsRoutes } from './routes/analytics.js';
import { decretRoutes } from './routes/decret.js';
import { hourlyBaselineRoutes } from './routes/hourly-baseline.js';
import { hourlyEnergyRoutes } from './routes/hourly-energy.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { healthRoutes } from './routes/health.js';
import { liveRoutes } from './routes/live.js';
import { metricsRoutes } from './routes/metrics.js';
import { overviewRoutes } from './routes/overview.js';
import { rejectionRoutes } from './routes/rejections.js';
import { seriesRoutes } from './routes/series.js';
import { sessionRoutes } from './routes/session.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { silenceRoutes } from './routes/silences.js';
import { siteRoutes } from './routes/sites.js';

function packageVersion(): string {
  // src/api/app.ts runs from the project (tsx) or from dist/src/api/app.js once compiled.
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'smart-building-energy' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try the next place
    }
  }
  return 'unknown';
}

/**
 * Builds the HTTP API without listening (fastify/demo: the app is built by
 * buildApp(), a thin main.ts calls `app.listen`). Tests drive it with `app.inject()`.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.logger.child({ module: 'api' });
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    // Query strings and ids are short; a 64 KiB URL is an attack, not a request.
    routerOptions: { maxParamLength: 200 },
    // No request body of this API is near 64 KiB (a user, a silence, a comment).
    bodyLimit: 64 * 1024,
    // A client that sends nothing for 30 s is dropped (slowloris); live streams write a comment every 15 s at least (routes/live.ts).
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    trustProxy: deps.trustProxy ?? false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  // Before any route: the auth plugin's onRoute hook refuses a route without a scope decision.
  await app.register(authPlugin, { config: deps.config, ...(deps.accounts ? { accounts: deps.accounts } : {}) });
  await app.register(hardeningPlugin, { ...(deps.analyticsPerMinute !== undefined ? { analyticsPerMinute: deps.analyticsPerMinute } : {}) });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'smart-building-energy', description: 'Energy use of the pilot buildings', version: deps.version ?? packageVersion() },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  const startedMs = deps.now();
  await app.register(healthRoutes, { deps, version: deps.version ?? packageVersion(), startedMs });
  if (deps.accounts !== undefined) {
    await app.register(sessionRoutes, { config: deps.config, accounts: deps.accounts, limiter: new LoginLimiter(deps.now, deps.loginLimits) });
    await app.register(tokenRoutes, { accounts: deps.accounts });
    await app.register(userRoutes, { accounts: deps.accounts });
  }
  await app.register(siteRoutes, { deps });
  await app.register(seriesRoutes, { deps });
  await app.register(liveRoutes, { deps });
  await app.register(rejectionRoutes, { deps });
  await app.register(metricsRoutes, { deps });
  if (deps.energy !== undefined) {
    // One gate for every analytics computation of this app (analytics-gate.ts).
    const gate = deps.analyticsGate ?? new AnalyticsGate();
    await app.register(analyticsRoutes, { deps, energy: deps.energy, gate });
    await app.register(decretRoutes, { deps, energy: deps.energy, gate });
    await app.register(hourlyEnergyRoutes, { deps, energy: deps.energy, gate });
    await app.register(hourlyBaselineRoutes, { deps, energy: deps.energy, gate });
    await app.register(overviewRoutes, { deps, energy: deps.energy });
  }
  if (deps.state !== undefined) {
    const alertDeps = { config: deps.config, state: deps.state, store: deps.store, now: deps.now };
    await app.register(alertRoutes, { deps: alertDeps });
    await app.register(silenceRoutes, { deps: alertDeps });
  }
  if (deps.dashboardDir !== undefined) await app.register(dashboardRoutes, { dashboardDir: deps.dashboardDir });

  await app.ready();
  return app;
}
