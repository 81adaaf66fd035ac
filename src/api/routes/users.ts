import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts.js';
import { UserInputError } from '../../accounts/user-input.js';
import { sendProblem } from '../problem-reply.js';
import { problemOf } from '../problems.js';
import { presentUser } from './session.js';

const createBody = z.strictObject({ email: z.string().max(254), role: z.string().max(32), sites: z.array(z.string().max(64)).max(500).optional(), password: z.string().max(256) });
const patchBody = z.strictObject({ role: z.string().max(32).optional(), sites: z.array(z.string().max(64)).max(500).optional(), disabled: z.boolean().optional(), password: z.string().max(256).optional() });

/** User management, admins only (route-scopes.ts). A bad field is a 400 naming it; a password never comes back. */
export const userRoutes: FastifyPluginAsyncZod<{ accounts: Accounts }> = async (app, { accounts }) => {
  const fieldError = (reply: Parameters<typeof sendProblem>[0], err: unknown) => {
    if (err instanceof UserInputError) {
      const exists = err.message.includes('already exists');
      const problem = exists ? problemOf('user-exists', { field: err.field }) : problemOf('invalid-parameter', { location: 'body', field: err.field, detail: err.message });
      return sendProblem(reply, exists ? 409 : 400, `body.${err.message}`, problem, err.field);
    }
    throw err;
  };

  app.get('/api/users', { schema: { summary: 'Users', tags: ['users'] } }, async () => ({ users: (await accounts.store.users()).map(presentUser) }));

  app.post('/api/users', { schema: { summary: 'Add a user', tags: ['users'], body: createBody } }, async (request, reply) => {
    try {
      const user = await accounts.addUser(request.body);
      request.log.info({ userId: user.id, role: user.role, by: request.caller!.user.id }, 'user added');
      return reply.code(201).send({ user: presentUser(user) });
    } catch (err) {
      return fieldError(reply, err);
    }
  });

  app.patch(
    '/api/users/:id',
    { schema: { summary: 'Change a user: role, sites, disabled, password', tags: ['users'], params: z.strictObject({ id: z.string().regex(/^\d{1,12}$/, 'must be a user id (digits)').transform(Number) }), body: patchBody } },
    async (request, reply) => {
      try {
        const user = await accounts.updateUser(request.params.id, request.body);
        if (!user) return sendProblem(reply, 404, `no user ${request.params.id}`, problemOf('unknown-user', { id: request.params.id }), 'id');
        request.log.info({ userId: user.id, by: request.caller!.user.id, fields: Object.keys(request.body) }, 'user changed');
        return { user: presentUser(user) };
      } catch (err) {
        return fieldError(reply, err);
      }
    },
  );
};
