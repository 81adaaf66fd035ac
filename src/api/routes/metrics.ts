import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppDeps } from '../deps.js';

/** Prometheus text exposition of the service's own registry. */
export const metricsRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { registry } = deps.metrics;
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['observability'], produces: ['text/plain'] } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
};
