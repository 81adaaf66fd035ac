import type { EnergyCarrier } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import { heatingDaily, predictDaily, type BaselineDay, type BaselineResult } from './baseline/daily-baseline.js';
import type { DayType, NonWorkingDetection, SiteCalendar, TypedDay } from './calendar.js';
import type { Correction } from './counters.js';
import { decretStatus, type DecretStatus } from './decret-tertiaire.js';
import { degreeDays, sumDegreeDays, type DailyTemperature, type DjuMethod } from './degree-days.js';
import { emptySeries, rollUp, type IntervalSeries } from './intervals.js';
import { climateCorrectedKWh, cusum, deviationFromBaseline, loadSplit, openHourMask, referenceDjuSameCalendarDays, type Deviation, type LoadSplit } from './kpis.js';
import { DAY_MS, dayEdges, type LocalDay } from './local-time.js';
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
  /** Décret tertiaire reference consumption when the config has none (measured over the reference year). */
  decretReferenceKWh?: number;
}

export interface SiteKpis {
  site: string;
  from: string;
  to: string;
  floorAreaM2: number;
  consumption: Partial<Record<EnergyCarrier, { total: number; unit: string; estimatedHours: number }>>;
  finalEnergyKWh: number;
  kWhPerM2: number;
  /** Share of the period's hours measured by every energy meter (0 = no data: the figures above mean nothing). */
  measuredShare: number;
  dju: { method: DjuMethod; baseC: number; hddC: number; cddC: number; daysOmitted: string[] } | null;
  climateCorrected: { kWh: number; kWhPerM2: number; heatingKWh: number; actualDju: number; referenceDju: number; reference: 'normal-year' | 'baseline-period' } | { unavailable: string };
  baseline: { accepted: boolean; segmentation: string; monthlyCvRmsePct: number; monthlyNmbePct: number } | { problems: string[] };
  deviation: Deviation | null;
  cusum: { date: string; cusumKWh: number; known: boolean }[] | null;
  load: LoadSplit | null;
  decret: DecretStatus | { unavailable: string } | null;
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
  temperatures: DailyTemperature[] | null;
  baseline: BaselineResult;
  options: KpiOptions;
}

export function computeSiteKpis(input: SiteKpiInput): SiteKpis {
  const { site, days, typed, consumption, temperatures, baseline, options } = input;
  const from = days[0]!.date;
  const to = days[days.length - 1]!.date;
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
  const hourly = finalEnergyHourly(consumption, options.gasKWhPerM3);
  const daily = rollUp(hourly, dayEdges(days));
  const finalKWh = hourly.values.reduce((s, v) => s + v, 0);
  let coveredMs = 0;
  for (let i = 0; i < hourly.values.length; i++) coveredMs += Math.min(hourly.coveredMs[i]!, hourly.edges[i + 1]! - hourly.edges[i]!);
  const spanMs = hourly.edges.length > 1 ? hourly.edges[hourly.edges.length - 1]! - hourly.edges[0]! : 0;

  const ddRows = temperatures ? degreeDays(temperatures, { baseC: options.baseC, method: options.djuMethod }) : null;
  const ddSum = ddRows ? sumDegreeDays(ddRows) : null;
  const bDays = toBaselineDays(days, daily, temperatures, typed);

  let deviation: Deviation | null = null;
  let cusumRows: SiteKpis['cusum'] = null;
  let climate: SiteKpis['climateCorrected'] = { unavailable: 'no accepted baseline to separate the heating-dependent part' };
  if (baseline.ok) {
    const predicted = predictDaily(baseline.baseline, bDays);
    const actual = Float64Array.from(bDays, (d) => d.energyKWh);
    deviation = deviationFromBaseline(actual, predicted);
    cusumRows = cusum(bDays.map((d) => d.date), actual, predicted);
    const heating = heatingDaily(baseline.baseline, bDays).reduce((s, v) => (Number.isFinite(v) ? s + v : s), 0);
    const reference = referenceDju(days, options);
    if (!ddSum) climate = { unavailable: 'no outdoor temperature' };
    else if (!reference) climate = { unavailable: 'no reference DJU (no normal year configured and no baseline DJU)' };
    else {
      const kWh = climateCorrectedKWh({ energyKWh: finalKWh, heatingKWh: heating, actualDju: ddSum.hddC, referenceDju: reference.dju });
      climate = { kWh, kWhPerM2: kWh / site.floorAreaM2, heatingKWh: heating, actualDju: ddSum.hddC, referenceDju: reference.dju, reference: reference.source };
    }
  }
  const electricity = consumption.byCarrier.get('electricity');
  const dayTypes = new Map<string, DayType>(typed.map((t) => [t.date, t.type]));
  const load = electricity ? loadSplit(electricity.hourly, openHourMask(electricity.hourly, dayTypes, input.calendar, site.timezone), site.timezone) : null;

  return {
    site: site.id,
    from,
    to,
    floorAreaM2: site.floorAreaM2,
    consumption: byCarrier,
    finalEnergyKWh: finalKWh,
    kWhPerM2: finalKWh / site.floorAreaM2,
    measuredShare: spanMs > 0 ? coveredMs / spanMs : 0,
    dju: ddSum ? { method: options.djuMethod, baseC: options.baseC, hddC: ddSum.hddC, cddC: ddSum.cddC, daysOmitted: ddSum.daysOmitted } : null,
    climateCorrected: climate,
    baseline: baseline.ok
      ? { accepted: baseline.baseline.accepted, segmentation: baseline.baseline.segmentation, monthlyCvRmsePct: baseline.baseline.monthly.cvRmsePct, monthlyNmbePct: baseline.baseline.monthly.nmbePct }
      : { problems: baseline.problems },
    deviation,
    cusum: cusumRows,
    load,
    decret: decret(site, days, 'kWh' in climate ? climate.kWh : finalKWh, options.decretReferenceKWh),
    calendar: { source: input.calendarSource, ...(input.nonWorkingCandidates ? { nonWorkingCandidates: input.nonWorkingCandidates } : {}) },
    corrections: consumption.corrections,
  };
}

function referenceDju(days: readonly LocalDay[], options: KpiOptions): { dju: number; source: 'normal-year' | 'baseline-period' } | null {
  if (options.normalDju !== undefined) return { dju: options.normalDju, source: 'normal-year' };
  if (!options.baselineDju) return null;
  const ref = referenceDjuSameCalendarDays(days.map((d) => d.date), options.baselineDju);
  return ref.daysMissing > days.length / 10 ? null : { dju: ref.dju, source: 'baseline-period' };
}

function decret(site: SiteConfig, days: readonly LocalDay[], actualKWh: number, measuredReferenceKWh?: number): SiteKpis['decret'] {
  const cfg = site.decretTertiaire;
  if (!cfg) return null;
  const referenceKWh = cfg.referenceConsumptionKWh ?? measuredReferenceKWh;
  if (referenceKWh === undefined) return { unavailable: `no consumption for reference year ${cfg.referenceYear}: set decretTertiaire.referenceConsumptionKWh` };
  const year = Number(days[days.length - 1]!.date.slice(0, 4));
  const daysInYear = (Date.UTC(year + 1, 0, 1) - Date.UTC(year, 0, 1)) / DAY_MS;
  return decretStatus({ referenceYear: cfg.referenceYear, referenceKWh, year, actualKWh, yearFraction: Math.min(1, days.length / daysInYear) });
}
