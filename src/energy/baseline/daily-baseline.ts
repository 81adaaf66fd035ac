import { dateToEpochDayMs, DAY_MS } from '../local-time.js';
import { problem, type AnalyticsProblem } from '../problems.js';
import { fitMetrics, meetsG14Monthly, type FitMetrics } from './metrics.js';
import { fitSegment, heatingPart, predictSegment, type GridOptions, type SegmentModel } from './segment-model.js';

/**
 * Daily weather-normalised baseline (CalTRACK 2.0 daily methods, see segment-model.ts), with
 * working and non-working days (typed by the site calendar) modelled separately when that
 * clearly improves the fit.
 *
 * Split criterion: the two-segment model is kept when its daily CV(RMSE), computed with
 * p = all parameters of both segments (G14 n − p), is below `splitGain` (0.9) × the daily
 * CV(RMSE) of the single model, and each segment has at least `minSegmentDays` days. The
 * penalty on p keeps a split that merely adds parameters from winning.
 */
export interface BaselineDay {
  date: string;
  /** NaN when unknown (the day is then not used). */
  energyKWh: number;
  /** Mean outdoor temperature of the local day, °C; NaN when unknown or insufficient. */
  tMeanC: number;
  working: boolean;
}

export interface BaselineOptions extends GridOptions {
  /** Shortest period (first to last day) a baseline may be fitted on (default 180 days). */
  minPeriodDays?: number;
  /** Share of the period's days that need both consumption and temperature (CalTRACK: 90 %). */
  minCoverage?: number;
  splitGain?: number;
  minSegmentDays?: number;
  /** A month counts in the monthly metrics when this share of its days is usable (default 0.8). */
  minMonthCoverage?: number;
}

export interface DailyBaseline {
  from: string;
  to: string;
  segmentation: 'single' | 'working/non-working';
  /** The single model, or the working-day model when split. */
  working: SegmentModel;
  /** Same object as `working` when not split. */
  nonWorking: SegmentModel;
  parameters: number;
  daysUsed: number;
  daily: FitMetrics;
  monthly: FitMetrics;
  /** Monthly CV(RMSE) ≤ 15 % and |NMBE| ≤ 5 % (ASHRAE Guideline 14). */
  accepted: boolean;
}

export type BaselineResult = { ok: true; baseline: DailyBaseline } | { ok: false; problems: AnalyticsProblem[] };

export function predictBaselineDay(b: DailyBaseline, tMeanC: number, working: boolean): number {
  return predictSegment(working ? b.working : b.nonWorking, tMeanC);
}

/** Predicted kWh per day (NaN where the temperature is unknown): for deviation and CUSUM. */
export function predictDaily(b: DailyBaseline, days: readonly Pick<BaselineDay, 'tMeanC' | 'working'>[]): Float64Array {
  return Float64Array.from(days, (d) => (Number.isFinite(d.tMeanC) ? predictBaselineDay(b, d.tMeanC, d.working) : NaN));
}

/** Heating-dependent part of each day's prediction (βH·HDD), kWh; 0 without a heating term. */
export function heatingDaily(b: DailyBaseline, days: readonly Pick<BaselineDay, 'tMeanC' | 'working'>[]): Float64Array {
  return Float64Array.from(days, (d) => (Number.isFinite(d.tMeanC) ? heatingPart(d.working ? b.working : b.nonWorking, d.tMeanC) : NaN));
}

