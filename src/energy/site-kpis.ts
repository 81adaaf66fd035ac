import type { EnergyCarrier } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import { heatingDaily, predictDaily, type BaselineDay, type BaselineResult } from './baseline/daily-baseline.js';
import type { DayType, NonWorkingDetection, SiteCalendar, TypedDay } from './calendar.js';
import type { Correction } from './counters.js';
import { assessDecret, type DecretReference } from './decret-assessment.js';
import type { DecretAssessment } from './decret-tertiaire.js';
import { coverageProblem, hourlyCoverage, MIN_MEASURED_SHARE, type Coverage } from './coverage.js';
import { degreeDays, sumDegreeDays, type DailyTemperature, type DjuMethod } from './degree-days.js';
import { emptySeries, rollUp, type IntervalSeries } from './intervals.js';
import { climateCorrectedKWh, cusum, deviationFromBaseline, loadSplit, openHourMask, referenceDjuSameCalendarDays, type Deviation, type LoadSplit } from './kpis.js';
import { dayEdges, type LocalDay } from './local-time.js';
import { problem, type AnalyticsProblem } from './problems.js';
import type { SiteConsumption } from './site-data.js';

/** Sum of the energy carriers, in kWh, hour by hour (gas converted; water left out). */
export function finalEnergyHourly(consumption: SiteConsumption, gasKWhPerM3: number): IntervalSeries {
  const out = emptySeries(consumption.hourEdges);
  const parts = [...consumption.byCarrier.values()].filter((c) => c.carrier !== 'water');
  if (parts.length > 0) out.coveredMs.fill(Infinity);
  for (const c of parts) {
    const factor = c.carrier === 'gas' ? gasKWhPerM3 : 1;
    for (let i = 0; i < out.values.length; i++) {
      out.values[i]! += c.hourly.values[i]! * factor;
      out.coveredMs[i] = Math.min(out.coveredMs[i]!, c.hourly.coveredMs[i]!);
      out.estimatedMs[i] = Math.max(out.estimatedMs[i]!, c.hourly.estimatedMs[i]!);
    }
  }
  return out;
}

/**
 * Days for the baseline: a day's energy is used only when its every hour is measured (not
 * estimated from a gap), and its temperature only when the day has enough readings.
 */
export function toBaselineDays(days: readonly LocalDay[], dailyKWh: IntervalSeries, temps: readonly DailyTemperature[] | null, typed: readonly TypedDay[]): BaselineDay[] {
  return days.map((d, i) => {
    const complete = dailyKWh.coveredMs[i]! >= d.endMs - d.startMs - 1 && dailyKWh.estimatedMs[i]! === 0;
    const t = temps?.[i];
    return {
      date: d.date,
      energyKWh: complete ? dailyKWh.values[i]! : NaN,
      tMeanC: t && t.sufficient ? t.tMeanC : NaN,
      working: typed[i]?.type === 'working',
    };
  });
}

export interface KpiOptions {
  baseC: number;
  djuMethod: DjuMethod;
  gasKWhPerM3: number;
  /** Reference DJU for the period from a normal year; otherwise the baseline period's DJU on the same days. */
  normalDju?: number;
  /** DJU of the baseline period per date (for the same-calendar-days reference). */
  baselineDju?: ReadonlyMap<string, number | null>;
  /** Décret tertiaire reference consumption: configured, measured over the reference year, or why there is none. */
  decretReference?: DecretReference;
  /** The baseline's expected kWh per day of its reference period, to prorate a part-year Décret target. */
  expectedByDate?: ReadonlyMap<string, number>;
}

export type ClimateCorrected = { kWh: number; kWhPerM2: number; heatingKWh: number; actualDju: number; referenceDju: number; reference: 'normal-year' | 'baseline-period' };

