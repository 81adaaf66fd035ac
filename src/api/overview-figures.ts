import type { EnergyCarrier } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import { slotOf, type HourOfWeekSlot } from '../energy/baseline/hour-of-week.js';
import type { DayType } from '../energy/calendar.js';
import { coverageProblem, hourlyCoverage, type Coverage } from '../energy/coverage.js';
import type { IntervalSeries } from '../energy/intervals.js';
import type { SiteConsumption } from '../energy/site-data.js';
import { finalEnergyHourly } from '../energy/site-kpis.js';
import { problems as fromAnalytics } from './analytics-answers.js';
import { MIN_SLOT_WEEKS } from './hourly-profile-answer.js';
import { problemOf, type Problem } from './problems.js';

/** What the site's hour-of-week profile is for the overview: ready, not to be had (and why), or still being fitted. */
export type ProfileState = { kind: 'ready'; profile: readonly HourOfWeekSlot[]; period: { from: string; to: string } } | { kind: 'none'; problems: Problem[] } | { kind: 'computing' };

export interface CarrierToday {
  carrier: EnergyCarrier;
  /** kWh for electricity and heat, m3 for gas and water (the meter's unit). */
  unit: string;
  /** Sum over the measured hours; null when no elapsed hour is measured. */
  value: number | null;
  measuredHours: number;
}

export interface TodayAgainstBaseline {
  status: 'ok' | 'unavailable' | 'computing';
  referencePeriod: { from: string; to: string } | null;
  /** Elapsed hours of today measured by every energy meter and with a stated slot: the hours compared. */
  comparedHours: number;
  actualKWh: number | null;
  /** Sum of the slots' medians over the compared hours. */
  expectedKWh: number | null;
  /** Sums of the slots' P10 and P90 over the compared hours. */
  lowKWh: number | null;
  highKWh: number | null;
  /** (actual − expected) / expected, %; null without a comparison or with an expected 0. */
  deviationPct: number | null;
  /** Whether actualKWh lies within [lowKWh, highKWh]; null without a comparison. */
  withinBand: boolean | null;
  problems: Problem[];
}

export interface TodayFigures {
  date: string;
  fromMs: number;
  /** End of the last complete hour: figures cover [fromMs, untilMs). */
  untilMs: number;
  elapsedHours: number;
  carriers: CarrierToday[];
  /** Final energy (gas converted, water left out) over the hours every carrier measured. */
  finalKWh: number | null;
  finalMeasuredHours: number;
  baseline: TodayAgainstBaseline;
}

export interface MonthFigures {
  from: string;
  untilMs: number;
  kWh: number | null;
  kWhPerM2: number | null;
  floorAreaM2: number;
  coverage: Coverage;
  problems: Problem[];
}

const measured = (s: IntervalSeries, i: number): boolean => s.coveredMs[i]! >= s.edges[i + 1]! - s.edges[i]! - 1 && s.estimatedMs[i]! === 0;

function slice(s: IntervalSeries, from: number, to: number): IntervalSeries {
  return { edges: s.edges.subarray(from, to + 1), values: s.values.subarray(from, to), coveredMs: s.coveredMs.subarray(from, to), estimatedMs: s.estimatedMs.subarray(from, to) };
}

/** Indexes [first, end) of the hours of `edges` in [fromMs, untilMs). */
function hourRange(edges: Float64Array, fromMs: number, untilMs: number): [number, number] {
  let first = 0;
  while (first < edges.length - 1 && edges[first]! < fromMs) first++;
  let end = first;
  while (end < edges.length - 1 && edges[end + 1]! <= untilMs) end++;
  return [first, end];
}

