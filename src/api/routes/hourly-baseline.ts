import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { coverageProblem } from '../../energy/coverage.js';
import { localDays } from '../../energy/local-time.js';
import { problems } from '../analytics-answers.js';
import { coverageSchema } from '../analytics-schemas.js';
import { PRECISION, toCsv } from '../csv.js';
import type { AnalyticsGate } from '../analytics-gate.js';
import type { AppDeps } from '../deps.js';
import { badRequest } from '../errors.js';
import { hoursAgainstProfile, MIN_SLOT_WEEKS } from '../hourly-profile-answer.js';
import { parsePeriod } from '../period-request.js';
import { problemList, problemOf, type Problem } from '../problems.js';
import { errorResponses, siteParams } from '../schemas.js';
import { findSite } from '../site-catalog.js';

type Energy = NonNullable<AppDeps['energy']>;

/** A month of hours (744 bars) is what a chart of single hours can show legibly; longer periods are refused. */
export const MAX_HOURLY_DAYS = 31;

const date = z.string().max(10, 'must be a date YYYY-MM-DD').describe('Local date YYYY-MM-DD, included');
const query = z.strictObject({ from: date.optional(), to: date.optional(), format: z.enum(['json', 'csv']).optional().describe('csv: one row per local hour') });
const figure = z.number().nullable();

export const hourlyBaselineResponse = z.object({
  site: z.string(),
  from: z.string(),
  to: z.string(),
  timezone: z.string(),
  unit: z.literal('kWh'),
  referencePeriod: z.object({ from: z.string(), to: z.string() }).nullable().describe('The baseline period the hour-of-week profile is learnt from'),
  minSlotWeeks: z.number().int().describe('Fewest ordinary weeks a slot needs before its expected value and band are stated'),
  band: z.literal('p10-p90').describe('The band is the 10th to 90th percentile of the same hour of the same weekday in the reference period'),
  coverage: coverageSchema,
  problems: problemList.describe('no-baseline-period, no-energy-meter, insufficient-coverage, hourly-profile-few-weeks'),
  hours: z.array(
    z.object({
      date: z.string().describe('Local date YYYY-MM-DD'),
      hour: z.number().int().describe('Local wall-clock hour 0…23'),
      dayType: z.enum(['working', 'weekend', 'holiday', 'closure']),
      actualKWh: figure.describe('Final energy of the hour; null when not fully measured'),
      expectedKWh: figure.describe('Median of the hour-of-week slot in the reference period'),
      lowKWh: figure.describe('P10 of the slot'),
      highKWh: figure.describe('P90 of the slot'),
      slotWeeks: z.number().int().describe('Hours of the reference period in this slot (ordinary weeks seen)'),
      noExpected: z
        .enum(['no-profile', 'unusual-day', 'few-weeks', 'repeated-hour', 'skipped-hour'])
        .nullable()
        .describe('Why expectedKWh is null: no baseline period; a holiday or closure (the profile leaves them out); fewer than minSlotWeeks weeks; the autumn DST hour holding two hours; the spring DST hour that does not exist'),
    }),
  ),
});

/**
 * Final energy per local hour against the hour-of-week profile of the reference period (issue 13,
 * point 3: "consumption by hour … against the baseline band"). The profile is the one the
 * baseline route shows and the rules compare live hours with; the hours are the carpet plot's.
 */
export const hourlyBaselineRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; energy: Energy; gate: AnalyticsGate }> = async (app, { deps, energy, gate }) => {
  app.get(
    '/api/sites/:site/hourly-baseline',
    {
      schema: {
        summary: 'Final energy per local hour against the hour-of-week profile (median, P10–P90) of the reference period',
        tags: ['analytics'],
        params: siteParams,
        querystring: query,
        response: { 200: hourlyBaselineResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const site = findSite(deps.config, request.params.site);
      const period = parsePeriod(request.query, deps.now(), site.timezone);
      const days = localDays(period.from, period.to, site.timezone);
      if (days.length > MAX_HOURLY_DAYS) {
        throw badRequest('querystring', 'to', `the period may span at most ${MAX_HOURLY_DAYS} days`, problemOf('period-too-long', { days: days.length, maxDays: MAX_HOURLY_DAYS }));
      }
      // Through the one analytics gate, as the carpet plot's grid (analytics-gate.ts): CPU work that must not starve ingest.
      const [grid, baseline] = await gate.run(() => Promise.all([energy.hourlyGrid(site.id, period), energy.baseline(site.id)]));
      const profile = baseline.period ? baseline.profile() : null;
      const hours = hoursAgainstProfile(grid.days, days, profile, site.timezone);
      if (request.query.format === 'csv') {
        const kWh = PRECISION.kWh;
        const columns = [{ name: 'date' }, { name: 'hour' }, { name: 'dayType' }, { name: 'actualKWh', decimals: kWh }, { name: 'expectedKWh', decimals: kWh }, { name: 'lowKWh', decimals: kWh }, { name: 'highKWh', decimals: kWh }, { name: 'slotWeeks' }, { name: 'noExpected' }];
        return (reply as FastifyReply)
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="hourly-baseline_${site.id}_${period.from}_${period.to}.csv"`)
          .send(toCsv(columns, hours.map((x) => [x.date, x.hour, x.dayType, x.actualKWh, x.expectedKWh, x.lowKWh, x.highKWh, x.slotWeeks, x.noExpected])));
      }
      const why: Problem[] = [];
      if (!baseline.period) why.push(...problems(baseline.result.ok ? [] : baseline.result.problems));
      if (grid.meters === 0) why.push(problemOf('no-energy-meter', { site: site.id }));
      else if (grid.coverage.measuredHours === 0) why.push(...problems([coverageProblem(grid.coverage)]));
      const thin = hours.filter((x) => x.noExpected === 'few-weeks').length;
      if (thin > 0 && grid.meters > 0) why.push(problemOf('hourly-profile-few-weeks', { hours: thin, minWeeks: MIN_SLOT_WEEKS }));
      return {
        site: site.id,
        from: period.from,
        to: period.to,
        timezone: site.timezone,
        unit: 'kWh' as const,
        referencePeriod: baseline.period,
        minSlotWeeks: MIN_SLOT_WEEKS,
        band: 'p10-p90' as const,
        coverage: grid.coverage,
        problems: why,
        hours,
      };
    },
  );
};
