import type { AnalyticsProblem } from './problems.js';

/**
 * Décret tertiaire (décret n° 2019-771 du 23 juillet 2019, Code de la construction et de
 * l'habitation art. R174-22 s.): final energy consumption must fall, against a reference year
 * (2010 or later), by 40 % in 2030, 50 % in 2040 and 60 % in 2050 ("objectif en valeur relative").
 * Between milestones the target is interpolated linearly, starting from 0 % in the reference year,
 * which gives the year-by-year trajectory. The alternative absolute target (Cabs, per activity
 * category, arrêté "valeurs absolues") is not computed here.
 */
export const DECRET_MILESTONES = [
  { year: 2030, reduction: 0.4 },
  { year: 2040, reduction: 0.5 },
  { year: 2050, reduction: 0.6 },
] as const;

/** Required reduction (0…0.6) for `year` against `referenceYear`. */
export function decretReduction(referenceYear: number, year: number): number {
  if (year <= referenceYear) return 0;
  let prevYear = referenceYear;
  let prevReduction = 0;
  for (const m of DECRET_MILESTONES) {
    if (year <= m.year) {
      if (m.year <= prevYear) return m.reduction;
      return prevReduction + ((m.reduction - prevReduction) * (year - prevYear)) / (m.year - prevYear);
    }
    prevYear = Math.max(prevYear, m.year);
    prevReduction = m.reduction;
  }
  return DECRET_MILESTONES[2].reduction;
}

export interface DecretInput {
  referenceYear: number;
  /** Consumption of the reference year, kWh (from invoices, or measured). */
  referenceKWh: number;
  /** Year of the period assessed. */
  year: number;
  /** Consumption of the period, kWh (climate-corrected preferably: the décret allows weather adjustment). */
  actualKWh: number;
  /** Share of a year's expected consumption the period holds (1 for a calendar year); see seasonalShare(). */
  periodShare?: number;
  /** How periodShare was found. */
  proration?: DecretProration;
}

/** `calendar-year`: whole calendar years; `baseline-expected`: a part year weighed by the baseline's expected consumption. */
export type DecretProration = 'calendar-year' | 'baseline-expected';

export interface DecretStatus {
  status: 'on-track' | 'behind';
  referenceYear: number;
  referenceKWh: number;
  milestones: { year: number; reductionPct: number; targetKWh: number }[];
  year: number;
  /** Interpolated reduction target for `year`, percent. */
  reductionTargetPct: number;
  /** Reference consumption for the period: referenceKWh × periodShare. */
  referenceForPeriodKWh: number;
  /** Target for the period: referenceForPeriodKWh × (1 − target reduction). */
  targetKWh: number;
  actualKWh: number;
  /** actual − target: positive means above the trajectory. */
  gapKWh: number;
  /** 1 − actual / reference for the period, percent: positive when consumption has fallen. */
  reductionAchievedPct: number;
  periodShare: number;
  proration: DecretProration;
}

/** No position without the data behind it: what is missing, and the coverage when that is the cause. */
export interface DecretInsufficient {
  status: 'insufficient-data';
  referenceYear: number;
  problems: AnalyticsProblem[];
}

export type DecretAssessment = DecretStatus | DecretInsufficient;

export function decretStatus(input: DecretInput): DecretStatus {
  const share = input.periodShare ?? 1;
  const reduction = decretReduction(input.referenceYear, input.year);
  const referenceForPeriodKWh = input.referenceKWh * share;
  const targetKWh = referenceForPeriodKWh * (1 - reduction);
  const gapKWh = input.actualKWh - targetKWh;
  return {
    status: gapKWh <= 0 ? 'on-track' : 'behind',
    referenceYear: input.referenceYear,
    referenceKWh: input.referenceKWh,
    milestones: DECRET_MILESTONES.map((m) => ({ year: m.year, reductionPct: m.reduction * 100, targetKWh: input.referenceKWh * (1 - m.reduction) })),
    year: input.year,
    reductionTargetPct: reduction * 100,
    referenceForPeriodKWh,
    targetKWh,
    actualKWh: input.actualKWh,
    gapKWh,
    reductionAchievedPct: (1 - input.actualKWh / referenceForPeriodKWh) * 100,
    periodShare: share,
    proration: input.proration ?? 'calendar-year',
  };
}

