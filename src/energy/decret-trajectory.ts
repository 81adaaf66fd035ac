import type { SiteConfig } from '../config/schema.js';
import { DECRET_MILESTONES, decretReduction } from './decret-tertiaire.js';
import type { DecretReference } from './decret-assessment.js';
import { MIN_MEASURED_SHARE } from './coverage.js';
import { problem, type AnalyticsProblem } from './problems.js';
import type { EnergyYear } from './yearly-energy.js';

/**
 * The Décret tertiaire trajectory of a site, year by year (décret n° 2019-771, CCH art. R174-23):
 * the reference year's consumption, the measured calendar years, and the targets of 2030, 2040
 * and 2050. The obligation is met EITHER by the relative target (−40/−50/−60 % of the reference,
 * interpolated linearly between milestones from 0 % in the reference year) OR by the absolute
 * value of the site's category (Cabs, kWh/m²/year, arrêté du 10 avril 2020 "valeurs absolues"),
 * when the configuration gives it: the target of a year is then the less demanding of the two,
 * the absolute one being that of the next milestone (meeting the 2030 value early is on course).
 * Measured years are raw final energy: OPERAT applies its own climate adjustment to what is
 * declared. A year below the coverage rule has no figure and no status.
 */
export type TrajectoryStatus = 'on-track' | 'behind' | 'insufficient-data';

export interface TrajectoryYear {
  year: number;
  /** Measured final energy, kWh; null below the coverage rule. */
  measuredKWh: number | null;
  measuredSharePct: number;
  relativeTargetKWh: number | null;
  absoluteTargetKWh: number | null;
  /** The target that applies: the less demanding of the two. */
  targetKWh: number | null;
  status: TrajectoryStatus;
}

export interface TrajectoryMilestone {
  year: number;
  reductionPct: number;
  relativeTargetKWh: number | null;
  absoluteTargetKWhPerM2: number | null;
  absoluteTargetKWh: number | null;
  targetKWh: number | null;
}

export interface DecretTrajectory {
  site: string;
  referenceYear: number;
  referenceKWh: number | null;
  referenceSource: 'config' | 'measured' | null;
  floorAreaM2: number;
  milestones: TrajectoryMilestone[];
  years: TrajectoryYear[];
  /** The status of the latest year with a figure; insufficient-data when there is none, or no reference. */
  status: TrajectoryStatus;
  /** The year that status is for; null with insufficient-data. */
  statusYear: number | null;
  problems: AnalyticsProblem[];
}

type Absolute = Partial<Record<'2030' | '2040' | '2050', number>>;

function absoluteFor(absolute: Absolute | undefined, year: number): number | null {
  if (!absolute) return null;
  const m = DECRET_MILESTONES.find((x) => year <= x.year && absolute[String(x.year) as keyof Absolute] !== undefined);
  return m ? absolute[String(m.year) as keyof Absolute]! : null;
}

function lessDemanding(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

export function decretTrajectory(site: SiteConfig, reference: DecretReference | undefined, measured: readonly EnergyYear[]): DecretTrajectory | null {
  const cfg = site.decretTertiaire;
  if (!cfg) return null;
  const problems: AnalyticsProblem[] = [];
  const configured = cfg.referenceConsumptionKWh;
  const measuredRef = reference && 'kWh' in reference ? reference.kWh : undefined;
  const referenceKWh = configured ?? measuredRef ?? null;
  const absolute = cfg.absoluteTargetsKWhPerM2 as Absolute | undefined;
  // With an absolute target, a year can be judged without the reference: only the relative target needs it.
  if (referenceKWh === null && !absolute) {
    problems.push(...(reference && 'problems' in reference ? reference.problems : [problem('decret-no-reference', { referenceYear: cfg.referenceYear, measuredSharePct: 0, requiredSharePct: MIN_MEASURED_SHARE * 100 })]));
  }
  const relative = (year: number) => (referenceKWh === null ? null : referenceKWh * (1 - decretReduction(cfg.referenceYear, year)));
  const absoluteKWh = (year: number) => {
    const perM2 = absoluteFor(absolute, year);
    return perM2 === null ? null : perM2 * site.floorAreaM2;
  };
  const years: TrajectoryYear[] = measured.map((m) => {
    const relativeTargetKWh = m.year > cfg.referenceYear ? relative(m.year) : null;
    const absoluteTargetKWh = m.year > cfg.referenceYear ? absoluteKWh(m.year) : null;
    const targetKWh = lessDemanding(relativeTargetKWh, absoluteTargetKWh);
    const status: TrajectoryStatus = m.finalKWh === null || targetKWh === null ? 'insufficient-data' : m.finalKWh <= targetKWh ? 'on-track' : 'behind';
    return { year: m.year, measuredKWh: m.finalKWh, measuredSharePct: m.coverage.measuredSharePct, relativeTargetKWh, absoluteTargetKWh, targetKWh, status };
  });
  const milestones = DECRET_MILESTONES.map((m) => {
    const perM2 = absolute?.[String(m.year) as keyof Absolute] ?? null;
    const relativeTargetKWh = relative(m.year);
    const absoluteTargetKWh = perM2 === null ? null : perM2 * site.floorAreaM2;
    return { year: m.year, reductionPct: m.reduction * 100, relativeTargetKWh, absoluteTargetKWhPerM2: perM2, absoluteTargetKWh, targetKWh: lessDemanding(relativeTargetKWh, absoluteTargetKWh) };
  });
  const judged = years.filter((y) => y.year > cfg.referenceYear && y.status !== 'insufficient-data');
  const latest = judged[judged.length - 1];
  const after = measured.filter((m) => m.year > cfg.referenceYear);
  if (!latest && problems.length === 0) {
    problems.push(problem('decret-no-measured-year', { fromYear: after[0]?.year ?? cfg.referenceYear + 1, toYear: after[after.length - 1]?.year ?? cfg.referenceYear + 1, requiredSharePct: MIN_MEASURED_SHARE * 100 }));
  }
  return {
    site: site.id,
    referenceYear: cfg.referenceYear,
    referenceKWh,
    referenceSource: configured !== undefined ? 'config' : measuredRef !== undefined ? 'measured' : null,
    floorAreaM2: site.floorAreaM2,
    milestones,
    years,
    status: latest ? latest.status : 'insufficient-data',
    statusYear: latest ? latest.year : null,
    problems,
  };
}
