// @ts-check
import { checkShape, ContractError, SERIES_BUCKET_VALUE } from './contract.js';

/** @typedef {{ from?: string, to?: string }} PeriodParams */
/** @typedef {{ tsMs: number, value: number, count: number, min: number | null, max: number | null }} Bucket */

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

/** The latest values of a site, as /latest and the live stream send them: { site, values: [...] }. @param {unknown} body */
export function latestValues(body) {
  return checkShape('latest', /** @type {import('../types/api').LatestAnswer} */ (body)).values.map((v) => ({ device: v.device, quantity: v.quantity, value: v.value, tsMs: v.tsMs }));
}

/**
 * Buckets as { tsMs, value, count, min, max }: the mean of an instantaneous quantity, the consumption of an index.
 * @param {unknown} body
 * @returns {{ kind: import('../types/api').SeriesAnswer['kind'], unit: string, buckets: Bucket[] }}
 */
export function seriesBuckets(body) {
  const series = checkShape('series', /** @type {import('../types/api').SeriesAnswer} */ (body));
  const key = /** @type {'mean' | 'consumption'} */ (SERIES_BUCKET_VALUE[series.kind]);
  const buckets = series.buckets.map((b) => {
    const value = /** @type {Record<string, unknown>} */ (b)[key];
    if (typeof value !== 'number') throw new ContractError('series', [`$.buckets[].${key}: expected number`]);
    return { tsMs: b.startMs, value, count: b.count, min: 'min' in b ? b.min : null, max: 'max' in b ? b.max : null };
  });
  return { kind: series.kind, unit: series.unit, buckets };
}

