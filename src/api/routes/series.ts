import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BUCKET_WIDTHS } from '../../storage/port.js';
import type { AppDeps } from '../deps.js';
import { errorResponses, identifierParam, siteParams } from '../schemas.js';
import { MAX_BUCKETS, resolveSeriesRequest } from '../series-request.js';
import { loadSeries } from '../series-service.js';
import { findSite } from '../site-catalog.js';

const instant = z.string().max(40, 'must be at most 40 characters');

// strictObject: an unknown parameter is a 400 naming it, not silently ignored.
const seriesQuery = z.strictObject({
  device: identifierParam.describe('Device id of the site'),
  quantity: z
    .string()
    .max(32, 'must be at most 32 characters')
    .regex(/^[a-z0-9_]+$/, 'must be a quantity name such as power_w')
    .describe('A quantity the device declares'),
  from: instant.optional().describe('Start, inclusive: ISO 8601 with offset, YYYY-MM-DD (local midnight of the site) or epoch ms. Default: to − 24 h'),
  to: instant.optional().describe('End, exclusive; same formats. Default: now'),
  every: z
    .enum(BUCKET_WIDTHS, { error: () => `must be one of ${BUCKET_WIDTHS.join(', ')}` })
    .optional()
    .describe(`Bucket width; 1d buckets are local days of the site. Default: chosen from the span. At most ${MAX_BUCKETS} buckets`),
});

const iso = z.string().describe('ISO 8601');
const instantBucket = z.object({ start: iso, startMs: z.number(), count: z.number(), mean: z.number(), min: z.number(), max: z.number() });
const consumptionBucket = z.object({
  start: iso,
  startMs: z.number(),
  count: z.number(),
  consumption: z.number().describe('Last index in the bucket − last index before it; never negative'),
  index: z.number(),
  counterReset: z.boolean().describe('The index decreased; a negative step was counted as 0'),
  incomplete: z.boolean().describe('No earlier index: counted from the first reading of the bucket'),
});
const common = {
  site: z.string(),
  device: z.string(),
  quantity: z.string(),
  unit: z.string(),
  timezone: z.string(),
  every: z.enum(BUCKET_WIDTHS),
  from: iso,
  fromMs: z.number(),
  to: iso,
  toMs: z.number(),
};
const seriesResponse = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('instantaneous'), buckets: z.array(instantBucket) }),
  z.object({ ...common, kind: z.literal('cumulative'), totalConsumption: z.number(), buckets: z.array(consumptionBucket) }),
]);

export const seriesRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/api/sites/:site/series',
    {
      schema: {
        summary: 'Bucketed series: mean/min/max of an instantaneous quantity, or consumption per bucket of a cumulative index',
        tags: ['sites'],
        params: siteParams,
        querystring: seriesQuery,
        response: { 200: seriesResponse, ...errorResponses },
      },
    },
    async (request) => {
      const site = findSite(deps.config, request.params.site);
      const req = resolveSeriesRequest(site, request.query, deps.now());
      const result = await loadSeries(deps.store, req);
      const head = {
        site: site.id,
        device: req.device,
        quantity: req.quantity,
        unit: result.unit,
        timezone: site.timezone,
        every: req.every,
        from: new Date(req.fromMs).toISOString(),
        fromMs: req.fromMs,
        to: new Date(req.toMs).toISOString(),
        toMs: req.toMs,
      };
      const withStart = <T extends { startMs: number }>(b: T) => ({ start: new Date(b.startMs).toISOString(), ...b });
      return result.kind === 'cumulative'
        ? { ...head, kind: result.kind, totalConsumption: result.totalConsumption, buckets: result.buckets.map(withStart) }
        : { ...head, kind: result.kind, buckets: result.buckets.map(withStart) };
    },
  );
};
