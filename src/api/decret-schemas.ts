import { z } from 'zod';
import { coverageSchema } from './analytics-schemas.js';
import { problemList } from './problems.js';

/**
 * Response schemas of the Décret tertiaire trajectory and the OPERAT export (routes/decret.ts).
 * Checked by the serializer on every answer and published at /docs, like analytics-schemas.ts.
 */
const figure = z.number().nullable();
const status = z.enum(['on-track', 'behind', 'insufficient-data']);

export const decretTrajectoryResponse = z.object({
  site: z.string(),
  status: z.enum(['on-track', 'behind', 'insufficient-data', 'not-configured']).describe('Status of the latest measured year (statusYear)'),
  statusYear: z.number().int().nullable(),
  referenceYear: z.number().int().nullable(),
  referenceKWh: figure.describe('Final energy of the reference year, kWh'),
  referenceSource: z.enum(['config', 'measured']).nullable().describe('config: decretTertiaire.referenceConsumptionKWh; measured: the reference year as stored'),
  floorAreaM2: z.number(),
  basis: z.string().describe('What the measured years are'),
  milestones: z.array(
    z.object({
      year: z.number().int(),
      reductionPct: z.number(),
      relativeTargetKWh: figure,
      absoluteTargetKWhPerM2: figure,
      absoluteTargetKWh: figure,
      targetKWh: figure.describe('The target that applies: the less demanding of relative and absolute'),
    }),
  ),
  years: z.array(
    z.object({
      year: z.number().int(),
      measuredKWh: figure.describe('Measured final energy, kWh; null below the coverage rule'),
      measuredSharePct: z.number(),
      relativeTargetKWh: figure,
      absoluteTargetKWh: figure,
      targetKWh: figure,
      status,
    }),
  ),
  problems: problemList,
});

export const operatRow = z.object({
  year: z.number().int(),
  carrier: z.enum(['electricity', 'gas', 'heat']),
  meterUnit: z.enum(['kWh', 'm3']),
  meterTotal: figure.describe("Consumption in the meter's unit; null below the coverage rule"),
  finalEnergyKWh: figure.describe('kWh of final energy to declare; null below the coverage rule'),
  conversionFactorKWhPerUnit: z.number().describe('kWh per meter unit (1 for kWh meters)'),
  conversionSource: z.string().nullable().describe('Where the gas factor comes from; null for kWh meters'),
  coverage: coverageSchema,
  estimatedSharePct: figure.describe('Share of the figure from gaps spread linearly (estimated), percent'),
  status: z.enum(['ok', 'insufficient-data']),
  declarationDue: z.string().describe('OPERAT deadline for this year: 30 September of the next year'),
});

export const operatResponse = z.object({
  site: z.string(),
  name: z.string(),
  floorAreaM2: z.number(),
  fromYear: z.number().int(),
  toYear: z.number().int(),
  gasConversion: z.object({ kWhPerM3: z.number(), source: z.string() }),
  notes: z.array(z.string()),
  rows: z.array(operatRow),
  problems: problemList,
});
