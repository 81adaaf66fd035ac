import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CODES } from '../../../src/api/problems.js';
import { configSchema } from '../../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { idleWriteStatus } from '../../helpers/app-deps.js';
import { buildings, hours, leadConfig, readingsOf } from '../energy/helpers/lead-fixtures.js';
import { SqliteStateStore } from '../../../src/storage/state/sqlite-state-store.js';
import { answerTypes, type OpenApiDocument } from '../../helpers/openapi-types.js';
import { FakeStore } from './fake-store.js';
import { buildAppWithAccounts } from './helpers.js';

// The dashboard's expectations (dashboard/lib/contract.js) against the OpenAPI schema the server
// publishes at /docs/json, and against real answers over real building data (LEAD/GEPIII fixtures):
// one shape per route, checked on both sides, instead of normalisers that accept any shape.
type Shape = string | { nullable: Shape } | { arrayOf: Shape } | { oneOf: string[] } | { [field: string]: Shape };
interface ContractModule {
  CONTRACT: Record<string, { method: 'get'; path: string; shape: Shape }>;
  SERIES_BUCKET_VALUE: Record<string, string>;
  checkShape(name: string, body: unknown): unknown;
}
type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; type?: string };
const dashboardModule = async <T>(path: string): Promise<T> => (await import(new URL(`../../../dashboard/${path}`, import.meta.url).href)) as T;

let contract: ContractModule;
let app: FastifyInstance;
// The alert routes are registered with a state store only (app.ts): their schemas are in /docs/json then.
const state = new SqliteStateStore({ dataDir: ':memory:' });
let spec: { paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }>; components: { schemas: Record<string, Schema> } };

function resolve(schema: Schema): Schema {
  let s = schema;
  for (;;) {
    if (typeof s.$ref === 'string') s = { ...spec.components.schemas[s.$ref.split('/').pop()!]!, ...(s.nullable ? { nullable: true } : {}) };
    else if (Array.isArray(s.allOf) && s.allOf.length === 1) s = { ...(s.allOf[0] as Schema), ...(s.nullable ? { nullable: true } : {}) };
    else return s;
  }
}

/** Every way the schema says the field may be (oneOf/anyOf variants), and whether null is one of them. */
function variants(schema: Schema): { list: Schema[]; nullable: boolean } {
  const s = resolve(schema);
  const alternatives = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  const list = (alternatives ?? [s]).map(resolve).filter((v) => v.type !== 'null');
  return { list, nullable: s.nullable === true || (alternatives ?? []).some((v) => resolve(v).type === 'null') };
}

/** Where the dashboard's shape asks for more than the schema promises. */
function conforms(shape: Shape, schema: Schema, path: string, out: string[]): void {
  const { list, nullable } = variants(schema);
  const isNullable = typeof shape === 'object' && 'nullable' in shape && Object.keys(shape).length === 1;
  if (nullable && !isNullable) out.push(`${path}: the API may send null; the dashboard does not expect it`);
  const inner = isNullable ? (shape as { nullable: Shape }).nullable : shape;
  for (const v of list) {
    if (typeof inner === 'string') {
      const ok = v.type === inner || (inner === 'number' && v.type === 'integer');
      if (!ok) out.push(`${path}: the dashboard expects ${inner}, the API gives ${String(v.type)}`);
    } else if ('oneOf' in inner && Array.isArray(inner.oneOf)) {
      const unknown = (v.enum ?? ['(any string)']).filter((e) => !(inner.oneOf as unknown[]).includes(e));
      if (unknown.length > 0) out.push(`${path}: the API may send ${unknown.join(', ')}, which the dashboard does not handle`);
    } else if ('arrayOf' in inner && Object.keys(inner).length === 1) {
      if (v.type !== 'array' || !v.items) out.push(`${path}: the dashboard expects an array, the API gives ${String(v.type)}`);
      else conforms(inner.arrayOf as Shape, v.items, `${path}[]`, out);
    } else {
      if (v.type !== 'object') out.push(`${path}: the dashboard expects an object, the API gives ${String(v.type)}`);
      for (const [field, sub] of Object.entries(inner as Record<string, Shape>)) {
        const prop = v.properties?.[field];
        if (!prop) out.push(`${path}.${field}: not in the API's schema`);
        else {
          if (!v.required?.includes(field)) out.push(`${path}.${field}: optional in the API's schema`);
          conforms(sub, prop, `${path}.${field}`, out);
        }
      }
    }
  }
}

function responseSchema(path: string, status: string): Schema {
  const schema = spec.paths[path]?.get.responses[status]?.content['application/json']?.schema;
  if (!schema) throw new Error(`no ${status} JSON response documented for GET ${path}`);
  return schema;
}

