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
  /** Share of a year the period covers (1 for a calendar year); the target is prorated by it. */
  yearFraction?: number;
}

export interface DecretStatus {
  referenceYear: number;
  referenceKWh: number;
  milestones: { year: number; reductionPct: number; targetKWh: number }[];
  year: number;
  /** Interpolated reduction target for `year`, percent. */
  reductionTargetPct: number;
  /** Target for the period (prorated when yearFraction < 1). */
  targetKWh: number;
  actualKWh: number;
  /** actual − target: positive means above the trajectory. */
  gapKWh: number;
  status: 'on-track' | 'behind';
  /** True when the period is not a whole year and the target was prorated by days (seasonality ignored). */
  prorated: boolean;
}

export function decretStatus(input: DecretInput): DecretStatus {
  const fraction = input.yearFraction ?? 1;
  const reduction = decretReduction(input.referenceYear, input.year);
  const targetKWh = input.referenceKWh * (1 - reduction) * fraction;
  const gapKWh = input.actualKWh - targetKWh;
  return {
    referenceYear: input.referenceYear,
    referenceKWh: input.referenceKWh,
    milestones: DECRET_MILESTONES.map((m) => ({ year: m.year, reductionPct: m.reduction * 100, targetKWh: input.referenceKWh * (1 - m.reduction) })),
    year: input.year,
    reductionTargetPct: reduction * 100,
    targetKWh,
    actualKWh: input.actualKWh,
    gapKWh,
    status: gapKWh <= 0 ? 'on-track' : 'behind',
    prorated: Math.abs(fraction - 1) > 1e-9,
  };
}
