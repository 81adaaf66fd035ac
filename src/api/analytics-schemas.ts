import { z } from 'zod';
import { SITE_USAGES } from '../config/quantities.js';
import { problemList } from './problems.js';

/**
 * Response schemas of the analytics routes. The serializer checks every answer against them (a
 * drifted answer is a 500, not a silent change) and /docs publishes them: the dashboard's contract
 * (dashboard/lib/contract.js) is tested against this OpenAPI document (test/unit/api/contract.test.ts).
 * A figure is a number or null, never NaN: null always comes with the problems saying why.
 */
const figure = z.number().nullable();
const date = z.string().describe('Local date YYYY-MM-DD');

export const coverageSchema = z
  .object({
    measuredHours: z.number().describe('Hours fully measured by every energy meter, none estimated'),
    expectedHours: z.number().describe('Hours of the period (23 and 25 on DST days)'),
    estimatedHours: z.number().describe('Hours covered only by a gap spread linearly'),
    measuredSharePct: z.number(),
    requiredSharePct: z.number().describe('The coverage rule: below it no energy figure is stated'),
    sufficient: z.boolean(),
  })
  .meta({ id: 'Coverage' });

const status = z.enum(['ok', 'insufficient-data']);

export const flatKpisSchema = z
  .object({
    measuredSharePct: z.number(),
    finalEnergyKWh: figure,
    kWhPerM2: figure,
    climateCorrectedKWhPerM2: figure,
    climateCorrectedKWh: figure,
    electricityKWh: figure,
    gasM3: figure,
    heatKWh: figure,
    waterM3: figure,
    deviationKWh: figure,
    deviationPct: figure,
    deviationInReferenceDays: z
      .number()
      .int()
      .nullable()
      .describe("Of the days the deviation compares, those inside the baseline's reference period: the model was fitted on them, so the deviation there is near 0 by construction (in-sample)"),
    baselineMonthlyCvRmsePct: figure,
    baselineMonthlyNmbePct: figure,
    baseloadKW: figure,
    outOfHoursSharePct: figure,
    hddC: figure,
    cddC: figure,
  })
  .meta({ id: 'FlatKpis' });

export const decretSchema = z
  .object({
    status: z.enum(['on-track', 'behind', 'insufficient-data']),
    referenceYear: z.number().int(),
    referenceKWh: figure,
    referenceForPeriodKWh: figure.describe('Reference consumption prorated to the period'),
    targetKWh: figure,
    actualKWh: figure,
    gapKWh: figure.describe('actual − target: positive is above the trajectory'),
    reductionTargetPct: figure,
    reductionAchievedPct: figure,
    periodShare: figure.describe("The period's share of a year's expected consumption"),
    proration: z.enum(['calendar-year', 'baseline-expected']).nullable(),
    milestones: z.array(z.object({ year: z.number().int(), reductionPct: z.number(), targetKWh: z.number() })),
    problems: problemList,
  })
  .meta({ id: 'DecretTertiaire' });

/** What the site's figures lack, per figure: empty lists when stated. */
const whyMissing = {
  problems: problemList.describe('Site-level: no meter, or too few measured hours'),
  baselineProblems: problemList,
  climateCorrectionProblems: problemList,
  deviationProblems: problemList,
};

export const compareResponse = z.object({
  from: date,
  to: date,
  rankBy: z.string(),
  sites: z.array(
    z.object({
      site: z.string(),
      name: z.string(),
      usage: z.enum(SITE_USAGES),
      floorAreaM2: z.number(),
      rank: z.number().int().nullable().describe('1 = lowest; null without a figure (insufficient data)'),
      status,
      coverage: coverageSchema,
      ...flatKpisSchema.shape,
      ...whyMissing,
      baselineAccepted: z.boolean().nullable(),
      decretTertiaire: decretSchema.nullable(),
    }),
  ),
});

