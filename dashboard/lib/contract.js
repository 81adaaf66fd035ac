// @ts-check
/**
 * What the dashboard reads from each API answer, and nothing else: one shape per route, checked
 * on every answer (checkShape) and, in the test suite, against the OpenAPI schema the server
 * publishes (test/unit/api/contract.test.ts). A drifted API fails loudly here, with the path of
 * the field, instead of being papered over by a normaliser that accepts any shape.
 *
 * A shape is a type name ('string', 'number', 'integer', 'boolean'), `nullable(shape)`,
 * `arrayOf(shape)`, `oneOf(...literals)`, or a plain object listing the fields read (other
 * fields may be present and are ignored).
 */

/** @typedef {'string' | 'number' | 'integer' | 'boolean'} Primitive */
/** @typedef {Primitive | { nullable: Shape } | { arrayOf: Shape } | { oneOf: string[] } | { [field: string]: Shape }} Shape */

/** @param {Shape} shape @returns {Shape} */
export const nullable = (shape) => ({ nullable: shape });
/** @param {Shape} shape @returns {Shape} */
export const arrayOf = (shape) => ({ arrayOf: shape });
/** @param {...string} values @returns {Shape} */
export const oneOf = (...values) => ({ oneOf: values });

/** @type {Shape} */
const problem = { code: 'string', params: {} };
const problems = arrayOf(problem);
const figure = nullable('number');
/** @type {Record<string, Shape>} */
const coverage = { measuredHours: 'number', expectedHours: 'number', measuredSharePct: 'number', requiredSharePct: 'number', sufficient: 'boolean' };
const status = oneOf('ok', 'insufficient-data');
const decret = nullable({
  status: oneOf('on-track', 'behind', 'insufficient-data'),
  referenceYear: 'integer',
  reductionAchievedPct: figure,
  reductionTargetPct: figure,
  gapKWh: figure,
  problems,
});
/** @type {Record<string, Shape>} */
const flatKpis = {
  measuredSharePct: 'number', finalEnergyKWh: figure, kWhPerM2: figure, climateCorrectedKWhPerM2: figure, climateCorrectedKWh: figure,
  electricityKWh: figure, gasM3: figure, heatKWh: figure, waterM3: figure, deviationKWh: figure, deviationPct: figure,
  baselineMonthlyCvRmsePct: figure, baselineMonthlyNmbePct: figure, baseloadKW: figure, outOfHoursSharePct: figure, hddC: figure, cddC: figure,
};
/** @type {Record<string, Shape>} */
const whyMissing = { problems, baselineProblems: problems, climateCorrectionProblems: problems, deviationProblems: problems };

/** @type {Record<string, Shape>} */
const alertShape = {
  id: 'number', site: 'string', device: 'string', rule: 'string', ruleType: 'string', quantity: 'string',
  severity: oneOf('info', 'warning', 'critical'), state: oneOf('open', 'acknowledged', 'resolved'),
  start: 'string', opened: 'string', resolved: nullable('string'), measured: figure, expected: figure, unit: 'string', summary: 'string',
  acknowledgedBy: nullable('string'), ackComment: nullable('string'), acknowledged: nullable('string'),
};