const CHOSEN = buildings().filter((b) => ['118', '254'].includes(b.id));
const NOW_MS = Date.parse('2017-01-15T12:00:00Z');

beforeAll(async () => {
  contract = await dashboardModule<ContractModule>('lib/contract.js');
  const lead = leadConfig(CHOSEN);
  const config = configSchema.parse({
    ...lead,
    sites: [
      // b118 reports on the Décret tertiaire, with 2016 as its own reference year.
      { ...lead.sites[0]!, decretTertiaire: { referenceYear: 2016, referenceConsumptionKWh: CHOSEN[0]!.annualKWh * 1.1 } },
      ...lead.sites.slice(1),
      { id: 'no-data-yet', name: 'Nouveau site', usage: 'office', floorAreaM2: 900, decretTertiaire: { referenceYear: 2015, referenceConsumptionKWh: 1e5 }, devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'fixture-secret' }] },
    ],
  });
  const store = new FakeStore();
  for (const b of CHOSEN) store.add(...readingsOf(b, hours(b.id)));
  const write = idleWriteStatus();
  // Through the real auth plugin, as the admin with a real API token (helpers.ts).
  await state.start();
  ({ app } = await buildAppWithAccounts({
    config,
    store,
    state,
    ingest: {
      status: () => ({ mode: 'embedded', connected: true, endpoint: 'mqtt://127.0.0.1:1883', lastMessageMs: null }),
      rejections: () => [{ receivedMs: NOW_MS - 1000, topic: 'sites/b118/devices/meter', reason: 'invalid-value', detail: '"energy_kwh": value "x" is not a finite number', site: 'b118', device: 'meter', payloadExcerpt: '{"energy_kwh":"x"}' }],
    },
    writer: { status: () => write },
    metrics: createMetrics(),
    logger: createLogger('silent'),
    now: () => NOW_MS,
    energy: new EnergyAnalyticsService({ config, query: store }),
  }));
  spec = (await app.inject('/docs/json')).json();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await state.stop();
});

describe("the dashboard's contract against the OpenAPI schema", () => {
  it('asks of every route only what its documented answer promises', () => {
    for (const [name, entry] of Object.entries(contract.CONTRACT)) {
      const out: string[] = [];
      let schema = name === 'error' ? { $ref: '#/components/schemas/Error' } : responseSchema(entry.path, '200');
      // /api/health answers an anonymous caller `{status: up|down}` only (load balancers); the
      // dashboard asks it once logged in, so its shape is checked against the logged-in variant.
      if (name === 'health') schema = variants(schema).list.find((v) => v.properties?.writePath !== undefined)!;
      conforms(entry.shape, schema, name, out);
      expect(out, name).toEqual([]);
    }
  });

  it('reads the figure of each kind of series bucket where the schema puts it', () => {
    const { list } = variants(responseSchema('/api/sites/{site}/series', '200'));
    expect(list).toHaveLength(2);
    for (const v of list) {
      const kind = String(v.properties!.kind!.enum![0]);
      const bucket = resolve(v.properties!.buckets!.items!);
      const field = contract.SERIES_BUCKET_VALUE[kind]!;
      expect(bucket.properties?.[field]?.type, kind).toBe('number');
      expect(bucket.required, kind).toContain(field);
    }
  });

  it('fails on a field the API does not have, or one it may send as null', () => {
    const out: string[] = [];
    conforms({ sites: { arrayOf: { kWhPerM2: 'number', euiKWhPerM2: 'number' } } }, responseSchema('/api/compare', '200'), 'compare', out);
    expect(out).toEqual(['compare.sites[].kWhPerM2: the API may send null; the dashboard does not expect it', 'compare.sites[].euiKWhPerM2: not in the API\'s schema']);
  });

  it('has a French and an English text for every problem code', async () => {
    for (const lang of ['fr', 'en']) {
      const dict = (await dashboardModule<{ default: { problem: Record<string, string> } }>(`i18n/${lang}.js`)).default;
      expect(PROBLEM_CODES.filter((code) => typeof dict.problem[code] !== 'string'), lang).toEqual([]);
    }
  });
});

/** The answers the dashboard reads, by the name its JSDoc uses (dashboard/types/api.d.ts). */
const ANSWER_TYPES = {
  SitesAnswer: '/api/sites',
  LatestAnswer: '/api/sites/{site}/latest',
  SeriesAnswer: '/api/sites/{site}/series',
  KpisAnswer: '/api/sites/{site}/kpis',
  BaselineAnswer: '/api/sites/{site}/baseline',
  DegreeDaysAnswer: '/api/sites/{site}/degree-days',
  HourlyEnergyAnswer: '/api/sites/{site}/hourly-energy',
  HourlyBaselineAnswer: '/api/sites/{site}/hourly-baseline',
  CompareAnswer: '/api/compare',
  OverviewAnswer: '/api/overview',
  HealthAnswer: '/api/health',
  RejectionsAnswer: '/api/ingest/rejections',
};

