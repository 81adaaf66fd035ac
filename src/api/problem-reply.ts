import type { FastifyReply } from 'fastify';

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 400: 'Bad Request' };

/** The error body of error-handler.ts, for the auth plugin's own answers (sent from hooks). */
export function sendProblem(reply: FastifyReply, statusCode: number, message: string, field?: string) {
  return reply.code(statusCode).send({ statusCode, error: REASONS[statusCode] ?? 'Error', message, ...(field !== undefined ? { field } : {}) });
}
