import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { QUANTITY_NAMES, type QuantityName } from '../../config/quantities.js';
import type { AppDeps } from '../deps.js';
import { latestView } from '../latest-view.js';
import { errorResponses, siteParams, siteSchema } from '../schemas.js';
import { findSite, toPublicSite } from '../site-catalog.js';
import { visibleSites } from '../site-scope.js';

const latestSchema = z.object({
  site: z.string(),
  values: z.array(
    z.object({
      device: z.string(),
      quantity: z.enum(QUANTITY_NAMES as [QuantityName, ...QuantityName[]]),
      unit: z.string(),
      kind: z.enum(['cumulative', 'instantaneous']),
      value: z.number(),
      ts: z.string().describe('ISO 8601 time of the reading (the device clock)'),
      tsMs: z.number(),
    }),
  ),
});

export const siteRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get('/api/sites', { schema: { summary: 'Sites and their devices', tags: ['sites'], response: { 200: z.array(siteSchema) } } }, async (request) => {
    const visible = visibleSites(request, deps.config);
    return deps.config.sites.filter((s) => visible.has(s.id)).map(toPublicSite);
  },
  );

  app.get(
    '/api/sites/:site',
    { schema: { summary: 'One site', tags: ['sites'], params: siteParams, response: { 200: siteSchema, ...errorResponses } } },
    async (request) => toPublicSite(findSite(deps.config, request.params.site)),
  );

  app.get(
    '/api/sites/:site/latest',
    {
      schema: {
        summary: 'Last value of every device and quantity of a site',
        tags: ['sites'],
        params: siteParams,
        response: { 200: latestSchema, ...errorResponses },
      },
    },
    async (request) => {
      const site = findSite(deps.config, request.params.site);
      return { site: site.id, values: latestView(site, await deps.store.latest(site.id)) };
    },
  );
};
