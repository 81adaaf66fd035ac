import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problems } from '../analytics-answers.js';
import { AnalyticsCache } from '../analytics-cache.js';
import type { AnalyticsGate } from '../analytics-gate.js';
import { PRECISION, toCsv, type CsvCell, type CsvColumn } from '../csv.js';
import { decretTrajectoryResponse, operatResponse } from '../decret-schemas.js';
import type { AppDeps } from '../deps.js';
import { badRequest } from '../errors.js';
import { problemOf } from '../problems.js';
import { analyticsErrorResponses, siteParams } from '../schemas.js';
import { findSite } from '../site-catalog.js';

type Energy = NonNullable<AppDeps['energy']>;

/** Twenty calendar years per request: a reference year of 2010 against today, not an unbounded scan. */
export const MAX_OPERAT_YEARS = 20;
const year = z.string().max(4).regex(/^20\d\d$/, 'must be a year such as 2025').transform(Number);
const format = z.enum(['json', 'csv']).optional().describe('csv: the table as a CSV download');
const operatQuery = z.strictObject({
  fromYear: year.optional().describe('First calendar year (default: the Décret reference year, or 4 years before toYear)'),
  toYear: year.optional().describe('Last calendar year (default: the last complete year)'),
  format,
});
const decretQuery = z.strictObject({ format });
const BASIS = 'raw measured final energy per calendar year (OPERAT applies its own climate adjustment to what is declared)';
const NOTES = [
  'One row per energy carrier and calendar year: the final energy to declare on OPERAT by 30 September of the next year.',
  'Gas in kWh PCS from the metered m3 with the conversion factor named in each row; water is not energy and is left out.',
  'A figure is stated only when at least the required share of the year\'s hours is measured (coverage); estimatedSharePct is the part spread over gaps.',
];

function sendCsv(reply: FastifyReply, name: string, columns: readonly CsvColumn[], rows: CsvCell[][]) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(toCsv(columns, rows));
}

/**
 * The Décret tertiaire trajectory of a site and its yearly OPERAT export (issue 13, point 3).
 * Both read whole calendar years through the analytics' per-year cache.
 */
