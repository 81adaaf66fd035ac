import { z } from 'zod';
import { PROBLEM_CODES } from './problems.js';
import { DEVICE_KINDS, QUANTITY_NAMES, SITE_USAGES, type QuantityName } from '../config/quantities.js';

/** The configuration's identifier rule (schema.ts): anything else cannot name a site or device. */
export const identifierParam = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (1-64)');

export const siteParams = z.strictObject({ site: identifierParam.describe('Site id, e.g. cleon-bureaux') });

export const errorBody = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
    field: z.string().optional().describe('The request parameter at fault'),
    code: z.enum(PROBLEM_CODES as [string, ...string[]]).describe('Stable problem code (src/api/problems.ts)'),
    params: z.record(z.string(), z.unknown()).describe("The problem's parameters, as listed for its code in the Problem schema"),
  })
  .meta({ id: 'Error' });

export const quantitySchema = z.object({
  name: z.enum(QUANTITY_NAMES as [QuantityName, ...QuantityName[]]),
  unit: z.string(),
  kind: z.enum(['cumulative', 'instantaneous']),
});

/** Response shape of a site. A z.object drops unknown keys when serializing: a second guard against leaking secrets. */
export const siteSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    usage: z.enum(SITE_USAGES),
    city: z.string().nullable(),
    floorAreaM2: z.number().describe('Heated floor area, m²'),
    timezone: z.string().describe('IANA time zone; 1d buckets are its local days'),
    devices: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(DEVICE_KINDS),
        quantities: z.array(quantitySchema),
      }),
    ),
  })
  .meta({ id: 'Site' });

export const errorResponses = { 400: errorBody, 404: errorBody, 500: errorBody } as const;
/** The analytics routes may also refuse a computation when too many wait (analytics-gate.ts). */
export const analyticsErrorResponses = { ...errorResponses, 503: errorBody } as const;
