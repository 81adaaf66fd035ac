import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Silence } from '../../alerts/model.js';
import { badRequest, notFound } from '../errors.js';
import { problemOf } from '../problems.js';
import { errorResponses, identifierParam } from '../schemas.js';
import { visibleSites } from '../site-scope.js';
import type { AlertRouteDeps } from './alerts.js';

const instant = z
  .string()
  .max(40)
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(v) && Number.isFinite(Date.parse(v)), 'must be an ISO 8601 instant, e.g. 2026-12-01T08:00:00Z')
  .transform((v) => Date.parse(v));

const createBody = z.strictObject({
  site: identifierParam,
  device: identifierParam.optional().describe('Omit to silence the whole site'),
  from: instant.optional().describe('Default: now'),
  to: instant,
  reason: z.string().trim().min(1, 'say why (maintenance, works…)').max(500),
});

const iso = (ms: number) => new Date(ms).toISOString();
const present = (s: Silence) => ({ id: s.id, site: s.site, device: s.device, from: iso(s.fromMs), to: iso(s.toMs), reason: s.reason, createdBy: s.createdBy, created: iso(s.createdMs) });

/** Silences (maintenance windows): alerts are still recorded during one, but not e-mailed. */
export const silenceRoutes: FastifyPluginAsyncZod<{ deps: AlertRouteDeps }> = async (app, { deps }) => {
  app.get(
    '/api/silences',
    { schema: { summary: 'Silences, newest first', tags: ['alerts'], querystring: z.strictObject({ site: identifierParam.optional(), active: z.enum(['true', 'false']).optional() }), response: { 200: z.unknown(), ...errorResponses } } },
    async (request) => {
      const sites = visibleSites(request, deps.config);
      if (request.query.site !== undefined && !sites.has(request.query.site)) throw notFound('site', `unknown site "${request.query.site}"`, problemOf('unknown-site', { site: request.query.site }));
      const list = await deps.state.read.silences({ sites: request.query.site !== undefined ? [request.query.site] : [...sites], ...(request.query.active === 'true' ? { activeAtMs: deps.now() } : {}) });
      return { silences: list.map(present) };
    },
  );

  app.post(
    '/api/silences',
    { schema: { summary: 'Silence a site or a device for a period', tags: ['alerts'], body: createBody, response: { 201: z.unknown(), ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      if (!visibleSites(request, deps.config).has(b.site)) throw notFound('site', `unknown site "${b.site}"`, problemOf('unknown-site', { site: b.site }));
      const site = deps.config.sites.find((s) => s.id === b.site)!;
      if (b.device !== undefined && !site.devices.some((d) => d.id === b.device)) throw badRequest('body', 'device', `no device "${b.device}" in site "${b.site}"`, problemOf('unknown-device', { site: b.site, device: b.device, known: site.devices.map((d) => d.id) }));
      const nowMs = deps.now();
      const fromMs = b.from ?? nowMs;
      if (b.to <= fromMs) throw badRequest('body', 'to', 'must be after from');
      const silence = await deps.state.transaction((tx) => tx.insertSilence({ site: b.site, device: b.device ?? null, fromMs, toMs: b.to, reason: b.reason, createdBy: request.caller!.user.email, createdMs: nowMs }));
      return reply.code(201).send({ silence: present(silence) });
    },
  );

  app.delete(
    '/api/silences/:id',
    { schema: { summary: 'End a silence', tags: ['alerts'], params: z.strictObject({ id: z.string().regex(/^\d{1,12}$/, 'must be a silence id (digits)').transform(Number) }), response: { 204: z.unknown(), ...errorResponses } } },
    async (request, reply) => {
      const silence = await deps.state.read.silence(request.params.id);
      if (!silence || !visibleSites(request, deps.config).has(silence.site)) throw notFound('id', `no silence ${request.params.id}`, problemOf('unknown-silence', { id: request.params.id }));
      await deps.state.transaction((tx) => tx.deleteSilence(silence.id));
      return reply.code(204).send();
    },
  );
};
