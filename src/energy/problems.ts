/**
 * Why the analytics give no figure: a stable code and its parameters, never a sentence. The API
 * passes them on as they are (src/api/problems.ts holds the catalogue with their schemas) and the
 * dashboard words them in the user's language, so the same refusal reads the same everywhere.
 */
export type AnalyticsProblem =
  /** Too few measured hours for an energy figure (coverage rule in coverage.ts). */
  | { code: 'insufficient-coverage'; params: { measuredHours: number; expectedHours: number; estimatedHours: number; measuredSharePct: number; requiredSharePct: number } }
  | { code: 'no-energy-meter'; params: { site: string } }
  | { code: 'no-temperature-source'; params: { site: string } }
  | { code: 'no-baseline-period'; params: { site: string } }
  | { code: 'baseline-period-too-short'; params: { from: string; to: string; days: number; minDays: number } }
  | { code: 'baseline-no-temperature'; params: { days: number } }
  | {
      code: 'baseline-insufficient-days';
      params: { usableDays: number; periodDays: number; requiredDays: number; requiredPct: number; daysWithoutEnergy: number; daysWithoutTemperature: number };
    }
  /** A figure needs the baseline, which could not be fitted (its own problems are listed beside). */
  | { code: 'baseline-unavailable'; params: { site: string } }
  /** Deviation and climate correction compare days with a known temperature: too few of them. */
  | { code: 'insufficient-temperature-days'; params: { daysWithTemperature: number; periodDays: number; requiredDays: number } }
  | { code: 'no-reference-dju'; params: { daysMissing: number; periodDays: number } }
  | { code: 'decret-no-reference'; params: { referenceYear: number; measuredSharePct: number; requiredSharePct: number } }
  /** A part year needs the seasonal profile of the baseline's reference year to prorate its target. */
  | { code: 'decret-no-seasonal-profile'; params: { site: string; monthsMissing: number } }
  /** No calendar year after the reference passes the coverage rule: no position on the trajectory. */
  | { code: 'decret-no-measured-year'; params: { fromYear: number; toYear: number; requiredSharePct: number } };

export type AnalyticsProblemCode = AnalyticsProblem['code'];

/** Builds a problem with its parameters checked against the catalogue. */
export function problem<C extends AnalyticsProblemCode>(code: C, params: Extract<AnalyticsProblem, { code: C }>['params']): Extract<AnalyticsProblem, { code: C }> {
  return { code, params } as Extract<AnalyticsProblem, { code: C }>;
}