export const kpisResponse = z.object({
  site: z.string(),
  from: date,
  to: date,
  status,
  coverage: coverageSchema,
  kpis: flatKpisSchema,
  ...whyMissing,
  decretTertiaire: decretSchema.nullable(),
  climateCorrection: z
    .object({ kWh: z.number(), kWhPerM2: z.number(), heatingKWh: z.number(), actualDju: z.number(), referenceDju: z.number(), reference: z.enum(['normal-year', 'baseline-period']) })
    .nullable(),
  cusum: z.array(z.object({ date, cusumKWh: z.number(), known: z.boolean() })).nullable(),
  calendarSource: z.enum(['config', 'default']),
  nonWorkingCandidates: z.array(z.object({ date, energyKWh: z.number(), holiday: z.string().optional() })).nullable().describe('Weekdays that look like non-working days (no calendar configured)'),
  correctionCount: z.number().int(),
});

const fitMetrics = z.object({ n: z.number().int(), p: z.number().int(), cvRmsePct: figure, nmbePct: figure, r2: figure });
const segmentModel = z.object({
  kind: z.enum(['intercept-only', 'heating-only', 'cooling-only', 'heating-cooling']),
  interceptKWh: z.number(),
  heatingKWhPerDegreeDay: z.number(),
  coolingKWhPerDegreeDay: z.number(),
  heatingBalanceC: figure,
  coolingBalanceC: figure,
  r2: figure,
  adjR2: figure,
  n: z.number().int(),
  p: z.number().int(),
});

export const baselineResponse = z.object({
  site: z.string(),
  from: date,
  to: date,
  referencePeriod: z.object({ from: date, to: date }).nullable(),
  fitted: z.boolean(),
  accepted: z.boolean(),
  problems: problemList,
  model: z.object({ segmentation: z.enum(['single', 'working/non-working']), working: segmentModel, nonWorking: segmentModel, parameters: z.number().int(), daysUsed: z.number().int() }).nullable(),
  fitQuality: z.object({ criteria: z.string(), daily: fitMetrics, monthly: fitMetrics }).nullable(),
  days: z.array(
    z.object({
      date,
      dayType: z.enum(['working', 'weekend', 'holiday', 'closure']),
      actualKWh: figure,
      expectedKWh: figure,
      expectedLowKWh: figure.describe('expectedKWh − 1.96 × daily RMSE of the fit (not below 0): about 95 % of reference days fall in the band'),
      expectedHighKWh: figure.describe('expectedKWh + 1.96 × daily RMSE of the fit'),
      tMeanC: figure,
    }),
  ),
  months: z
    .array(z.object({ month: z.string().describe('YYYY-MM'), days: z.number().int().describe('Days of the month inside the period'), actualKWh: figure, expectedKWh: figure, measuredDays: z.number().int() }))
    .describe('The days summed per calendar month; a figure is null unless every day of the month inside the period has one'),
  hourOfWeekProfile: z.array(z.object({ slot: z.number().int(), median: figure, p10: figure, p90: figure, count: z.number().int() })).nullable(),
});

export const degreeDaysResponse = z.object({
  site: z.string(),
  from: date,
  to: date,
  method: z.enum(['meteo', 'costic']),
  baseC: z.number(),
  temperatureSource: z.object({ site: z.string().optional(), device: z.string(), quantity: z.string() }).nullable(),
  problems: problemList,
  totalHddC: figure,
  totalCddC: figure,
  daysUsed: z.number().int(),
  daysOmitted: z.array(date),
  days: z.array(z.object({ date, hours: z.number().int(), tMinC: figure, tMaxC: figure, tMeanC: figure, hddC: figure, cddC: figure, sufficient: z.boolean(), reason: z.string().optional() })),
});

export const correctionsResponse = z.object({
  site: z.string(),
  from: date,
  to: date,
  corrections: z.array(z.object({ device: z.string(), quantity: z.string(), at: z.string(), kind: z.enum(['reset', 'negative-step', 'spike', 'gap-estimated']), detail: z.string(), valueBefore: figure, valueAfter: figure })),
});
