import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REJECTION_REASONS } from '../../ingest/types.js';
import type { AppDeps } from '../deps.js';
import { errorResponses } from '../schemas.js';
import { visibleSites } from '../site-scope.js';

const query = z.strictObject({
  limit: z
    .string()
    .max(3, 'must be an integer from 1 to 500')
    .regex(/^\d+$/, 'must be an integer from 1 to 500')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500'))
    .optional()
    .describe('How many, newest first (1-500, default 100)'),
});

const rejectionSchema = z.object({
  received: z.string().describe('ISO 8601 receive time'),
  receivedMs: z.number(),
  reason: z.enum(REJECTION_REASONS),
  detail: z.string(),
  field: z.string().nullable(),
  topic: z.string(),
  site: z.string().nullable(),
  device: z.string().nullable(),
  payloadExcerpt: z.string(),
});

export const rejectionRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/api/ingest/rejections',
    { schema: { summary: 'Latest rejected MQTT messages', tags: ['ingest'], querystring: query, response: { 200: z.array(rejectionSchema), ...errorResponses } } },
    async (request) => {
      // Another site's rejections carry its payloads: left out. One with no site (an unknown topic)
      // could be anyone's: admins only.
      const visible = visibleSites(request, deps.config);
      const admin = request.caller?.user.role === 'admin';
      const limit = request.query.limit ?? 100;
      return deps.ingest
        .rejections(admin ? limit : 500)
        .filter((r) => (r.site === undefined || r.site === null ? admin : visible.has(r.site)))
        .slice(0, limit)
        .map((r) => ({
        received: new Date(r.receivedMs).toISOString(),
        receivedMs: r.receivedMs,
        reason: r.reason,
        detail: r.detail,
        field: r.field ?? null,
        topic: r.topic,
        site: r.site ?? null,
        device: r.device ?? null,
        payloadExcerpt: r.payloadExcerpt,
      }));
    },
  );
};