/** Whole calendar years in from…to (both included), or null when the period is a part year. */
export function wholeCalendarYears(from: string, to: string): number | null {
  if (from.slice(5) !== '01-01' || to.slice(5) !== '12-31') return null;
  return Number(to.slice(0, 4)) - Number(from.slice(0, 4)) + 1;
}

/**
 * Share of a year's expected consumption that falls on `periodDates`, weighed by the baseline's
 * prediction for each calendar day (MM-DD) of its reference period: a heated building uses more
 * in January than in July, so prorating a part-year target by the day count would call a summer
 * "on track" that is not (issue 13). Reference days whose prediction is unknown (no temperature)
 * take the mean prediction of their month; 29 February counts as 28 February when the reference
 * has none. `monthsMissing` > 0 when some calendar month has no predicted day at all: the
 * reference cannot prorate, and the target is not stated.
 */
export function seasonalShare(periodDates: readonly string[], expectedByDate: ReadonlyMap<string, number>): { share: number } | { monthsMissing: number } {
  const weights = seasonalWeights(expectedByDate);
  if ('monthsMissing' in weights) return weights;
  let periodKWh = 0;
  for (const date of periodDates) periodKWh += weights.weight(date.slice(5));
  return { share: weights.yearKWh > 0 ? periodKWh / weights.yearKWh : periodDates.length / 365 };
}

type SeasonalWeights = { weight: (monthDay: string) => number; yearKWh: number } | { monthsMissing: number };

/**
 * The weights of the predictions declared final (finalPrediction), kept per map: a cached
 * baseline's map is the same object for every period asked, and computing its weights again for
 * each site of each comparison was 0.9 s of self time in the compare-load benchmark (profile
 * 2026-12-01 16:08). Other maps may change between calls, so theirs are computed every time.
 */
const weightsByPrediction = new WeakMap<ReadonlyMap<string, number>, SeasonalWeights | null>();

/** Declares that `expectedByDate` never changes from now on, so that seasonalShare keeps its weights. */
export function finalPrediction<M extends ReadonlyMap<string, number>>(expectedByDate: M): M {
  if (!weightsByPrediction.has(expectedByDate)) weightsByPrediction.set(expectedByDate, null);
  return expectedByDate;
}

function seasonalWeights(expectedByDate: ReadonlyMap<string, number>): SeasonalWeights {
  const known = weightsByPrediction.get(expectedByDate);
  if (known) return known;
  const byMonthDay = new Map<string, { sum: number; n: number }>();
  const byMonth = new Map<string, { sum: number; n: number }>();
  const add = (map: Map<string, { sum: number; n: number }>, key: string, v: number) => {
    const e = map.get(key) ?? { sum: 0, n: 0 };
    e.sum += v;
    e.n++;
    map.set(key, e);
  };
  for (const [date, kWh] of expectedByDate) {
    if (!Number.isFinite(kWh)) continue;
    add(byMonthDay, date.slice(5), kWh);
    add(byMonth, date.slice(5, 7), kWh);
  }
  let monthsMissing = 0;
  for (let m = 1; m <= 12; m++) if (!byMonth.has(String(m).padStart(2, '0'))) monthsMissing++;
  let weights: SeasonalWeights;
  if (monthsMissing > 0) weights = { monthsMissing };
  else {
    const weight = (md: string): number => {
      const day = byMonthDay.get(md) ?? (md === '02-29' ? byMonthDay.get('02-28') : undefined);
      const e = day ?? byMonth.get(md.slice(0, 2))!;
      return e.sum / e.n;
    };
    let yearKWh = 0;
    for (const md of COMMON_YEAR_MONTH_DAYS) yearKWh += weight(md);
    weights = { weight, yearKWh };
  }
  if (known === null) weightsByPrediction.set(expectedByDate, weights);
  return weights;
}

/** The 365 calendar days (MM-DD) of a common year. */
const COMMON_YEAR_MONTH_DAYS: readonly string[] = Array.from({ length: 365 }, (_, i) => new Date(Date.UTC(2001, 0, 1 + i)).toISOString().slice(5, 10));
