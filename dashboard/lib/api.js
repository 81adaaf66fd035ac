/**
 * The dashboard's only door to the server. Every response goes through a
 * normaliser so that the views see one shape, whatever envelope the route uses.
 */
export class ApiError extends Error {
  constructor(status, path, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
  }
}

/** A 404 (or 501) on an analytics endpoint means "not built yet", not an error. */
export function isUnavailable(err) {
  return err instanceof ApiError && (err.status === 404 || err.status === 501);
}

function pickArray(body, ...keys) {
  if (Array.isArray(body)) return body;
  for (const key of keys) if (Array.isArray(body?.[key])) return body[key];
  return [];
}

function toMs(value) {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

export function normalizeSites(body) {
  return pickArray(body, 'sites', 'items', 'data').map((s) => ({
    ...s,
    city: s.city ?? null,
    timezone: s.timezone ?? 'Europe/Paris',
    devices: (s.devices ?? []).map((d) => ({
      ...d,
      name: d.name ?? d.id,
      quantities: (d.quantities ?? []).map((q) => (typeof q === 'string' ? { name: q } : q)),
    })),
  }));
}

export function normalizeLatest(body) {
  return pickArray(body, 'latest', 'values', 'readings', 'items')
    .map((v) => ({ device: v.device, quantity: v.quantity, value: v.value, tsMs: toMs(v.tsMs ?? v.ts ?? v.timestamp ?? v.time) }))
    .filter((v) => v.tsMs !== null && Number.isFinite(v.value));
}

/** Buckets as { tsMs, value, min, max }: mean for instantaneous quantities, consumption for cumulative ones. */
export function normalizeSeries(body) {
  const buckets = pickArray(body, 'buckets', 'series', 'points', 'items').map((b) => {
    const tsMs = toMs(b.startMs ?? b.start ?? b.ts ?? b.time);
    const value = b.consumption ?? b.mean ?? b.value ?? null;
    return { tsMs, value, count: b.count ?? null, min: b.min ?? null, max: b.max ?? null };
  });
  return {
    kind: body?.kind ?? null,
    unit: body?.unit ?? null,
    buckets: buckets.filter((b) => b.tsMs !== null && Number.isFinite(b.value)),
  };
}

export function createApi(fetchImpl = (...args) => fetch(...args)) {
  async function get(path, signal) {
    const res = await fetchImpl(path, { headers: { accept: 'application/json' }, signal });
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = await res.json();
        if (body?.message) message = body.message;
      } catch {
        /* body not JSON */
      }
      throw new ApiError(res.status, path, message);
    }
    return res.json();
  }
  const site = (id) => `/api/sites/${encodeURIComponent(id)}`;
  const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null)).toString();
  const iso = (ms) => (ms === undefined ? undefined : new Date(ms).toISOString());

  return {
    get,
    sites: async (signal) => normalizeSites(await get('/api/sites', signal)),
    latest: async (siteId, signal) => normalizeLatest(await get(`${site(siteId)}/latest`, signal)),
    series: async (siteId, { device, quantity, fromMs, toMs, every }, signal) =>
      normalizeSeries(await get(`${site(siteId)}/series?${qs({ device, quantity, from: iso(fromMs), to: iso(toMs), every })}`, signal)),
    health: (signal) => get('/api/health', signal),
    rejections: async (limit, signal) => pickArray(await get(`/api/ingest/rejections?${qs({ limit })}`, signal), 'rejections', 'items'),
    compare: (from, to, signal) => get(`/api/compare?${qs({ from, to })}`, signal),
    baseline: (siteId, params, signal) => get(`${site(siteId)}/baseline?${qs(params ?? {})}`, signal),
    kpis: (siteId, params, signal) => get(`${site(siteId)}/kpis?${qs(params ?? {})}`, signal),
    degreeDays: (siteId, params, signal) => get(`${site(siteId)}/degree-days?${qs(params ?? {})}`, signal),
    liveUrl: (siteId) => `${site(siteId)}/live`,
  };
}