/** @type {Record<string, { method: 'get', path: string, shape: Shape }>} */
export const CONTRACT = {
  sites: {
    method: 'get',
    path: '/api/sites',
    shape: arrayOf({
      id: 'string', name: 'string', usage: 'string', city: nullable('string'), floorAreaM2: 'number', timezone: 'string',
      devices: arrayOf({ id: 'string', name: 'string', kind: 'string', quantities: arrayOf({ name: 'string', unit: 'string', kind: 'string' }) }),
    }),
  },
  latest: {
    method: 'get',
    path: '/api/sites/{site}/latest',
    shape: { site: 'string', values: arrayOf({ device: 'string', quantity: 'string', value: 'number', tsMs: 'number' }) },
  },
  series: {
    method: 'get',
    path: '/api/sites/{site}/series',
    shape: { kind: oneOf('instantaneous', 'cumulative'), unit: 'string', buckets: arrayOf({ startMs: 'number', count: 'number' }) },
  },
  rejections: {
    method: 'get',
    path: '/api/ingest/rejections',
    shape: arrayOf({ receivedMs: 'number', topic: 'string', reason: 'string', detail: 'string' }),
  },
  health: {
    method: 'get',
    path: '/api/health',
    shape: {
      status: oneOf('ok', 'degraded', 'down'),
      broker: { connected: 'boolean' },
      store: { ok: 'boolean' },
      writePath: { storeUp: 'boolean', acknowledging: 'boolean', spoolBytes: 'number', spoolMaxBytes: 'number', spoolReadings: 'number' },
    },
  },
  compare: {
    method: 'get',
    path: '/api/compare',
    shape: {
      from: 'string',
      to: 'string',
      rankBy: 'string',
      sites: arrayOf({ site: 'string', rank: nullable('integer'), status, coverage, ...flatKpis, ...whyMissing, decretTertiaire: decret }),
    },
  },
  kpis: {
    method: 'get',
    path: '/api/sites/{site}/kpis',
    shape: { from: 'string', to: 'string', status, coverage, kpis: flatKpis, ...whyMissing, decretTertiaire: decret, cusum: nullable(arrayOf({ date: 'string', cusumKWh: 'number', known: 'boolean' })) },
  },
  baseline: {
    method: 'get',
    path: '/api/sites/{site}/baseline',
    shape: {
      referencePeriod: nullable({ from: 'string', to: 'string' }),
      fitted: 'boolean',
      accepted: 'boolean',
      problems,
      fitQuality: nullable({ monthly: { cvRmsePct: figure, nmbePct: figure } }),
      days: arrayOf({ date: 'string', dayType: oneOf('working', 'weekend', 'holiday', 'closure'), actualKWh: figure, expectedKWh: figure, expectedLowKWh: figure, expectedHighKWh: figure }),
      months: arrayOf({ month: 'string', days: 'integer', actualKWh: figure, expectedKWh: figure, measuredDays: 'integer' }),
    },
  },
  degreeDays: {
    method: 'get',
    path: '/api/sites/{site}/degree-days',
    shape: {
      baseC: 'number', totalHddC: figure, totalCddC: figure, daysUsed: 'integer', problems,
      days: arrayOf({ date: 'string', tMeanC: figure, hddC: figure, cddC: figure }),
    },
  },
  hourlyEnergy: {
    method: 'get',
    path: '/api/sites/{site}/hourly-energy',
    shape: {
      from: 'string', to: 'string', problems,
      days: arrayOf({ date: 'string', dayType: oneOf('working', 'weekend', 'holiday', 'closure'), kWh: arrayOf(figure) }),
    },
  },
  hourlyBaseline: {
    method: 'get',
    path: '/api/sites/{site}/hourly-baseline',
    shape: {
      from: 'string', to: 'string', problems, minSlotWeeks: 'integer', referencePeriod: nullable({ from: 'string', to: 'string' }),
      hours: arrayOf({
        date: 'string', hour: 'integer', dayType: oneOf('working', 'weekend', 'holiday', 'closure'), actualKWh: figure, expectedKWh: figure, lowKWh: figure, highKWh: figure,
        slotWeeks: 'integer', noExpected: nullable(oneOf('no-profile', 'unusual-day', 'few-weeks', 'repeated-hour', 'skipped-hour')),
      }),
    },
  },
  // The overview page (issue 13 point 3): every visible site in one answer.
  overview: {
    method: 'get',
    path: '/api/overview',
    shape: {
      staleAfterMs: 'integer', alertsAvailable: 'boolean',
      sites: arrayOf({
        site: 'string', status: oneOf('ok', 'computing'),
        today: nullable({
          from: 'string', until: 'string', elapsedHours: 'integer', finalKWh: figure, finalMeasuredHours: 'integer',
          carriers: arrayOf({ carrier: oneOf('electricity', 'gas', 'heat', 'water'), unit: 'string', value: figure, measuredHours: 'integer' }),
          baseline: {
            status: oneOf('ok', 'unavailable', 'computing'), comparedHours: 'integer', actualKWh: figure, expectedKWh: figure, lowKWh: figure, highKWh: figure,
            deviationPct: figure, withinBand: nullable('boolean'), problems,
          },
        }),
        month: nullable({ from: 'string', kWh: figure, kWhPerM2: figure, coverage, problems }),
        power: nullable(arrayOf({ device: 'string', valueW: 'number', at: 'string' })),
        alerts: { open: { info: 'integer', warning: 'integer', critical: 'integer' }, acknowledged: 'integer' },
        devices: nullable({ total: 'integer', silent: arrayOf({ device: 'string', name: nullable('string'), lastReading: 'string' }), neverReported: arrayOf({ device: 'string', name: nullable('string') }) }),
      }),
    },
  },
  // Alerts page (issue 13 point 3): one alert with its history and the hourly data around it.
  alertDetail: {
    method: 'get',
    path: '/api/alerts/{id}',
    shape: {
      alert: alertShape,
      history: arrayOf({ at: nullable('string'), kind: 'string', by: nullable('string') }),
      data: { quantity: 'string', buckets: arrayOf({ start: nullable('string'), mean: 'number', min: 'number', max: 'number', count: 'number' }) },
    },
  },
  decret: {
    method: 'get',
    path: '/api/sites/{site}/decret',
    shape: {
      site: 'string',
      status: oneOf('on-track', 'behind', 'insufficient-data', 'not-configured'),
      statusYear: nullable('integer'),
      referenceYear: nullable('integer'),
      referenceKWh: figure,
      referenceSource: nullable(oneOf('config', 'measured')),
      milestones: arrayOf({ year: 'integer', reductionPct: 'number', relativeTargetKWh: figure, absoluteTargetKWh: figure, targetKWh: figure }),
      years: arrayOf({ year: 'integer', measuredKWh: figure, measuredSharePct: 'number', targetKWh: figure, status: oneOf('on-track', 'behind', 'insufficient-data') }),
      problems,
    },
  },
  error: {
    method: 'get',
    path: '(every error)',
    shape: { statusCode: 'integer', message: 'string', code: 'string', params: {} },
  },
};

