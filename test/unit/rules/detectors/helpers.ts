import { DEFAULT_CALENDAR } from '../../../../src/energy/calendar.js';
import { HOUR_MS } from '../../../../src/energy/local-time.js';
import type { HourlySeries, Judgement } from '../../../../src/rules/judgement.js';
import type { HourlyRuleType } from '../../../../src/rules/detectors/rule-type.js';
import { buildings, hours } from '../../energy/helpers/lead-fixtures.js';

/** A fixture building's hourly kWh as the energy rules get it (no labels in the fixtures). */
export function fixtureSeries(buildingId: string): HourlySeries {
  const b = buildings().find((x) => x.id === buildingId);
  if (!b) throw new Error(`no fixture building ${buildingId}`);
  const rows = hours(buildingId);
  return {
    startMs: rows[0]!.startMs,
    values: Float64Array.from(rows, (r) => (r.kwh === null ? NaN : r.kwh)),
    unit: 'kWh',
    timezone: b.timezone,
    calendar: { country: b.country, ...DEFAULT_CALENDAR },
  };
}

/** Row of a fixture hour by its published local label (`2016-04-13T10:00`): rows are a regular hourly index from the first label. */
export function rowOf(label: string): number {
  return (Date.parse(`${label}:00Z`) - Date.parse('2016-01-01T00:00:00Z')) / HOUR_MS;
}

export function withValues(series: HourlySeries, edit: (values: Float64Array) => void): HourlySeries {
  const values = Float64Array.from(series.values);
  edit(values);
  return { ...series, values };
}

/**
 * Judges [from, to) the way a live evaluation does: one day at a time, each with only the data
 * before the end of that day.
 */
export function judgeDaily<P>(type: HourlyRuleType<P>, params: P, series: HourlySeries, from: number, to: number): Judgement[] {
  const out: Judgement[] = [];
  for (let a = from; a < to; a += 24) {
    const b = Math.min(a + 24, to);
    out.push(...type.detect({ ...series, values: series.values.subarray(0, b) }, params, a, b));
  }
  return out;
}

/** Indexes of the hours that triggered. */
export function triggered(series: HourlySeries, judgements: readonly Judgement[]): number[] {
  return judgements.filter((j) => j.trigger).map((j) => (j.startMs - series.startMs) / HOUR_MS);
}

export function countIn(indexes: readonly number[], from: number, to: number): number {
  return indexes.filter((i) => i >= from && i < to).length;
}
