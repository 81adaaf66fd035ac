import { beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/model/reading.js';
import { runBacktest, type BacktestAlert } from '../../../src/rules/backtest.js';
import { compileDefaultRules } from '../../../src/rules/default-rules.js';
import { defaultRegistry } from '../../../src/rules/registry.js';
import { buildings, hours, leadConfig, readingsOf, type HourRow } from '../energy/helpers/lead-fixtures.js';
import { MemoryQuery } from '../energy/helpers/memory-query.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const utc = (s: string) => Date.parse(`${s}Z`);

/**
 * The shipped default rules over a real year of hourly electricity (LEAD/GEPIII building 118, a
 * UK school, no missing hour), with anomalies injected into the data, each in a month of its own.
 * Every injection must be found (an alert of the expected rule overlapping it), and the alerts on
 * months left untouched are counted: they are the false-alert rate of the defaults on this
 * building (some are real, unlabelled events of the data set).
 */
interface Injection {
  name: string;
  fromMs: number;
  toMs: number;
  rules: string[];
  device: string;
  /** At most this many alerts for it: one episode is one alert, never one per hour (five nights are five episodes). */
  maxAlerts: number;
}

const INJECTIONS: Injection[] = [
  { name: 'spike', fromMs: utc('2016-06-08T13:00'), toMs: utc('2016-06-08T14:00'), rules: ['energy-spike-drop'], device: 'meter', maxAlerts: 2 },
  { name: 'drop', fromMs: utc('2016-06-22T08:00'), toMs: utc('2016-06-22T15:00'), rules: ['energy-spike-drop', 'energy-below-baseline'], device: 'meter', maxAlerts: 2 },
  { name: 'flatline', fromMs: utc('2016-07-13T00:00'), toMs: utc('2016-07-14T00:00'), rules: ['energy-flatline'], device: 'meter', maxAlerts: 2 },
  { name: 'gap', fromMs: utc('2016-08-10T10:00'), toMs: utc('2016-08-10T16:00'), rules: ['device-silent'], device: 'meter', maxAlerts: 2 },
  { name: 'night-time load', fromMs: utc('2016-09-12T20:00'), toMs: utc('2016-09-17T06:00'), rules: ['energy-out-of-hours'], device: 'meter', maxAlerts: 5 },
  { name: 'weekend load', fromMs: utc('2016-10-01T00:00'), toMs: utc('2016-10-03T00:00'), rules: ['energy-out-of-hours'], device: 'meter', maxAlerts: 2 },
  { name: 'counter reset', fromMs: utc('2016-10-19T11:00'), toMs: utc('2016-10-19T13:00'), rules: ['counter-integrity'], device: 'meter', maxAlerts: 2 },
];
const UTC_FROM = utc('2016-02-01T00:00');
const UTC_TO = utc('2016-11-01T00:00');
// Control (the same backtest on the data as published, run by hand on 2026-12-01): no alert of
// these rules overlaps any injection window, so each one found here is the injection's.
/** Months with no injection, over which false alerts are counted (February to May 2016). */
const UNTOUCHED = { fromMs: utc('2016-02-01T00:00'), toMs: utc('2016-06-01T00:00'), months: 4 };

function inject(rows: HourRow[]): HourRow[] {
  const out = rows.map((r) => ({ ...r }));
  const at = (ms: number) => out.findIndex((r) => r.startMs === ms);
  const span = (fromMs: number, toMs: number) => out.filter((r) => r.startMs >= fromMs && r.startMs < toMs);
  const dayLevel = (dayMs: number) => {
    const day = span(dayMs + 10 * HOUR, dayMs + 16 * HOUR).map((r) => r.kwh ?? 0);
    return day.reduce((a, b) => a + b, 0) / day.length;
  };
  const [spike, drop, flat, gap, night, weekend] = INJECTIONS;
  out[at(spike!.fromMs)]!.kwh! *= 4;
  for (const r of span(drop!.fromMs, drop!.toMs)) r.kwh = 0.5;
  for (const r of span(flat!.fromMs, flat!.toMs)) r.kwh = 300;
  for (const r of span(gap!.fromMs, gap!.toMs)) r.kwh = null;
  // nights run at the level of the day before them (lighting and ventilation left on)
  for (let d = night!.fromMs - 20 * HOUR; d < night!.toMs - 6 * HOUR; d += DAY) {
    const level = dayLevel(d);
    for (const r of span(d + 20 * HOUR, d + 30 * HOUR)) r.kwh = level;
  }
  // a weekend heated and lit like the Friday before it
  const friday = dayLevel(weekend!.fromMs - DAY);
  for (const r of span(weekend!.fromMs + 6 * HOUR, weekend!.toMs - 4 * HOUR)) r.kwh = friday;
  return out;
}

/** The meter is replaced at 12:00: its index starts again from zero. */
function resetIndex(readings: Reading[], atMs: number): Reading[] {
  const base = readings.filter((r) => r.device === 'meter' && r.tsMs < atMs).at(-1)!.value;
  return readings.map((r) => (r.device === 'meter' && r.tsMs >= atMs ? { ...r, value: r.value - base } : r));
}

const overlaps = (a: BacktestAlert, fromMs: number, toMs: number) => Date.parse(a.start) < toMs && (a.end === null || Date.parse(a.end) > fromMs);

describe('shipped default rules on a real LEAD building with injected anomalies (backtest)', () => {
  let alerts: BacktestAlert[];
  let failures: number;

  beforeAll(async () => {
    const building = buildings().find((b) => b.id === '118')!;
    const config = leadConfig([building]);
    const readings = resetIndex(readingsOf(building, inject(hours(building.id))), utc('2016-10-19T12:00'));
    const query = new MemoryQuery().add(readings);
    const result = await runBacktest({
      config, query, site: 'b118', fromMs: UTC_FROM, toMs: UTC_TO,
      rules: { configured: [], defaults: compileDefaultRules(defaultRegistry(), config), source: 'the shipped defaults' },
    });
    alerts = result.alerts;
    failures = result.failures;
  }, 180_000);

  it('evaluates without a failure', () => {
    expect(failures).toBe(0);
  });

  it.each(INJECTIONS.map((i) => [i.name, i] as const))('finds the injected %s', (_name, inj) => {
    const found = alerts.filter((a) => a.device === inj.device && inj.rules.includes(a.rule) && overlaps(a, inj.fromMs, inj.toMs));
    expect(found, `alerts near it: ${JSON.stringify(alerts.filter((a) => overlaps(a, inj.fromMs - DAY, inj.toMs + DAY)))}`).not.toEqual([]);
    expect(found.length).toBeLessThanOrEqual(inj.maxAlerts);
  });

  it('the reset is one counter-integrity alert, and the only one of the year', () => {
    expect(alerts.filter((a) => a.rule === 'counter-integrity')).toHaveLength(1);
  });

  it('raises at most 2 energy alerts per month on the untouched months (the calibration target)', () => {
    const energy = alerts.filter((a) => a.device === 'meter' && overlaps(a, UNTOUCHED.fromMs, UNTOUCHED.toMs));
    expect(energy.length, JSON.stringify(energy, null, 1)).toBeLessThanOrEqual(2 * UNTOUCHED.months);
  });
});
