// @ts-check
import { ApiError } from './api.js';

/**
 * State-changing requests (POST, PATCH, DELETE) made with the session cookie. Each carries the
 * session's CSRF token in `x-csrf-token` (issue 11: CSRF protection on every state-changing
 * request); a refusal becomes an ApiError with the server's problem code and the field at fault,
 * so a form can show the error beside that field, in the user's language.
 */

/** @typedef {{ csrfToken: string | null }} CsrfSource */

/**
 * @param {CsrfSource} session
 * @param {typeof fetch} [fetchImpl]
 */
export function createWriteApi(session, fetchImpl = (...args) => fetch(...args)) {
  /**
   * @param {'POST' | 'PATCH' | 'DELETE'} method
   * @param {string} path
   * @param {unknown} [body]
   * @returns {Promise<any>} the answer's JSON, or null for 204
   */
  async function send(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json', 'x-csrf-token': session.csrfToken ?? '' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchImpl(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 204) return null;
    /** @type {any} */
    let json = null;
    try {
      json = await res.json();
    } catch {
      /* no JSON body (a proxy's page): the status says it */
    }
    if (!res.ok) {
      const problem = json && typeof json.code === 'string' ? { code: json.code, params: json.params ?? {} } : null;
      // `field`: the request field at fault (`email`, `password`, `sites`…), when the server names one.
      throw Object.assign(new ApiError(res.status, path, json?.message ?? `${res.status} ${res.statusText}`, problem), { field: typeof json?.field === 'string' ? json.field : null });
    }
    return json;
  }
  return {
    send,
    /** @param {number} id @param {string} comment */
    acknowledge: (id, comment) => send('POST', `/api/alerts/${encodeURIComponent(String(id))}/ack`, { comment }),
    /** @param {{ site: string, device?: string, to: string, reason: string }} silence */
    silence: (silence) => send('POST', '/api/silences', silence),
    /** @param {number} id */
    endSilence: (id) => send('DELETE', `/api/silences/${encodeURIComponent(String(id))}`),
    /** @param {{ email: string, role: string, sites?: string[], password: string }} user */
    addUser: (user) => send('POST', '/api/users', user),
    /** @param {number} id @param {{ role?: string, sites?: string[], disabled?: boolean, password?: string }} change */
    changeUser: (id, change) => send('PATCH', `/api/users/${encodeURIComponent(String(id))}`, change),
    /** @param {string} name */
    createToken: (name) => send('POST', '/api/tokens', { name }),
    /** @param {number} id */
    revokeToken: (id) => send('DELETE', `/api/tokens/${encodeURIComponent(String(id))}`),
  };
}
