// @ts-check
/**
 * What the dashboard offers each role, mirroring the server's decisions (src/api/route-scopes.ts),
 * so that a control a role may not use is not shown. The server still decides: a refusal that
 * comes anyway is shown translated (lib/problems.js).
 *
 * - acknowledge an alert, create or end a silence: every role, on the sites it sees (route-scopes:
 *   a site manager acts on their own building; other sites are absent from their answers);
 * - the admin page (users, GET/POST/PATCH /api/users): admins only.
 */

/** @typedef {'admin' | 'working-group' | 'site-manager'} Role */
/** @typedef {'acknowledge' | 'silence' | 'manage-users'} Action */

/** @type {Record<Action, readonly Role[]>} */
const ALLOWED = {
  acknowledge: ['admin', 'working-group', 'site-manager'],
  silence: ['admin', 'working-group', 'site-manager'],
  'manage-users': ['admin'],
};

/**
 * @param {{ user: { role: string } } | null | undefined} session
 * @param {Action} action
 */
export function can(session, action) {
  const role = session?.user.role;
  return typeof role === 'string' && /** @type {readonly string[]} */ (ALLOWED[action]).includes(role);
}