/**
 * Routes whose 200 answer has no schema in the OpenAPI document yet (the alert list shares its
 * route with the CSV export; users, tokens and silences declare none), so the contract test cannot
 * hold them to one: their shapes are checked on every answer only.
 * @type {Record<string, { method: 'get', path: string, shape: Shape }>}
 */
export const UNDOCUMENTED = {
  alerts: { method: 'get', path: '/api/alerts', shape: { alerts: arrayOf(alertShape) } },
  silences: { method: 'get', path: '/api/silences', shape: { silences: arrayOf({ id: 'integer', site: 'string', device: nullable('string'), from: 'string', to: 'string', reason: 'string', createdBy: 'string' }) } },
  users: { method: 'get', path: '/api/users', shape: { users: arrayOf({ id: 'integer', email: 'string', role: oneOf('admin', 'working-group', 'site-manager'), sites: arrayOf('string'), disabled: 'boolean' }) } },
  tokens: { method: 'get', path: '/api/tokens', shape: { tokens: arrayOf({ id: 'integer', name: 'string', created: 'string', lastUsed: nullable('string'), revoked: nullable('string') }) } },
};

/** Buckets of a series: the figure the charts draw is the mean (instantaneous) or the consumption (cumulative). */
export const SERIES_BUCKET_VALUE = { instantaneous: 'mean', cumulative: 'consumption' };

/**
 * Collects at most 5 mismatches: enough to see what drifted, without a wall of text.
 * @param {unknown} value
 * @param {Shape} shape
 * @param {string} path
 * @param {string[]} out
 */
function walk(value, shape, path, out) {
  if (out.length >= 5) return;
  if (typeof shape === 'string') {
    const ok = shape === 'integer' ? Number.isInteger(value) : shape === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === shape;
    if (!ok) out.push(`${path}: expected ${shape}, got ${value === null ? 'null' : typeof value}`);
    return;
  }
  if ('nullable' in shape && Object.keys(shape).length === 1) {
    if (value !== null) walk(value, /** @type {Shape} */ (shape.nullable), path, out);
    return;
  }
  if ('arrayOf' in shape && Object.keys(shape).length === 1) {
    if (!Array.isArray(value)) out.push(`${path}: expected an array, got ${value === null ? 'null' : typeof value}`);
    else value.forEach((v, i) => walk(v, /** @type {Shape} */ (shape.arrayOf), `${path}[${i}]`, out));
    return;
  }
  if ('oneOf' in shape && Array.isArray(shape.oneOf)) {
    if (!shape.oneOf.includes(/** @type {string} */ (value))) out.push(`${path}: expected one of ${shape.oneOf.join(', ')}, got ${JSON.stringify(value)}`);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${path}: expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
    return;
  }
  for (const [field, sub] of Object.entries(shape)) {
    if (out.length >= 5) return;
    const record = /** @type {Record<string, unknown>} */ (value);
    if (!(field in record)) out.push(`${path}.${field}: missing`);
    else walk(record[field], /** @type {Shape} */ (sub), `${path}.${field}`, out);
  }
}

export class ContractError extends Error {
  /** @param {string} name @param {string[]} mismatches */
  constructor(name, mismatches) {
    super(`the ${name} answer does not have the expected shape: ${mismatches.join('; ')}`);
    this.name = 'ContractError';
    this.mismatches = mismatches;
  }
}

/**
 * The answer as it is, once it has the shape the dashboard reads; throws ContractError otherwise.
 * @template T
 * @param {keyof typeof CONTRACT | keyof typeof UNDOCUMENTED} name
 * @param {T} body
 * @returns {T}
 */
export function checkShape(name, body) {
  /** @type {string[]} */
  const mismatches = [];
  walk(body, (CONTRACT[name] ?? UNDOCUMENTED[name]).shape, '$', mismatches);
  if (mismatches.length > 0) throw new ContractError(name, mismatches);
  return body;
}
