import type { IndexPoint } from './counters.js';
import { HOUR_MS, localHourOf, type LocalDay } from './local-time.js';

/**
 * Degree days (DJU, degrés-jours unifiés) per LOCAL day of the site (23- and 25-hour days included).
 *
 * Méthode "météo" (Météo-France): DJU = max(0, S − (Tn + Tx) / 2).
 * Méthode COSTIC (used by heating engineers; it keeps the part of a mild day below S):
 *   Tx ≤ S: S − (Tn + Tx) / 2;  Tn ≥ S: 0;  otherwise (S − Tn) · (0.08 + 0.42 · (S − Tn) / (Tx − Tn)).
 * Cooling degree days (for the baseline): max(0, (Tn + Tx) / 2 − S).
 * Tn and Tx are the minimum and maximum of the day's readings.
 */
export type DjuMethod = 'meteo' | 'costic';

export function hddMeteo(tMinC: number, tMaxC: number, baseC: number): number {
  return Math.max(0, baseC - (tMinC + tMaxC) / 2);
}

export function hddCostic(tMinC: number, tMaxC: number, baseC: number): number {
  if (tMaxC <= baseC) return baseC - (tMinC + tMaxC) / 2;
  if (tMinC >= baseC) return 0;
  return (baseC - tMinC) * (0.08 + (0.42 * (baseC - tMinC)) / (tMaxC - tMinC));
}

export function cddMeteo(tMinC: number, tMaxC: number, baseC: number): number {
  return Math.max(0, (tMinC + tMaxC) / 2 - baseC);
}

export function hdd(method: DjuMethod, tMinC: number, tMaxC: number, baseC: number): number {
  return method === 'costic' ? hddCostic(tMinC, tMaxC, baseC) : hddMeteo(tMinC, tMaxC, baseC);
}

export interface DailyTemperature {
  date: string;
  startMs: number;
  endMs: number;
  /** 23, 24 or 25. */
  hours: number;
  /** NaN when the day has no reading. */
  tMinC: number;
  tMaxC: number;
  /** Mean of the readings (what CalTRACK uses for HDD/CDD of the baseline). */
  tMeanC: number;
  readings: number;
  /** Distinct hours of the day with at least one reading. */
  hoursWithData: number;
  /** False when the day has too little data for a trustworthy Tn/Tx (see `reason`). */
  sufficient: boolean;
  reason?: string;
}

export interface DailyTemperatureOptions {
  /** Share of the day's hours that need a reading (default 0.75: 18 of 24, 17 of 23, 19 of 25). */
  minHourShare?: number;
}

/**
 * Tn/Tx/mean per local day. A day is insufficient, and gets no degree days (it is omitted from
 * sums and from the baseline, never filled), unless readings cover ≥ minHourShare of its hours AND
 * include one between 00:00 and 08:59 local (where Tn usually falls) and one between 12:00 and
 * 17:59 (Tx): without them Tn or Tx would be biased.
 */
export function dailyTemperatures(points: readonly IndexPoint[], days: readonly LocalDay[], timezone: string, options: DailyTemperatureOptions = {}): DailyTemperature[] {
  const minHourShare = options.minHourShare ?? 0.75;
  const out: DailyTemperature[] = [];
  let i = 0;
  for (const day of days) {
    while (i < points.length && points[i]!.tsMs < day.startMs) i++;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    let hourMask = 0;
    let night = false;
    let afternoon = false;
    for (; i < points.length && points[i]!.tsMs < day.endMs; i++) {
      const p = points[i]!;
      if (!Number.isFinite(p.value)) continue;
      if (p.value < min) min = p.value;
      if (p.value > max) max = p.value;
      sum += p.value;
      n++;
      hourMask |= 1 << Math.floor((p.tsMs - day.startMs) / HOUR_MS);
      const h = localHourOf(p.tsMs, timezone);
      if (h < 9) night = true;
      else if (h >= 12 && h < 18) afternoon = true;
    }
    const hoursWithData = popcount(hourMask);
    let reason: string | undefined;
    if (n === 0) reason = 'no temperature reading';
    else if (hoursWithData < Math.ceil(minHourShare * day.hours)) reason = `readings in ${hoursWithData} of ${day.hours} hours (< ${minHourShare * 100} %)`;
    else if (!night) reason = 'no reading between 00:00 and 08:59 (Tn)';
    else if (!afternoon) reason = 'no reading between 12:00 and 17:59 (Tx)';
    out.push({
      date: day.date,
      startMs: day.startMs,
      endMs: day.endMs,
      hours: day.hours,
      tMinC: n > 0 ? min : NaN,
      tMaxC: n > 0 ? max : NaN,
      tMeanC: n > 0 ? sum / n : NaN,
      readings: n,
      hoursWithData,
      sufficient: reason === undefined,
      ...(reason !== undefined ? { reason } : {}),
    });
  }
  return out;
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}

export interface DegreeDayOptions {
  baseC?: number;
  method?: DjuMethod;
  /** Base of the cooling degree days (default: baseC). */
  coolingBaseC?: number;
}

export interface DegreeDay {
  date: string;
  /** Heating degree days (DJU), °C·day; null on an insufficient day. */
  hddC: number | null;
  /** Cooling degree days, °C·day; null on an insufficient day. */
  cddC: number | null;
}

export function degreeDays(daily: readonly DailyTemperature[], options: DegreeDayOptions = {}): DegreeDay[] {
  const baseC = options.baseC ?? 18;
  const method = options.method ?? 'meteo';
  const coolingBaseC = options.coolingBaseC ?? baseC;
  return daily.map((d) => ({
    date: d.date,
    hddC: d.sufficient ? hdd(method, d.tMinC, d.tMaxC, baseC) : null,
    cddC: d.sufficient ? cddMeteo(d.tMinC, d.tMaxC, coolingBaseC) : null,
  }));
}

export interface DegreeDaySum {
  hddC: number;
  cddC: number;
  daysUsed: number;
  /** Dates omitted for lack of data: the sums do not cover them. */
  daysOmitted: string[];
}

export function sumDegreeDays(rows: readonly DegreeDay[]): DegreeDaySum {
  const out: DegreeDaySum = { hddC: 0, cddC: 0, daysUsed: 0, daysOmitted: [] };
  for (const r of rows) {
    if (r.hddC === null || r.cddC === null) {
      out.daysOmitted.push(r.date);
      continue;
    }
    out.hddC += r.hddC;
    out.cddC += r.cddC;
    out.daysUsed++;
  }
  return out;
}
