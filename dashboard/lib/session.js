// @ts-check
/**
 * The logged-in caller: GET /api/session (who am I, my sites, the CSRF token), login and logout.
 * The session cookie is httpOnly: scripts never see it; the CSRF token goes in `x-csrf-token`.
 */
export async function currentSession() {
  const res = await fetch('/api/session', { headers: { accept: 'application/json' } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.json();
}

/** @param {string} email @param {string} password @returns {Promise<{ ok: true } | { ok: false, status: number, message: string }>} */
export async function login(email, password) {
  const res = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status === 201) return { ok: true };
  const body = await res.json().catch(() => ({}));
  return { ok: false, status: res.status, message: body.message ?? `${res.status}` };
}

/** @param {{ csrfToken?: string | null }} session */
export async function logout(session) {
  await fetch('/api/session', { method: 'DELETE', headers: { 'x-csrf-token': session.csrfToken ?? '' } });
}
