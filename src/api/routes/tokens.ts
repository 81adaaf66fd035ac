import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts.js';
import type { ApiToken } from '../../accounts/model.js';
import { sendProblem } from '../problem-reply.js';
import { problemOf } from '../problems.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const present = (t: ApiToken) => ({ id: t.id, name: t.name, created: iso(t.createdMs), lastUsed: iso(t.lastUsedMs), revoked: iso(t.revokedMs) });

/** Personal API tokens: scoped like their user, shown once, stored as SHA-256, revocable. */
export const tokenRoutes: FastifyPluginAsyncZod<{ accounts: Accounts }> = async (app, { accounts }) => {
  app.get('/api/tokens', { schema: { summary: 'My API tokens (never their values)', tags: ['session'] } }, async (request) => ({
    tokens: (await accounts.store.tokens(request.caller!.user.id)).map(present),
  }));

  app.post(
    '/api/tokens',
    { schema: { summary: 'A new API token for me: its value is shown once', tags: ['session'], body: z.strictObject({ name: z.string().trim().min(1, 'say what it is for').max(100) }) } },
    async (request, reply) => {
      const { token, record } = await accounts.createToken(request.caller!.user, request.body.name);
      return reply.code(201).header('cache-control', 'no-store').send({ token, ...present(record) });
    },
  );

  app.delete(
    '/api/tokens/:id',
    { schema: { summary: 'Revoke one of my tokens (an admin: anyone’s)', tags: ['session'], params: z.strictObject({ id: z.string().regex(/^\d{1,12}$/, 'must be a token id (digits)').transform(Number) }) } },
    async (request, reply) => {
      const me = request.caller!.user;
      const ok = await accounts.store.revokeToken(request.params.id, me.role === 'admin' ? null : me.id, Date.now());
      if (!ok) return sendProblem(reply, 404, `no active token ${request.params.id}`, problemOf('unknown-token', { id: request.params.id }), 'id');
      return reply.code(204).send();
    },
  );
};
