import type { SiteCalendar } from '../energy/calendar.js';

/**
 * What a rule says of one interval for one subject (a site's device): whether its trigger
 * condition holds, whether its clear condition holds, and the figures behind that verdict.
 * Hysteresis rules have a clear condition distinct from "not triggered" (CO2 above 1,500 ppm
 * triggers, below 1,200 ppm clears, in between keeps the current state).
 * An interval a rule cannot judge (no data) has no judgement at all: missing data neither
 * raises nor clears an alert, which is what keeps "no data" from becoming a storm of alerts.
 */
export interface Judgement {
  startMs: number;
  endMs: number;
  trigger: boolean;
  clear: boolean;
  /** The measured figure the verdict is about (kWh in the hour, ppm, hours without change…). */
  measured: number | null;
  /** What was expected or allowed: the threshold, the baseline value, the band edge. */
  expected: number | null;
}

/** Hourly consumption of one meter, the input of the energy rules. */
export interface HourlySeries {
  /** Epoch ms of the start of hour 0; hour i starts at startMs + i * 3,600,000. */
  startMs: number;
  /** Consumption in each hour, in `unit`; NaN where the hour is not fully measured. */
  values: Float64Array;
  /** kWh for electricity and heat, m³ for gas and water. */
  unit: string;
  /** IANA zone of the site: hours of the week, nights and days are local. */
  timezone: string;
  calendar: SiteCalendar;
}

/**
 * A detector over hourly consumption. It judges hours [fromIndex, toIndex) and must be causal:
 * the judgement of hour i reads `values[0..i]` only, so a live evaluation and a backtest over
 * the same history give the same verdicts. Hours it cannot judge are left out of the result.
 */
export type HourlyDetector<P> = (series: HourlySeries, params: P, fromIndex: number, toIndex: number) => Judgement[];
