import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AnalyticsBusyError } from './analytics-gate.js';
import { HttpError } from './errors.js';
import { problemOf, type Problem } from './problems.js';

const REASONS: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  field?: string;
  code: Problem['code'];
  params: Problem['params'];
}

function body(statusCode: number, message: string, problem: Problem, field?: string): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', message, ...(field !== undefined ? { field } : {}), code: problem.code, params: problem.params };
}

/**
 * The one error handler: a bad parameter is a 400 naming it, an unknown site a 404
 * naming it, a computation refused by the analytics gate a 503 with Retry-After, and anything else a 500 that says nothing of the internals (the
 * details go to request.log only).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) {
      request.log.info({ field: err.field, statusCode: err.statusCode }, err.message);
      return reply.code(err.statusCode).send(body(err.statusCode, err.message, err.problem, err.field));
    }
    if (err instanceof AnalyticsBusyError) {
      // Refused, not queued without end: the client comes back when the computations waiting are done.
      request.log.warn({ queued: err.queued, retryAfterS: err.retryAfterS }, 'analytics busy: request refused');
      return reply.code(503).header('retry-after', String(err.retryAfterS)).send(body(503, err.message, problemOf('analytics-busy', { queued: err.queued, retryAfterS: err.retryAfterS })));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issue = err.validation[0];
      const unknownKeys = issue?.keyword === 'unrecognized_keys' ? (issue.params as { keys?: string[] }).keys : undefined;
      // Truncated: an unknown key is the client's text and may be kilobytes long.
      const name = (unknownKeys?.[0] ?? issue?.instancePath.split('/').filter(Boolean)[0] ?? '(root)').slice(0, 64);
      const context = err.validationContext ?? 'request';
      const message = unknownKeys ? `unknown parameter ${JSON.stringify(name)}` : (issue?.message ?? 'invalid');
      request.log.info({ field: name, context }, 'request validation failed');
      const problem = unknownKeys ? problemOf('unknown-parameter', { location: context, field: name }) : problemOf('invalid-parameter', { location: context, field: name, detail: message });
      return reply.code(400).send(body(400, `${context}.${name}: ${message}`, problem, name));
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors (malformed URL, unsupported media type…): their messages are safe.
      return reply.code(err.statusCode).send(body(err.statusCode, err.message, problemOf('client-error', { statusCode: err.statusCode })));
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send(body(500, 'internal error; see the service log', problemOf('internal-error', {})));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = (request.url.split('?')[0] ?? '').slice(0, 200);
    return reply.code(404).send(body(404, `no route ${request.method} ${path}`, problemOf('no-route', { method: request.method, path })));
  });
}