export interface SiteKpis {
  site: string;
  from: string;
  to: string;
  floorAreaM2: number;
  /** Measured hours of the period (coverage.ts): below the rule, no energy figure is stated. */
  coverage: Coverage;
  status: 'ok' | 'insufficient-data';
  /** Why the energy figures are null (empty when status is ok). */
  problems: AnalyticsProblem[];
  /** Per carrier; empty when the coverage rule fails. */
  consumption: Partial<Record<EnergyCarrier, { total: number; unit: string; estimatedHours: number }>>;
  finalEnergyKWh: number | null;
  kWhPerM2: number | null;
  dju: { method: DjuMethod; baseC: number; hddC: number; cddC: number; daysOmitted: string[] } | null;
  climateCorrected: ClimateCorrected | { problems: AnalyticsProblem[] };
  baseline: { accepted: boolean; segmentation: string; monthlyCvRmsePct: number; monthlyNmbePct: number } | { problems: AnalyticsProblem[] };
  /**
   * `inReferenceDays`: how many of the compared days lie in the baseline's reference period. The
   * model was fitted on those very days, so there the deviation is near 0 by construction (an
   * in-sample figure; ASHRAE Guideline 14-2014 judges savings on a reporting period apart).
   */
  deviation: (Deviation & { inReferenceDays: number }) | { problems: AnalyticsProblem[] };
  cusum: { date: string; cusumKWh: number; known: boolean }[] | null;
  load: LoadSplit | null;
  decret: DecretAssessment | null;
  calendar: { source: 'config' | 'default'; nonWorkingCandidates?: NonWorkingDetection };
  corrections: Correction[];
}

export interface SiteKpiInput {
  site: SiteConfig;
  calendar: SiteCalendar;
  calendarSource: 'config' | 'default';
  nonWorkingCandidates?: NonWorkingDetection;
  days: LocalDay[];
  typed: TypedDay[];
  consumption: SiteConsumption;
  /** finalEnergyHourly(consumption) and its roll-up by day, when the caller has them already. */
  finalEnergy?: { hourly: IntervalSeries; daily: IntervalSeries };
  temperatures: DailyTemperature[] | null;
  baseline: BaselineResult;
  options: KpiOptions;
}

function carrierTotals(consumption: SiteConsumption): SiteKpis['consumption'] {
  const byCarrier: SiteKpis['consumption'] = {};
  for (const c of consumption.byCarrier.values()) {
    let total = 0;
    let estimatedHours = 0;
    for (let i = 0; i < c.hourly.values.length; i++) {
      total += c.hourly.values[i]!;
      if (c.hourly.estimatedMs[i]! > 0) estimatedHours++;
    }
    byCarrier[c.carrier] = { total, unit: c.unit, estimatedHours };
  }
  return byCarrier;
}

/** Site-level problems: no meter at all, or too few measured hours. */
function siteProblems(input: SiteKpiInput, coverage: Coverage): AnalyticsProblem[] {
  if (input.consumption.byCarrier.size === 0) return [problem('no-energy-meter', { site: input.site.id }), coverageProblem(coverage)];
  return coverage.sufficient ? [] : [coverageProblem(coverage)];
}

export function computeSiteKpis(input: SiteKpiInput): SiteKpis {
  const { site, days, typed, consumption, temperatures, baseline, options } = input;
  const hourly = input.finalEnergy?.hourly ?? finalEnergyHourly(consumption, options.gasKWhPerM3);
  const coverage = hourlyCoverage(hourly);
  const problems = siteProblems(input, coverage);
  const ok = problems.length === 0;
  const daily = input.finalEnergy?.daily ?? rollUp(hourly, dayEdges(days));
  const finalKWh = hourly.values.reduce((s, v) => s + v, 0);
  const ddRows = temperatures ? degreeDays(temperatures, { baseC: options.baseC, method: options.djuMethod }) : null;
  // A DJU total over too few days would read as a mild period: stated only under the coverage rule, on days.
  const ddAll = ddRows ? sumDegreeDays(ddRows) : null;
  const ddSum = ddAll && ddAll.daysUsed >= Math.ceil(MIN_MEASURED_SHARE * days.length) ? ddAll : null;
  const bDays = toBaselineDays(days, daily, temperatures, typed);
  const versus = ok ? compareWithBaseline(input, bDays, finalKWh, ddSum?.hddC ?? null) : { deviation: { problems }, cusum: null, climate: { problems } };
  const electricity = consumption.byCarrier.get('electricity');
  const dayTypes = new Map<string, DayType>(typed.map((t) => [t.date, t.type]));
  const load = ok && electricity ? loadSplit(electricity.hourly, openHourMask(electricity.hourly, dayTypes, input.calendar, site.timezone), site.timezone) : null;
  const climateKWh = 'kWh' in versus.climate ? versus.climate.kWh : finalKWh;
  return {
    site: site.id,
    from: days[0]!.date,
    to: days[days.length - 1]!.date,
    floorAreaM2: site.floorAreaM2,
    coverage,
    status: ok ? 'ok' : 'insufficient-data',
    problems,
    consumption: ok ? carrierTotals(consumption) : {},
    finalEnergyKWh: ok ? finalKWh : null,
    kWhPerM2: ok ? finalKWh / site.floorAreaM2 : null,
    dju: ddSum ? { method: options.djuMethod, baseC: options.baseC, hddC: ddSum.hddC, cddC: ddSum.cddC, daysOmitted: ddSum.daysOmitted } : null,
    climateCorrected: versus.climate,
    baseline: baseline.ok
      ? { accepted: baseline.baseline.accepted, segmentation: baseline.baseline.segmentation, monthlyCvRmsePct: baseline.baseline.monthly.cvRmsePct, monthlyNmbePct: baseline.baseline.monthly.nmbePct }
      : { problems: baseline.problems },
    deviation: versus.deviation,
    cusum: versus.cusum,
    load,
    decret: assessDecret({ site, days, actualKWh: ok ? climateKWh : null, siteProblems: problems, reference: options.decretReference, expectedByDate: options.expectedByDate }),
    calendar: { source: input.calendarSource, ...(input.nonWorkingCandidates ? { nonWorkingCandidates: input.nonWorkingCandidates } : {}) },
    corrections: consumption.corrections,
  };
}