function againstProfile(final: IntervalSeries, [first, end]: [number, number], state: ProfileState, dayType: DayType, date: string, timezone: string, measuredHours: number, elapsedHours: number): TodayAgainstBaseline {
  const none = (status: TodayAgainstBaseline['status'], problems: Problem[], period: { from: string; to: string } | null = null): TodayAgainstBaseline => ({ status, referencePeriod: period, comparedHours: 0, actualKWh: null, expectedKWh: null, lowKWh: null, highKWh: null, deviationPct: null, withinBand: null, problems });
  if (state.kind === 'computing') return none('computing', []);
  if (state.kind === 'none') return none('unavailable', state.problems);
  // The profile leaves holidays and closures out (hour-of-week.ts): it says nothing about such a day.
  if (dayType === 'holiday' || dayType === 'closure') return none('unavailable', [problemOf('profile-unusual-day', { date, dayType })], state.period);
  let compared = 0;
  let thin = 0;
  let actual = 0;
  let expected = 0;
  let low = 0;
  let high = 0;
  for (let i = first; i < end; i++) {
    if (!measured(final, i)) continue;
    const slot = state.profile[slotOf(final.edges[i]!, timezone)];
    if (!slot || slot.count < MIN_SLOT_WEEKS || !Number.isFinite(slot.median)) {
      thin++;
      continue;
    }
    compared++;
    actual += final.values[i]!;
    expected += slot.median;
    low += slot.p10;
    high += slot.p90;
  }
  const why: Problem[] = [];
  if (thin > 0) why.push(problemOf('hourly-profile-few-weeks', { hours: thin, minWeeks: MIN_SLOT_WEEKS }));
  if (compared === 0) {
    if (measuredHours === 0) why.push(problemOf('no-measured-hour-today', { elapsedHours }));
    return none('unavailable', why, state.period);
  }
  const deviationPct = expected > 0 ? ((actual - expected) / expected) * 100 : null;
  // A thousandth of a kWh of slack: sums of the same hourly values in another order.
  const withinBand = actual >= low - 1e-6 && actual <= high + 1e-6;
  return { status: 'ok', referencePeriod: state.period, comparedHours: compared, actualKWh: actual, expectedKWh: expected, lowKWh: low, highKWh: high, deviationPct, withinBand, problems: why };
}

/**
 * Today so far and the month to date of one site, from its consumption of the month (the
 * analytics' cached month, site-data-cache.ts: the same hours the site page and the comparison
 * count). Only complete hours are counted; a figure is the sum of the hours measured, with their
 * number, and today is set against the hour-of-week profile over the same hours only.
 */
export function siteOverviewFigures(input: { site: SiteConfig; nowMs: number; todayStartMs: number; today: string; monthFrom: string; dayType: DayType; month: SiteConsumption; gasKWhPerM3: number; profile: ProfileState }): { today: TodayFigures; month: MonthFigures } {
  const { site, nowMs, month } = input;
  const edges = month.hourEdges;
  const hourStart = (() => {
    let k = 0;
    while (k < edges.length - 1 && edges[k + 1]! <= nowMs) k++;
    return edges[k]!;
  })();
  const todayHours = hourRange(edges, input.todayStartMs, hourStart);
  const elapsedHours = todayHours[1] - todayHours[0];
  const carriers: CarrierToday[] = [...month.byCarrier.values()].map((c) => {
    let value = 0;
    let n = 0;
    for (let i = todayHours[0]; i < todayHours[1]; i++) {
      if (!measured(c.hourly, i)) continue;
      value += c.hourly.values[i]!;
      n++;
    }
    return { carrier: c.carrier, unit: c.unit, value: n > 0 ? value : null, measuredHours: n };
  });
  const final = finalEnergyHourly(month, input.gasKWhPerM3);
  let finalKWh = 0;
  let finalHours = 0;
  if (month.byCarrier.size > 0) {
    for (let i = todayHours[0]; i < todayHours[1]; i++) {
      if (!measured(final, i)) continue;
      finalKWh += final.values[i]!;
      finalHours++;
    }
  }
  const noMeter = month.byCarrier.size === 0;
  const baseline: TodayAgainstBaseline = noMeter
    ? { status: 'unavailable', referencePeriod: null, comparedHours: 0, actualKWh: null, expectedKWh: null, lowKWh: null, highKWh: null, deviationPct: null, withinBand: null, problems: [problemOf('no-energy-meter', { site: site.id })] }
    : againstProfile(final, todayHours, input.profile, input.dayType, input.today, site.timezone, finalHours, elapsedHours);

  // Month to date: every elapsed hour of the month, under the coverage rule of every energy figure.
  const [m0, m1] = hourRange(edges, edges[0]!, hourStart);
  const coverage = hourlyCoverage(slice(final, m0, m1));
  const monthProblems: Problem[] = noMeter ? [problemOf('no-energy-meter', { site: site.id })] : coverage.sufficient ? [] : fromAnalytics([coverageProblem(coverage)]);
  const stated = !noMeter && coverage.sufficient;
  let monthKWh = 0;
  for (let i = m0; i < m1; i++) monthKWh += final.values[i]!;
  return {
    today: { date: input.today, fromMs: input.todayStartMs, untilMs: hourStart, elapsedHours, carriers, finalKWh: finalHours > 0 ? finalKWh : null, finalMeasuredHours: finalHours, baseline },
    month: { from: input.monthFrom, untilMs: hourStart, kWh: stated ? monthKWh : null, kWhPerM2: stated ? monthKWh / site.floorAreaM2 : null, floorAreaM2: site.floorAreaM2, coverage, problems: monthProblems },
  };
}
