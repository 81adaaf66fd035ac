import { z } from 'zod';
import type { AnalyticsProblem } from '../energy/problems.js';

/**
 * The one catalogue of problem codes: every refusal the API returns (an error body, or a figure
 * the analytics withhold inside a 200 answer) carries one of these codes and its parameters, so
 * a client words it in its own language (the dashboard's i18n has a French and an English text per
 * code) instead of parsing an English sentence. Codes are stable: rename one and clients break.
 * The analytics codes come from src/energy/problems.ts; the check below keeps the two in step.
 */
const n = z.number();
const s = z.string();

export const PROBLEM_PARAMS = {
  // Analytics: why a figure is not stated (src/energy/problems.ts).
  'insufficient-coverage': z.object({ measuredHours: n, expectedHours: n, estimatedHours: n, measuredSharePct: n, requiredSharePct: n }),
  'no-energy-meter': z.object({ site: s }),
  'no-temperature-source': z.object({ site: s }),
  'no-baseline-period': z.object({ site: s }),
  'baseline-period-too-short': z.object({ from: s, to: s, days: n, minDays: n }),
  'baseline-no-temperature': z.object({ days: n }),
  'baseline-insufficient-days': z.object({ usableDays: n, periodDays: n, requiredDays: n, requiredPct: n, daysWithoutEnergy: n, daysWithoutTemperature: n }),
  'baseline-unavailable': z.object({ site: s }),
  'hourly-profile-few-weeks': z.object({ hours: n, minWeeks: n }),
  // The overview's today against the hour-of-week profile (routes/overview.ts).
  'profile-unusual-day': z.object({ date: s, dayType: s }),
  'no-measured-hour-today': z.object({ elapsedHours: n }),
  'insufficient-temperature-days': z.object({ daysWithTemperature: n, periodDays: n, requiredDays: n }),
  'no-reference-dju': z.object({ daysMissing: n, periodDays: n }),
  'decret-no-reference': z.object({ referenceYear: n, measuredSharePct: n, requiredSharePct: n }),
  'decret-no-seasonal-profile': z.object({ site: s, monthsMissing: n }),
  'decret-no-measured-year': z.object({ fromYear: n, toYear: n, requiredSharePct: n }),
  // Requests: why a request is refused (400, 404, 500).
  'invalid-parameter': z.object({ location: s, field: s, detail: s }),
  'unknown-parameter': z.object({ location: s, field: s }),
  'invalid-date': z.object({ field: s, value: s }),
  'date-out-of-range': z.object({ field: s, min: s, max: s }),
  'period-reversed': z.object({ from: s, to: s }),
  'period-too-long': z.object({ days: n, maxDays: n }),
  'unknown-site': z.object({ site: s }),
  'decret-not-configured': z.object({ site: s }),
  'year-range': z.object({ fromYear: n, toYear: n, maxYears: n }),
  'unknown-device': z.object({ site: s, device: s, known: z.array(s) }),
  'unknown-quantity': z.object({ site: s, device: s, quantity: s, declared: z.array(s) }),
  'no-route': z.object({ method: s, path: s }),
  'unknown-alert': z.object({ id: n }),
  'alert-resolved': z.object({ id: n }),
  'unknown-silence': z.object({ id: n }),
  'client-error': z.object({ statusCode: n }),
  'analytics-busy': z.object({ queued: n, retryAfterS: n }),
  // Accounts (auth plugin, session, tokens, users): who may ask.
  'login-required': z.object({}),
  'invalid-token': z.object({}),
  'csrf-token-required': z.object({ header: s }),
  'admin-only': z.object({}),
  'cross-origin-login': z.object({}),
  'too-many-logins': z.object({ by: s, retryAfterS: n }),
  'wrong-credentials': z.object({}),
  'user-exists': z.object({ field: s }),
  'unknown-user': z.object({ id: n }),
  'unknown-token': z.object({ id: n }),
  'internal-error': z.object({}),
} as const;

export type ProblemCode = keyof typeof PROBLEM_PARAMS;
export type Problem = { [C in ProblemCode]: { code: C; params: z.infer<(typeof PROBLEM_PARAMS)[C]> } }[ProblemCode];

export const PROBLEM_CODES = Object.keys(PROBLEM_PARAMS) as ProblemCode[];

const variants = PROBLEM_CODES.map((code) => z.object({ code: z.literal(code), params: PROBLEM_PARAMS[code] }));
export const problemSchema = z
  .discriminatedUnion('code', variants as unknown as [(typeof variants)[number], ...(typeof variants)[number][]])
  .meta({ id: 'Problem', description: 'A stable code and its parameters; see src/api/problems.ts' }) as unknown as z.ZodType<Problem>;

export const problemList = z.array(problemSchema);

// Every analytics problem is in the catalogue, with the same parameters (fails to compile otherwise).
export const fromAnalytics = (p: AnalyticsProblem): Problem => p;

export function problemOf<C extends ProblemCode>(code: C, params: Extract<Problem, { code: C }>['params']): Extract<Problem, { code: C }> {
  return { code, params } as Extract<Problem, { code: C }>;
}