/**
 * Deviation, CUSUM and climate correction: each needs the fitted baseline and a known temperature
 * on at least 90 % of the days (the coverage rule, on days), since only those days are compared.
 */
function compareWithBaseline(input: SiteKpiInput, bDays: BaselineDay[], finalKWh: number, actualHddC: number | null) {
  const { site, days, baseline, options } = input;
  if (!baseline.ok) {
    const missing = { problems: [problem('baseline-unavailable', { site: site.id }), ...baseline.problems] };
    return { deviation: missing, cusum: null, climate: missing };
  }
  const predicted = predictDaily(baseline.baseline, bDays);
  const actual = Float64Array.from(bDays, (d) => d.energyKWh);
  const deviation = deviationFromBaseline(actual, predicted);
  const requiredDays = Math.ceil(MIN_MEASURED_SHARE * days.length);
  const withTemperature = bDays.filter((d) => Number.isFinite(d.tMeanC)).length;
  const tooFew = { problems: [problem('insufficient-temperature-days', { daysWithTemperature: withTemperature, periodDays: days.length, requiredDays })] };
  const cusumRows = cusum(bDays.map((d) => d.date), actual, predicted);
  if (withTemperature < requiredDays || actualHddC === null) return { deviation: tooFew, cusum: cusumRows, climate: tooFew };
  const heating = heatingDaily(baseline.baseline, bDays).reduce((s, v) => (Number.isFinite(v) ? s + v : s), 0);
  const reference = referenceDju(days, options);
  let climate: ClimateCorrected | { problems: AnalyticsProblem[] };
  if ('daysMissing' in reference) climate = { problems: [problem('no-reference-dju', { daysMissing: reference.daysMissing, periodDays: days.length })] };
  else {
    const kWh = climateCorrectedKWh({ energyKWh: finalKWh, heatingKWh: heating, actualDju: actualHddC, referenceDju: reference.dju });
    climate = { kWh, kWhPerM2: kWh / site.floorAreaM2, heatingKWh: heating, actualDju: actualHddC, referenceDju: reference.dju, reference: reference.source };
  }
  const fitted = site.baseline;
  const inReferenceDays = fitted ? bDays.filter((d, i) => d.date >= fitted.from && d.date <= fitted.to && Number.isFinite(actual[i]!) && Number.isFinite(predicted[i]!)).length : 0;
  const compared = deviation.days >= requiredDays ? { ...deviation, inReferenceDays } : { problems: [problem('insufficient-temperature-days', { daysWithTemperature: deviation.days, periodDays: days.length, requiredDays })] };
  return { deviation: compared, cusum: cusumRows, climate };
}

function referenceDju(days: readonly LocalDay[], options: KpiOptions): { dju: number; source: 'normal-year' | 'baseline-period' } | { daysMissing: number } {
  if (options.normalDju !== undefined) return { dju: options.normalDju, source: 'normal-year' };
  if (!options.baselineDju) return { daysMissing: days.length };
  const ref = referenceDjuSameCalendarDays(days.map((d) => d.date), options.baselineDju);
  return ref.daysMissing > days.length / 10 ? { daysMissing: ref.daysMissing } : { dju: ref.dju, source: 'baseline-period' };
}