export function fitDailyBaseline(days: readonly BaselineDay[], options: BaselineOptions = {}): BaselineResult {
  const minPeriodDays = options.minPeriodDays ?? 180;
  const minCoverage = options.minCoverage ?? 0.9;
  const splitGain = options.splitGain ?? 0.9;
  const minSegmentDays = options.minSegmentDays ?? 30;
  const problems: AnalyticsProblem[] = [];
  if (days.length === 0) return { ok: false, problems: [problem('baseline-period-too-short', { from: '', to: '', days: 0, minDays: minPeriodDays })] };
  const sorted = [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const from = sorted[0]!.date;
  const to = sorted[sorted.length - 1]!.date;
  const periodDays = Math.round((dateToEpochDayMs(to) - dateToEpochDayMs(from)) / DAY_MS) + 1;
  const usable = sorted.filter((d) => Number.isFinite(d.energyKWh) && Number.isFinite(d.tMeanC));
  const noEnergy = sorted.filter((d) => !Number.isFinite(d.energyKWh)).length + (periodDays - sorted.length);
  const noTemp = sorted.filter((d) => !Number.isFinite(d.tMeanC)).length;
  if (periodDays < minPeriodDays) problems.push(problem('baseline-period-too-short', { from, to, days: periodDays, minDays: minPeriodDays }));
  if (noTemp === sorted.length) problems.push(problem('baseline-no-temperature', { days: sorted.length }));
  const needed = Math.ceil(minCoverage * periodDays);
  if (usable.length < needed) {
    problems.push(
      problem('baseline-insufficient-days', {
        usableDays: usable.length,
        periodDays,
        requiredDays: needed,
        requiredPct: Math.round(minCoverage * 1000) / 10,
        daysWithoutEnergy: noEnergy,
        daysWithoutTemperature: noTemp,
      }),
    );
  }
  if (problems.length > 0) return { ok: false, problems };

  const all = segment(usable, () => true);
  const single = fitSegment(all.energy, all.temp, options);
  const singlePred = usable.map((d) => predictSegment(single, d.tMeanC));
  const singleDaily = fitMetrics(all.energy, singlePred, single.p);

  let working = single;
  let nonWorking = single;
  let parameters = single.p;
  let predicted = singlePred;
  let segmentation: DailyBaseline['segmentation'] = 'single';
  const w = segment(usable, (d) => d.working);
  const nw = segment(usable, (d) => !d.working);
  if (w.energy.length >= minSegmentDays && nw.energy.length >= minSegmentDays) {
    const wm = fitSegment(w.energy, w.temp, options);
    const nm = fitSegment(nw.energy, nw.temp, options);
    const splitPred = usable.map((d) => predictSegment(d.working ? wm : nm, d.tMeanC));
    const splitDaily = fitMetrics(all.energy, splitPred, wm.p + nm.p);
    if (splitDaily.cvRmsePct < splitGain * singleDaily.cvRmsePct) {
      working = wm;
      nonWorking = nm;
      parameters = wm.p + nm.p;
      predicted = splitPred;
      segmentation = 'working/non-working';
    }
  }
  const daily = fitMetrics(all.energy, predicted, parameters);
  const monthly = monthlyMetrics(usable, predicted, parameters, options.minMonthCoverage ?? 0.8);
  return {
    ok: true,
    baseline: { from, to, segmentation, working, nonWorking, parameters, daysUsed: usable.length, daily, monthly, accepted: meetsG14Monthly(monthly) },
  };
}

function segment(days: readonly BaselineDay[], keep: (d: BaselineDay) => boolean): { energy: Float64Array; temp: Float64Array } {
  const kept = days.filter(keep);
  return { energy: Float64Array.from(kept, (d) => d.energyKWh), temp: Float64Array.from(kept, (d) => d.tMeanC) };
}

/** Sums actual and predicted per calendar month over the usable days; months mostly missing are left out. */
function monthlyMetrics(days: readonly BaselineDay[], predicted: readonly number[], p: number, minMonthCoverage: number): FitMetrics {
  const months = new Map<string, { actual: number; predicted: number; days: number }>();
  days.forEach((d, i) => {
    const key = d.date.slice(0, 7);
    const m = months.get(key) ?? { actual: 0, predicted: 0, days: 0 };
    m.actual += d.energyKWh;
    m.predicted += predicted[i]!;
    m.days++;
    months.set(key, m);
  });
  const actual: number[] = [];
  const pred: number[] = [];
  for (const [key, m] of months) {
    if (m.days >= minMonthCoverage * daysInMonth(key)) {
      actual.push(m.actual);
      pred.push(m.predicted);
    }
  }
  return fitMetrics(actual, pred, p);
}

function daysInMonth(yyyyMm: string): number {
  const first = dateToEpochDayMs(`${yyyyMm}-01`);
  const next = new Date(first);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return Math.round((next.getTime() - first) / DAY_MS);
}

