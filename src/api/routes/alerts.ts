import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { acknowledgeAlert, AlertStateError } from '../../alerts/lifecycle.js';
import { ALERT_STATES, SEVERITIES, type Alert } from '../../alerts/model.js';
import type { StateStore } from '../../alerts/state-port.js';
import { isQuantityName } from '../../config/quantities.js';
import type { AppConfig } from '../../config/schema.js';
import type { ReadingQuery } from '../../storage/port.js';
import { toCsv } from '../csv.js';
import { badRequest, notFound } from '../errors.js';
import { problemOf } from '../problems.js';
import { errorResponses, identifierParam } from '../schemas.js';
import { visibleSites } from '../site-scope.js';

export interface AlertRouteDeps {
  config: AppConfig;
  state: StateStore;
  store: ReadingQuery;
  now: () => number;
}

const isoInstant = z
  .string()
  .max(40)
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(v) && Number.isFinite(Date.parse(v)), 'must be a date YYYY-MM-DD or an ISO 8601 instant')
  .transform((v) => Date.parse(v));

const listQuery = z.strictObject({
  state: z.enum(ALERT_STATES).optional(),
  site: identifierParam.optional(),
  severity: z.enum(SEVERITIES).optional(),
  from: isoInstant.optional().describe('Alerts whose episode overlaps [from, to)'),
  to: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

const idParams = z.strictObject({ id: z.string().regex(/^\d{1,12}$/, 'must be an alert id (digits)').transform(Number) });

const alertSchema = z
  .object({
    id: z.number(), site: z.string(), device: z.string(), rule: z.string(), ruleType: z.string(), quantity: z.string(),
    severity: z.enum(SEVERITIES), state: z.enum(ALERT_STATES),
    start: z.string().describe('When the condition began'), opened: z.string(), updated: z.string(), resolved: z.string().nullable(),
    measured: z.number().nullable(), expected: z.number().nullable(), unit: z.string(), summary: z.string(), flapCount: z.number(),
    acknowledgedBy: z.string().nullable(), ackComment: z.string().nullable(), acknowledged: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

const alertDetailSchema = z.object({
  alert: alertSchema,
  history: z.array(z.object({ at: z.string().nullable(), kind: z.string(), by: z.string().nullable(), detail: z.record(z.string(), z.unknown()) })),
  data: z.object({
    quantity: z.string(), every: z.literal('1h'), from: z.string().nullable(), to: z.string().nullable(),
    buckets: z.array(z.object({ start: z.string().nullable(), mean: z.number(), min: z.number(), max: z.number(), first: z.number(), last: z.number(), count: z.number() })),
  }),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function present(a: Alert): z.infer<typeof alertSchema> {
  return {
    id: a.id, site: a.site, device: a.device, rule: a.rule, ruleType: a.ruleType, quantity: a.quantity, severity: a.severity, state: a.state,
    start: iso(a.startMs)!, opened: iso(a.openedMs)!, updated: iso(a.updatedMs)!, resolved: iso(a.resolvedMs),
    measured: a.measured, expected: a.expected, unit: a.unit, summary: a.summary, flapCount: a.flapCount,
    acknowledgedBy: a.ackBy, ackComment: a.ackComment, acknowledged: iso(a.ackMs),
  };
}

function sendCsv(reply: FastifyReply, alerts: Alert[]) {
  const columns = ['id', 'site', 'device', 'rule', 'severity', 'state', 'start', 'opened', 'resolved', 'measured', 'expected', 'unit', 'summary', 'flapCount', 'acknowledgedBy', 'ackComment'];
  const rows = alerts.map((a) => [a.id, a.site, a.device, a.rule, a.severity, a.state, iso(a.startMs), iso(a.openedMs), iso(a.resolvedMs), a.measured, a.expected, a.unit, a.summary, a.flapCount, a.ackBy, a.ackComment]);
  return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="alerts.csv"').send(toCsv(columns, rows));
}

const HOUR_MS = 3_600_000;

/**
 * Alerts: list (JSON or CSV), one with its history and the data around it, acknowledgement.
 * Every route asks `visibleSites(request)` which sites the caller may see; an alert of another
 * site is answered as absent (404), never as forbidden, so its existence does not leak.
 */
export const alertRoutes: FastifyPluginAsyncZod<{ deps: AlertRouteDeps }> = async (app, { deps }) => {
  const visibleAlert = async (id: number, sites: ReadonlySet<string>) => {
    const alert = await deps.state.read.alert(id);
    if (!alert || !sites.has(alert.site)) throw notFound('id', `no alert ${id}`, problemOf('unknown-alert', { id }));
    return alert;
  };

  app.get(
    '/api/alerts',
    { schema: { summary: 'Alerts, newest first', tags: ['alerts'], querystring: listQuery, response: { 200: z.unknown(), ...errorResponses } } },
    async (request, reply) => {
      const q = request.query;
      const sites = visibleSites(request, deps.config);
      if (q.site !== undefined && !sites.has(q.site)) throw notFound('site', `unknown site "${q.site}"`, problemOf('unknown-site', { site: q.site }));
      if (q.from !== undefined && q.to !== undefined && q.from >= q.to) throw badRequest('querystring', 'from', 'must be before to');
      const alerts = await deps.state.read.alerts({
        sites: q.site !== undefined ? [q.site] : [...sites],
        ...(q.state ? { states: [q.state] } : {}),
        ...(q.severity ? { severities: [q.severity] } : {}),
        ...(q.from !== undefined ? { fromMs: q.from } : {}),
        ...(q.to !== undefined ? { toMs: q.to } : {}),
        limit: q.limit ?? 1000,
      });
      if (q.format === 'csv') return sendCsv(reply, alerts);
      return { alerts: alerts.map(present) };
    },
  );

  app.get(
    '/api/alerts/:id',
    { schema: { summary: 'One alert with its history and the readings around it', tags: ['alerts'], params: idParams, response: { 200: alertDetailSchema, ...errorResponses } } },
    async (request) => {
      const alert = await visibleAlert(request.params.id, visibleSites(request, deps.config));
      const history = await deps.state.read.alertEvents(alert.id);
      // The data around it: hourly means of the watched quantity from a day before the condition
      // began to a day after it resolved (or now), so the chart shows what "normal" looked like.
      const fromMs = alert.startMs - 24 * HOUR_MS;
      const toMs = Math.min((alert.resolvedMs ?? deps.now()) + 24 * HOUR_MS, deps.now() + HOUR_MS);
      const site = deps.config.sites.find((s) => s.id === alert.site);
      const data =
        site && isQuantityName(alert.quantity)
          ? (await deps.store.buckets({ site: alert.site, device: alert.device, quantity: alert.quantity, fromMs, toMs, every: '1h', timezone: site.timezone })).map((b) => ({ start: iso(b.startMs), mean: b.mean, min: b.min, max: b.max, first: b.first, last: b.last, count: b.count }))
          : [];
      return {
        alert: present(alert),
        history: history.map((e) => ({ at: iso(e.atMs), kind: e.kind, by: e.by, detail: e.detail })),
        data: { quantity: alert.quantity, every: '1h' as const, from: iso(fromMs), to: iso(toMs), buckets: data },
      };
    },
  );

  app.post(
    '/api/alerts/:id/ack',
    {
      schema: {
        summary: 'Acknowledge an alert, with a comment',
        tags: ['alerts'],
        params: idParams,
        // No `by`: the acknowledgement is recorded under the logged-in caller (issue 11), never a name from the body.
        body: z.strictObject({ comment: z.string().trim().min(1, 'say what is being done').max(2000) }),
        response: { 200: z.object({ alert: alertSchema }), ...errorResponses },
      },
    },
    async (request) => {
      await visibleAlert(request.params.id, visibleSites(request, deps.config));
      const by = request.caller!.user.email;
      try {
        const acked = await deps.state.transaction((tx) => acknowledgeAlert(tx, request.params.id, by, request.body.comment, deps.now()));
        return { alert: present(acked) };
      } catch (err) {
        if (err instanceof AlertStateError && err.code === 'alert-resolved') throw badRequest('params', 'id', err.message, problemOf('alert-resolved', { id: request.params.id }));
        throw err;
      }
    },
  );
};
