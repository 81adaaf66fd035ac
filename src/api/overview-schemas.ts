import { z } from 'zod';
import { SEVERITIES } from '../alerts/model.js';
import { coverageSchema } from './analytics-schemas.js';
import { problemList } from './problems.js';

const figure = z.number().nullable();
const instant = z.string().describe('ISO 8601 instant (UTC)');

const todaySchema = z.object({
  date: z.string().describe("Local date YYYY-MM-DD in the site's time zone"),
  from: instant.describe('Local midnight'),
  until: instant.describe('End of the last complete hour: the figures cover [from, until)'),
  elapsedHours: z.number().int().describe('Complete hours since local midnight'),
  carriers: z.array(
    z.object({
      carrier: z.enum(['electricity', 'gas', 'heat', 'water']),
      unit: z.string().describe('kWh for electricity and heat, m3 for gas and water'),
      value: figure.describe('Sum over the measured hours, in `unit`; null when no elapsed hour is measured'),
      measuredHours: z.number().int().describe('Elapsed hours fully measured by this carrier, none estimated'),
    }),
  ),
  finalKWh: figure.describe('Final energy (gas converted with its stated factor, water left out) over the hours every carrier measured'),
  finalMeasuredHours: z.number().int(),
  baseline: z
    .object({
      status: z.enum(['ok', 'unavailable', 'computing']).describe('computing: the profile is being learnt (first request after a start); ask again in a few seconds'),
      referencePeriod: z.object({ from: z.string(), to: z.string() }).nullable(),
      comparedHours: z.number().int().describe('Measured hours of today whose hour-of-week slot has a stated median'),
      actualKWh: figure.describe('Final energy of the compared hours'),
      expectedKWh: figure.describe('Sum of the slots’ medians over the compared hours'),
      lowKWh: figure.describe('Sum of the slots’ P10 over the compared hours'),
      highKWh: figure.describe('Sum of the slots’ P90 over the compared hours'),
      deviationPct: figure.describe('(actual − expected) / expected, %'),
      withinBand: z.boolean().nullable().describe('Whether actualKWh lies within [lowKWh, highKWh]'),
      problems: problemList.describe('Why there is no comparison, or why some hours are left out'),
    })
    .describe('Today against the hour-of-week profile of the reference period (the one of /api/sites/{site}/hourly-baseline and the rules)'),
});

const monthSchema = z.object({
  from: z.string().describe('First local day of the month'),
  until: instant,
  kWh: figure.describe('Final energy of the month so far; null under the coverage rule'),
  kWhPerM2: figure,
  floorAreaM2: z.number(),
  coverage: coverageSchema,
  problems: problemList,
});

const deviceRef = { device: z.string(), name: z.string().nullable() };

export const overviewResponse = z.object({
  generated: instant,
  staleAfterMs: z.number().int().describe('A device is silent when its last reading is older than this'),
  alertsAvailable: z.boolean().describe('False when the service runs without a state store: no alert is counted'),
  sites: z.array(
    z.object({
      site: z.string(),
      timezone: z.string(),
      today: todaySchema.nullable().describe('Null while the site’s month is read for the first time (status says so)'),
      month: monthSchema.nullable(),
      status: z.enum(['ok', 'computing']).describe('computing: today, the month or the devices are still being read; ask again in a few seconds'),
      power: z
        .array(z.object({ device: z.string(), valueW: z.number().describe('W'), at: instant }))
        .nullable()
        .describe('The latest power_w reading of each device that has one (the live stream sends the later ones); null while being read'),
      alerts: z.object({
        open: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int()])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>).describe('Alerts not yet acknowledged, by severity'),
        acknowledged: z.number().int().describe('Acknowledged alerts not yet resolved'),
      }),
      devices: z
        .object({
          total: z.number().int(),
          silent: z.array(z.object({ ...deviceRef, lastReading: instant })),
          neverReported: z.array(z.object(deviceRef)),
        })
        .nullable()
        .describe('Null while the latest readings are still being read (status says computing)'),
    }),
  ),
});
export type OverviewAnswer = z.infer<typeof overviewResponse>;
