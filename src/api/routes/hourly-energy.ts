import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { coverageProblem } from '../../energy/coverage.js';
import { problems } from '../analytics-answers.js';
import { coverageSchema } from '../analytics-schemas.js';
import { PRECISION, toCsv } from '../csv.js';
import type { AppDeps } from '../deps.js';
import { badRequest } from '../errors.js';
import { parsePeriod } from '../period-request.js';
import { problemList, problemOf } from '../problems.js';
import { analyticsErrorResponses, siteParams } from '../schemas.js';
import { findSite } from '../site-catalog.js';
import type { AnalyticsGate } from '../analytics-gate.js';

type Energy = NonNullable<AppDeps['energy']>;

/** A year and a day: one carpet of 8,784 cells is what a screen can show; longer periods are refused. */
export const MAX_GRID_DAYS = 366;

const date = z.string().max(10, 'must be a date YYYY-MM-DD').describe('Local date YYYY-MM-DD, included');
const query = z.strictObject({ from: date.optional(), to: date.optional(), format: z.enum(['json', 'csv']).optional().describe('csv: one row per day, one column per hour') });

export const hourlyEnergyResponse = z.object({
  site: z.string(),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  unit: z.literal('kWh'),
  coverage: coverageSchema,
  problems: problemList.describe('no-energy-meter, or insufficient-coverage when no hour of the period is measured'),
  days: z.array(
    z.object({
      date: z.string().describe('Local date YYYY-MM-DD'),
      dayType: z.enum(['working', 'weekend', 'holiday', 'closure']),
      kWh: z
        .array(z.number().nullable())
        .length(24)
        .describe('Final energy per local wall-clock hour 0…23; null when not fully measured. Autumn DST: the repeated hour holds both; spring DST: the skipped hour is null'),
    }),
  ),
});

/**
 * Final energy per local hour and day of a site (issue 13, point 3: the carpet plot of the site
 * page). The figures are the analytics' own hourly consumption (counters, gaps, gas converted),
 * not a second computation from raw readings.
 */
export const hourlyEnergyRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; energy: Energy; gate: AnalyticsGate }> = async (app, { deps, energy, gate }) => {
  app.get(
    '/api/sites/:site/hourly-energy',
    {
      schema: {
        summary: 'Final energy per local hour and day (carpet plot)',
        tags: ['analytics'],
        params: siteParams,
        querystring: query,
        response: { 200: hourlyEnergyResponse, ...analyticsErrorResponses },
      },
    },
    async (request, reply) => {
      const site = findSite(deps.config, request.params.site);
      const period = parsePeriod(request.query, deps.now(), site.timezone);
      const days = Math.round((Date.parse(period.to) - Date.parse(period.from)) / 86_400_000) + 1;
      if (days > MAX_GRID_DAYS) {
        throw badRequest('querystring', 'to', `the period may span at most ${MAX_GRID_DAYS} days`, problemOf('period-too-long', { days, maxDays: MAX_GRID_DAYS }));
      }
      const grid = await gate.run(() => energy.hourlyGrid(site.id, period));
      if (request.query.format === 'csv') {
        const hours = Array.from({ length: 24 }, (_, h) => ({ name: `h${String(h).padStart(2, '0')}`, decimals: PRECISION.kWh }));
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="hourly-energy_${site.id}_${period.from}_${period.to}.csv"`)
          .send(toCsv([{ name: 'date' }, { name: 'dayType' }, ...hours], grid.days.map((d) => [d.date, d.dayType, ...d.kWh])));
      }
      const why =
        grid.meters === 0
          ? [problemOf('no-energy-meter', { site: site.id })]
          : grid.coverage.measuredHours === 0
            ? problems([coverageProblem(grid.coverage)])
            : [];
      return { site: site.id, from: period.from, to: period.to, timezone: site.timezone, unit: 'kWh' as const, coverage: grid.coverage, problems: why, days: grid.days };
    },
  );
};