/** @param {typeof fetch} [fetchImpl] */
export function createApi(fetchImpl = (...args) => fetch(...args)) {
  /** @param {string} path @param {AbortSignal} [signal] @returns {Promise<any>} */
  async function get(path, signal) {
    const res = await fetchImpl(path, { headers: { accept: 'application/json' }, signal });
    if (!res.ok) {
      /** @type {{ message: string, code: string, params: Record<string, unknown> } | null} */
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
  const site = (/** @type {string} */ id) => `/api/sites/${encodeURIComponent(id)}`;
  /** @param {Record<string, string | number | null | undefined>} params */
  const qs = (params) => new URLSearchParams(/** @type {[string, string][]} */ (Object.entries(params).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]))).toString();
  const iso = (/** @type {number | undefined} */ ms) => (ms === undefined ? undefined : new Date(ms).toISOString());
  /** @typedef {AbortSignal | undefined} Signal */

  return {
    get,
    /** @param {Signal} [signal] @returns {Promise<import('../types/api').SitesAnswer>} */
    sites: async (signal) => checkShape('sites', await get('/api/sites', signal)),
    /** @param {string} siteId @param {Signal} [signal] */
    latest: async (siteId, signal) => latestValues(await get(`${site(siteId)}/latest`, signal)),
    /** @param {string} siteId @param {{ device: string, quantity: string, fromMs?: number, toMs?: number, every?: string }} query @param {Signal} [signal] */
    series: async (siteId, { device, quantity, fromMs, toMs, every }, signal) =>
      seriesBuckets(await get(`${site(siteId)}/series?${qs({ device, quantity, from: iso(fromMs), to: iso(toMs), every })}`, signal)),
    /** @param {Signal} [signal] @returns {Promise<import('../types/api').OverviewAnswer>} */
    overview: async (signal) => checkShape('overview', await get('/api/overview', signal)),
    /** @param {Signal} [signal] @returns {Promise<import('../types/api').HealthAnswer>} */
    health: async (signal) => checkShape('health', await get('/api/health', signal)),
    /** @param {number} limit @param {Signal} [signal] @returns {Promise<import('../types/api').RejectionsAnswer>} */
    rejections: async (limit, signal) => checkShape('rejections', await get(`/api/ingest/rejections?${qs({ limit })}`, signal)),
    /** @param {string} from @param {string} to @param {string} [rankBy] @param {Signal} [signal] @returns {Promise<import('../types/api').CompareAnswer>} */
    compare: async (from, to, rankBy, signal) => checkShape('compare', await get(`/api/compare?${qs({ from, to, rankBy })}`, signal)),
    /** @param {string} from @param {string} to @param {string} [rankBy] */
    compareCsvUrl: (from, to, rankBy) => `/api/compare?${qs({ from, to, rankBy, format: 'csv' })}`,
    /** @param {string} siteId @param {Signal} [signal] */
    decret: async (siteId, signal) => checkShape('decret', await get(`${site(siteId)}/decret`, signal)),
    /** @param {string} siteId */
    decretCsvUrl: (siteId) => `${site(siteId)}/decret?format=csv`,
    /** @param {string} siteId @param {string} [format] */
    operatUrl: (siteId, format) => `${site(siteId)}/operat?${qs({ format })}`,
    /** @param {string} siteId @param {PeriodParams} [params] @param {Signal} [signal] @returns {Promise<import('../types/api').BaselineAnswer>} */
    baseline: async (siteId, params, signal) => checkShape('baseline', await get(`${site(siteId)}/baseline?${qs(params ?? {})}`, signal)),
    /** @param {string} siteId @param {PeriodParams} [params] @param {Signal} [signal] @returns {Promise<import('../types/api').KpisAnswer>} */
    kpis: async (siteId, params, signal) => checkShape('kpis', await get(`${site(siteId)}/kpis?${qs(params ?? {})}`, signal)),
    /** @param {string} siteId @param {PeriodParams} [params] @param {Signal} [signal] @returns {Promise<import('../types/api').DegreeDaysAnswer>} */
    degreeDays: async (siteId, params, signal) => checkShape('degreeDays', await get(`${site(siteId)}/degree-days?${qs(params ?? {})}`, signal)),
    /** @param {string} siteId @param {PeriodParams} [params] @param {Signal} [signal] @returns {Promise<import('../types/api').HourlyEnergyAnswer>} */
    hourlyEnergy: async (siteId, params, signal) => checkShape('hourlyEnergy', await get(`${site(siteId)}/hourly-energy?${qs(params ?? {})}`, signal)),
    /** @param {string} siteId @param {PeriodParams} [params] @param {Signal} [signal] @returns {Promise<import('../types/api').HourlyBaselineAnswer>} */
    hourlyBaseline: async (siteId, params, signal) => checkShape('hourlyBaseline', await get(`${site(siteId)}/hourly-baseline?${qs(params ?? {})}`, signal)),
    /** The API's own CSV of a per-site table (`baseline`, `degree-days`, `hourly-energy`…) over a period. */
    /** @param {string} siteId @param {string} table @param {PeriodParams} params */
    csvUrl: (siteId, table, params) => `${site(siteId)}/${table}?${qs({ ...params, format: 'csv' })}`,
    /** @param {string} siteId */
    liveUrl: (siteId) => `${site(siteId)}/live`,
    // Alerts and admin pages (issue 13 point 3, issue 11 point 1); writes are in write-api.js.
    /** @param {string} query the filters as a query string @param {Signal} [signal] */
    alerts: async (query, signal) => checkShape('alerts', await get(`/api/alerts?${query}`, signal)).alerts,
    /** @param {string | number} id @param {Signal} [signal] */
    alert: async (id, signal) => checkShape('alertDetail', await get(`/api/alerts/${encodeURIComponent(id)}`, signal)),
    /** @param {Record<string, string | undefined>} [params] @param {Signal} [signal] */
    silences: async (params, signal) => checkShape('silences', await get(`/api/silences?${qs(params ?? {})}`, signal)).silences,
    /** @param {Signal} [signal] */
    users: async (signal) => checkShape('users', await get('/api/users', signal)).users,
    /** @param {Signal} [signal] */
    tokens: async (signal) => checkShape('tokens', await get('/api/tokens', signal)).tokens,
    liveSitesUrl: () => '/api/live',
  };
}
