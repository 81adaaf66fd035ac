import type { FastifyReply } from 'fastify';
import type { Problem } from './problems.js';

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 400: 'Bad Request' };

/**
 * The error body of error-handler.ts, for the auth plugin's own answers (sent from hooks): the
 * same fields, problem code (problems.ts) included, so the dashboard words it in its language.
 */
export function sendProblem(reply: FastifyReply, statusCode: number, message: string, problem: Problem, field?: string) {
  return reply.code(statusCode).send({ statusCode, error: REASONS[statusCode] ?? 'Error', message, ...(field !== undefined ? { field } : {}), code: problem.code, params: problem.params });
}
