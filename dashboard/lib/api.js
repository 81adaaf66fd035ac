import { checkShape, ContractError, SERIES_BUCKET_VALUE } from './contract.js';

/**
 * The dashboard's only door to the server. Every answer is checked against the shape the views
 * read (contract.js), which the test suite checks against the server's OpenAPI schema: there is
 * one shape per route, not a normaliser guessing between field names.
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} path
   * @param {string} message
   * @param {{ code: string, params: Record<string, unknown> } | null} problem the server's problem code and parameters
   */
  constructor(status, path, message, problem) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.path = path;
    this.problem = problem;
  }
}

/** The latest values of a site, as /latest and the live stream send them: { site, values: [...] }. */
export function latestValues(body) {
  return checkShape('latest', body).values.map((v) => ({ device: v.device, quantity: v.quantity, value: v.value, tsMs: v.tsMs }));
}

/** Buckets as { tsMs, value, count, min, max }: the mean of an instantaneous quantity, the consumption of an index. */
export function seriesBuckets(body) {
  const series = checkShape('series', body);
  const key = SERIES_BUCKET_VALUE[series.kind];
  const buckets = series.buckets.map((b) => {
    if (typeof b[key] !== 'number') throw new ContractError('series', [`$.buckets[].${key}: expected number`]);
    return { tsMs: b.startMs, value: b[key], count: b.count, min: b.min ?? null, max: b.max ?? null };
  });
  return { kind: series.kind, unit: series.unit, buckets };
}

export function createApi(fetchImpl = (...args) => fetch(...args)) {
  async function get(path, signal) {
    const res = await fetchImpl(path, { headers: { accept: 'application/json' }, signal });
    if (!res.ok) {
      let body = null;
      try {
        body = checkShape('error', await res.json());
      } catch {
        /* not an API error body (a proxy's page): the status says it */
      }
      throw new ApiError(res.status, path, body?.message ?? `${res.status} ${res.statusText}`, body ? { code: body.code, params: body.params } : null);
    }
    return res.json();
  }
  const site = (id) => `/api/sites/${encodeURIComponent(id)}`;
  const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null)).toString();
  const iso = (ms) => (ms === undefined ? undefined : new Date(ms).toISOString());

  return {
    get,
    sites: async (signal) => checkShape('sites', await get('/api/sites', signal)),
    latest: async (siteId, signal) => latestValues(await get(`${site(siteId)}/latest`, signal)),
    series: async (siteId, { device, quantity, fromMs, toMs, every }, signal) =>
      seriesBuckets(await get(`${site(siteId)}/series?${qs({ device, quantity, from: iso(fromMs), to: iso(toMs), every })}`, signal)),
    health: async (signal) => checkShape('health', await get('/api/health', signal)),
    rejections: async (limit, signal) => checkShape('rejections', await get(`/api/ingest/rejections?${qs({ limit })}`, signal)),
    compare: async (from, to, rankBy, signal) => checkShape('compare', await get(`/api/compare?${qs({ from, to, rankBy })}`, signal)),
    compareCsvUrl: (from, to, rankBy) => `/api/compare?${qs({ from, to, rankBy, format: 'csv' })}`,
    decret: async (siteId, signal) => checkShape('decret', await get(`${site(siteId)}/decret`, signal)),
    decretCsvUrl: (siteId) => `${site(siteId)}/decret?format=csv`,
    operatUrl: (siteId, format) => `${site(siteId)}/operat?${qs({ format })}`,
    baseline: async (siteId, params, signal) => checkShape('baseline', await get(`${site(siteId)}/baseline?${qs(params ?? {})}`, signal)),
    kpis: async (siteId, params, signal) => checkShape('kpis', await get(`${site(siteId)}/kpis?${qs(params ?? {})}`, signal)),
    degreeDays: async (siteId, params, signal) => checkShape('degreeDays', await get(`${site(siteId)}/degree-days?${qs(params ?? {})}`, signal)),
    hourlyEnergy: async (siteId, params, signal) => checkShape('hourlyEnergy', await get(`${site(siteId)}/hourly-energy?${qs(params ?? {})}`, signal)),
    hourlyBaseline: async (siteId, params, signal) => checkShape('hourlyBaseline', await get(`${site(siteId)}/hourly-baseline?${qs(params ?? {})}`, signal)),
    /** The API's own CSV of a per-site table (`baseline`, `degree-days`, `hourly-energy`…) over a period. */
    csvUrl: (siteId, table, params) => `${site(siteId)}/${table}?${qs({ ...params, format: 'csv' })}`,
    liveUrl: (siteId) => `${site(siteId)}/live`,
    // Alerts and admin pages (issue 13 point 3, issue 11 point 1); writes are in write-api.js.
    alerts: async (query, signal) => checkShape('alerts', await get(`/api/alerts?${query}`, signal)).alerts,
    alert: async (id, signal) => checkShape('alertDetail', await get(`/api/alerts/${encodeURIComponent(id)}`, signal)),
    silences: async (params, signal) => checkShape('silences', await get(`/api/silences?${qs(params ?? {})}`, signal)).silences,
    users: async (signal) => checkShape('users', await get('/api/users', signal)).users,
    tokens: async (signal) => checkShape('tokens', await get('/api/tokens', signal)).tokens,
    liveSitesUrl: () => '/api/live',
  };
}