describe("the dashboard's types, generated from the OpenAPI schema", () => {
  it('are what dashboard/types/api.d.ts declares (npx vitest -u rewrites it after an API change)', async () => {
    const header = '// Generated from the service\'s OpenAPI document (/docs/json) by test/helpers/openapi-types.ts,\n// checked by test/unit/api/contract.test.ts. Do not edit: change the zod schema, then run\n// `npx vitest run --config test/vitest.config.ts test/unit/api/contract.test.ts -u`.';
    const text = answerTypes(spec as unknown as OpenApiDocument, ANSWER_TYPES, header);
    expect(text).toContain('export type HourlyEnergyAnswer = {');
    await expect(text).toMatchFileSnapshot('../../../dashboard/types/api.d.ts');
  });
});

describe('real answers have the shape the dashboard reads', () => {
  const YEAR = 'from=2016-01-01&to=2016-12-31';
  it.each([
    ['sites', '/api/sites'],
    ['latest', '/api/sites/b118/latest'],
    ['series', '/api/sites/b118/series?device=meter&quantity=energy_kwh&from=2016-06-01&to=2016-06-08&every=1d'],
    ['series', '/api/sites/b118/series?device=weather&quantity=temperature_c&from=2016-06-01&to=2016-06-02&every=1h'],
    ['rejections', '/api/ingest/rejections'],
    ['health', '/api/health'],
    ['compare', `/api/compare?${YEAR}`],
    ['overview', '/api/overview'],
    ['kpis', '/api/sites/b118/kpis?from=2016-01-01&to=2016-01-31'],
    ['kpis', `/api/sites/no-data-yet/kpis?${YEAR}`],
    ['baseline', '/api/sites/b254/baseline?from=2016-07-01&to=2016-07-31'],
    ['baseline', `/api/sites/no-data-yet/baseline?${YEAR}`],
    ['degreeDays', '/api/sites/b118/degree-days?from=2016-01-01&to=2016-03-31'],
    ['degreeDays', `/api/sites/no-data-yet/degree-days?${YEAR}`],
    ['decret', '/api/sites/b118/decret'],
    ['decret', '/api/sites/no-data-yet/decret'],
    ['hourlyEnergy', '/api/sites/b118/hourly-energy?from=2016-03-01&to=2016-03-31'],
    ['hourlyEnergy', `/api/sites/no-data-yet/hourly-energy?${YEAR}`],
    ['hourlyBaseline', '/api/sites/b118/hourly-baseline?from=2016-03-01&to=2016-03-31'],
    ['hourlyBaseline', '/api/sites/no-data-yet/hourly-baseline?from=2016-01-01&to=2016-01-31'],
    ['error', '/api/sites/nowhere/kpis'],
    ['error', '/api/compare?from=2016-13-01'],
  ])('%s: %s', async (name, url) => {
    const response = await app.inject(url);
    expect(response.statusCode).toBe(name === 'error' ? (url.includes('nowhere') ? 404 : 400) : 200);
    const body = response.json<unknown>();
    expect(() => contract.checkShape(name, body)).not.toThrow();
  });

  it('states the Décret position of a measured site and refuses it for one without data', async () => {
    const body = (await app.inject(`/api/compare?${YEAR}`)).json<{ sites: Array<{ site: string; decretTertiaire: { status: string; reductionAchievedPct: number | null } | null }> }>();
    const measured = body.sites.find((s) => s.site === 'b118')!.decretTertiaire!;
    expect(measured.status).toBe('on-track');
    expect(measured.reductionAchievedPct).toBeCloseTo((1 - 1 / 1.1) * 100, 1);
    expect(body.sites.find((s) => s.site === 'no-data-yet')!.decretTertiaire).toMatchObject({ status: 'insufficient-data', reductionAchievedPct: null });
  });

  it('rejects an answer that drifted from the contract, naming the field', () => {
    expect(() => contract.checkShape('compare', { from: '2016-01-01', to: '2016-12-31', rankBy: 'kWhPerM2', sites: [{ site: 'b118', rank: 1, kWhPerM2: '12' }] })).toThrow(/\$\.sites\[0\]\.status: missing; \$\.sites\[0\]\.coverage: missing; .*kWhPerM2: expected number, got string/);
    expect(() => contract.checkShape('latest', { site: 'b118', values: [{ device: 'meter', quantity: 'energy_kwh', value: 1, ts: '2016-01-01T00:00:00Z' }] })).toThrow(/\$\.values\[0\]\.tsMs: missing/);
  });
});
