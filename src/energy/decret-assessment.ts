import type { SiteConfig } from '../config/schema.js';
import { MIN_MEASURED_SHARE } from './coverage.js';
import { decretStatus, seasonalShare, wholeCalendarYears, type DecretAssessment } from './decret-tertiaire.js';
import type { LocalDay } from './local-time.js';
import { problem, type AnalyticsProblem } from './problems.js';

/** The Décret tertiaire reference consumption of a site, or why there is none. */
export type DecretReference = { kWh: number } | { problems: AnalyticsProblem[] };

export interface DecretSiteInput {
  site: SiteConfig;
  days: readonly LocalDay[];
  /** Consumption of the period (climate-corrected when available), kWh; null when the coverage rule fails. */
  actualKWh: number | null;
  /** The period's site-level problems (coverage), repeated in the answer so it says why. */
  siteProblems: readonly AnalyticsProblem[];
  /** Measured reference, when the configuration gives no referenceConsumptionKWh. */
  reference: DecretReference | undefined;
  /** Expected kWh per day of the baseline's reference period (seasonalShare). */
  expectedByDate: ReadonlyMap<string, number> | undefined;
}

/**
 * Where a site stands on its Décret tertiaire trajectory over a period, or `insufficient-data`
 * with what is missing: a period without enough measured hours, a reference year without enough
 * data, or a part year without a seasonal profile to prorate the yearly target by. A site with no
 * measured hour is never "on track" (issue 13: it was shown as +100 %, on track).
 */
export function assessDecret(input: DecretSiteInput): DecretAssessment | null {
  const cfg = input.site.decretTertiaire;
  if (!cfg) return null;
  const problems: AnalyticsProblem[] = [...input.siteProblems];
  const referenceKWh = cfg.referenceConsumptionKWh ?? (input.reference && 'kWh' in input.reference ? input.reference.kWh : undefined);
  if (referenceKWh === undefined) {
    problems.push(...(input.reference && 'problems' in input.reference ? input.reference.problems : [problem('decret-no-reference', { referenceYear: cfg.referenceYear, measuredSharePct: 0, requiredSharePct: MIN_MEASURED_SHARE * 100 })]));
  }
  const from = input.days[0]!.date;
  const to = input.days[input.days.length - 1]!.date;
  const years = wholeCalendarYears(from, to);
  let share = years ?? 0;
  if (years === null) {
    const seasonal = input.expectedByDate ? seasonalShare(input.days.map((d) => d.date), input.expectedByDate) : { monthsMissing: 12 };
    if ('monthsMissing' in seasonal) problems.push(problem('decret-no-seasonal-profile', { site: input.site.id, monthsMissing: seasonal.monthsMissing }));
    else share = seasonal.share;
  }
  if (problems.length > 0 || referenceKWh === undefined || input.actualKWh === null) return { status: 'insufficient-data', referenceYear: cfg.referenceYear, problems };
  return decretStatus({
    referenceYear: cfg.referenceYear,
    referenceKWh,
    year: Number(to.slice(0, 4)),
    actualKWh: input.actualKWh,
    periodShare: share,
    proration: years === null ? 'baseline-expected' : 'calendar-year',
  });
}
