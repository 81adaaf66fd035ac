import type { z } from 'zod';
import type { DecretAssessment } from '../energy/decret-tertiaire.js';
import type { SiteKpis } from '../energy/site-kpis.js';
import type { decretSchema, flatKpisSchema } from './analytics-schemas.js';
import { fromAnalytics, type Problem } from './problems.js';

/**
 * How the analytics' results are shown in the API's answers: projections only, no arithmetic
 * beyond unit scaling (the figures are computed in src/energy/). NaN and Infinity become null.
 */
export const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export const problems = (list: readonly Parameters<typeof fromAnalytics>[0][]): Problem[] => list.map(fromAnalytics);

export function decretAnswer(d: DecretAssessment | null): z.infer<typeof decretSchema> | null {
  if (!d) return null;
  if (d.status === 'insufficient-data') {
    return {
      status: d.status,
      referenceYear: d.referenceYear,
      referenceKWh: null,
      referenceForPeriodKWh: null,
      targetKWh: null,
      actualKWh: null,
      gapKWh: null,
      reductionTargetPct: null,
      reductionAchievedPct: null,
      periodShare: null,
      proration: null,
      milestones: [],
      problems: problems(d.problems),
    };
  }
  return {
    status: d.status,
    referenceYear: d.referenceYear,
    referenceKWh: num(d.referenceKWh),
    referenceForPeriodKWh: num(d.referenceForPeriodKWh),
    targetKWh: num(d.targetKWh),
    actualKWh: num(d.actualKWh),
    gapKWh: num(d.gapKWh),
    reductionTargetPct: num(d.reductionTargetPct),
    reductionAchievedPct: num(d.reductionAchievedPct),
    periodShare: num(d.periodShare),
    proration: d.proration,
    milestones: d.milestones,
    problems: [],
  };
}

/** The scalar KPIs of a site (what a table row or the dashboard's key/value list shows). */
export function flatKpis(k: SiteKpis): z.infer<typeof flatKpisSchema> {
  const corrected = 'kWhPerM2' in k.climateCorrected ? k.climateCorrected : null;
  const baseline = 'accepted' in k.baseline ? k.baseline : null;
  const deviation = 'deviationPct' in k.deviation ? k.deviation : null;
  return {
    measuredSharePct: k.coverage.measuredSharePct,
    finalEnergyKWh: num(k.finalEnergyKWh),
    kWhPerM2: num(k.kWhPerM2),
    climateCorrectedKWhPerM2: num(corrected?.kWhPerM2),
    climateCorrectedKWh: num(corrected?.kWh),
    electricityKWh: num(k.consumption.electricity?.total),
    gasM3: num(k.consumption.gas?.total),
    heatKWh: num(k.consumption.heat?.total),
    waterM3: num(k.consumption.water?.total),
    deviationKWh: num(deviation?.deviationKWh),
    deviationPct: num(deviation?.deviationPct),
    deviationInReferenceDays: deviation ? deviation.inReferenceDays : null,
    baselineMonthlyCvRmsePct: num(baseline?.monthlyCvRmsePct),
    baselineMonthlyNmbePct: num(baseline?.monthlyNmbePct),
    baseloadKW: num(k.load?.baseloadKW),
    outOfHoursSharePct: k.load ? num(k.load.outOfHoursShare * 100) : null,
    hddC: num(k.dju?.hddC),
    cddC: num(k.dju?.cddC),
  };
}

/** Why each group of figures is missing (empty lists when they are stated). */
export function whyMissing(k: SiteKpis) {
  return {
    problems: problems(k.problems),
    baselineProblems: 'problems' in k.baseline ? problems(k.baseline.problems) : [],
    climateCorrectionProblems: 'problems' in k.climateCorrected ? problems(k.climateCorrected.problems) : [],
    deviationProblems: 'problems' in k.deviation ? problems(k.deviation.problems) : [],
  };
}