export const decretRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; energy: Energy; gate: AnalyticsGate }> = async (app, { deps, energy, gate }) => {
  const cache = new AnalyticsCache(deps.analyticsCacheMs ?? 60_000, deps.now, gate);

  app.get(
    '/api/sites/:site/decret',
    { schema: { summary: 'Décret tertiaire trajectory: reference year, measured years, 2030/2040/2050 targets, status', tags: ['analytics'], params: siteParams, querystring: decretQuery, response: { 200: decretTrajectoryResponse, ...analyticsErrorResponses } } },
    async (request, reply) => {
      const site = findSite(deps.config, request.params.site);
      const t = await cache.get(`decret|${site.id}`, () => energy.decretTrajectory(site.id));
      const body: z.infer<typeof decretTrajectoryResponse> = t
        ? { ...t, basis: BASIS, problems: problems(t.problems) }
        : { site: site.id, status: 'not-configured', statusYear: null, referenceYear: null, referenceKWh: null, referenceSource: null, floorAreaM2: site.floorAreaM2, basis: BASIS, milestones: [], years: [], problems: [problemOf('decret-not-configured', { site: site.id })] };
      if (request.query.format === 'csv') {
        const { kWh, pct } = PRECISION;
        const columns = [{ name: 'year' }, { name: 'kind' }, { name: 'measuredKWh', decimals: kWh }, { name: 'measuredSharePct', decimals: pct }, { name: 'relativeTargetKWh', decimals: kWh }, { name: 'absoluteTargetKWh', decimals: kWh }, { name: 'targetKWh', decimals: kWh }, { name: 'status' }];
        const rows: CsvCell[][] = [
          ...(body.referenceYear !== null ? [[body.referenceYear, `reference-${body.referenceSource ?? 'missing'}`, body.referenceKWh, null, null, null, null, null]] : []),
          ...body.years.map((y) => [y.year, 'measured', y.measuredKWh, y.measuredSharePct, y.relativeTargetKWh, y.absoluteTargetKWh, y.targetKWh, y.status]),
          ...body.milestones.map((m) => [m.year, 'milestone', null, null, m.relativeTargetKWh, m.absoluteTargetKWh, m.targetKWh, null]),
        ];
        return sendCsv(reply, `decret-tertiaire_${site.id}`, columns, rows);
      }
      return body;
    },
  );

  app.get(
    '/api/sites/:site/operat',
    { schema: { summary: 'Yearly OPERAT export: final energy per carrier and calendar year, with coverage', tags: ['analytics'], params: siteParams, querystring: operatQuery, response: { 200: operatResponse, ...analyticsErrorResponses } } },
    async (request, reply) => {
      const site = findSite(deps.config, request.params.site);
      const toYear = request.query.toYear ?? energy.lastCompleteYear(site.id);
      const fromYear = request.query.fromYear ?? Math.max(site.decretTertiaire?.referenceYear ?? toYear - 4, toYear - (MAX_OPERAT_YEARS - 1));
      if (fromYear > toYear) throw badRequest('querystring', 'fromYear', `must be on or before toYear (${toYear})`, problemOf('year-range', { fromYear, toYear, maxYears: MAX_OPERAT_YEARS }));
      if (toYear - fromYear + 1 > MAX_OPERAT_YEARS) throw badRequest('querystring', 'toYear', `at most ${MAX_OPERAT_YEARS} years`, problemOf('year-range', { fromYear, toYear, maxYears: MAX_OPERAT_YEARS }));
      const years = await cache.get(`operat|${site.id}|${fromYear}|${toYear}`, () => energy.energyYears(site.id, fromYear, toYear));
      const gas = energy.gasConversion();
      const rows = years.flatMap((y) =>
        y.carriers.map((c) => ({
          year: y.year,
          carrier: c.carrier,
          meterUnit: c.meterUnit,
          meterTotal: c.meterTotal,
          finalEnergyKWh: c.finalKWh,
          conversionFactorKWhPerUnit: c.factor,
          conversionSource: c.carrier === 'gas' ? gas.source : null,
          coverage: c.coverage,
          estimatedSharePct: c.estimatedSharePct,
          status: c.coverage.sufficient ? ('ok' as const) : ('insufficient-data' as const),
          declarationDue: `${y.year + 1}-09-30`,
        })),
      );
      const noMeter = rows.length === 0 ? [problemOf('no-energy-meter', { site: site.id })] : [];
      if (request.query.format === 'csv') {
        const { kWh, pct } = PRECISION;
        const columns: CsvColumn[] = [
          { name: 'site' }, { name: 'year' }, { name: 'carrier' }, { name: 'meterUnit' }, { name: 'meterTotal', decimals: kWh }, { name: 'finalEnergyKWh', decimals: kWh },
          { name: 'conversionFactorKWhPerUnit' }, { name: 'conversionSource' }, { name: 'measuredHours', decimals: 2 }, { name: 'expectedHours' }, { name: 'measuredSharePct', decimals: pct },
          { name: 'estimatedSharePct', decimals: pct }, { name: 'status' }, { name: 'declarationDue' },
        ];
        const cells = rows.map((r) => [
          site.id, r.year, r.carrier, r.meterUnit, r.meterTotal, r.finalEnergyKWh, r.conversionFactorKWhPerUnit, r.conversionSource, r.coverage.measuredHours, r.coverage.expectedHours,
          r.coverage.measuredSharePct, r.estimatedSharePct, r.status, r.declarationDue,
        ]);
        return sendCsv(reply, `operat_${site.id}_${fromYear}-${toYear}`, columns, cells);
      }
      return { site: site.id, name: site.name, floorAreaM2: site.floorAreaM2, fromYear, toYear, gasConversion: gas, notes: NOTES, rows, problems: noMeter };
    },
  );
};
