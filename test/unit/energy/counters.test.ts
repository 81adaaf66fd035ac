import { describe, expect, it } from 'vitest';
import { intervalValuesToIndex, maxRatePerHour, stepsFromIndex, stepsFromPower, type IndexPoint } from '../../../src/energy/counters.js';
import { seriesFromSteps, toIntervalValues } from '../../../src/energy/intervals.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const ids = { site: 's', device: 'tgbt', quantity: 'energy_kwh' as const };
const pts = (values: (number | [number, number])[]): IndexPoint[] =>
  values.map((v, i) => (Array.isArray(v) ? { tsMs: T0 + v[0] * H, value: v[1] } : { tsMs: T0 + i * H, value: v }));
const hourEdges = (n: number) => Float64Array.from({ length: n + 1 }, (_, i) => T0 + i * H);

describe('stepsFromIndex', () => {
  it('turns a regular index into hourly consumption with no correction', () => {
    const r = stepsFromIndex(pts([100, 110, 125, 125, 130]), ids);
    expect(r.steps.map((s) => s.value)).toEqual([10, 15, 0, 5]);
    expect(r.corrections).toEqual([]);
  });

  it('treats a drop below 90 % of the previous index as a reset: the step is the new value', () => {
    const r = stepsFromIndex(pts([1000, 1010, 4, 9]), ids);
    expect(r.steps.map((s) => s.value)).toEqual([10, 4, 5]);
    expect(r.corrections).toEqual([{ ...ids, atMs: T0 + 2 * H, kind: 'reset', detail: expect.stringContaining('new cycle') as string, valueBefore: -1006, valueAfter: 4 }]);
  });

  it('counts another negative step as zero and measures the next step from the last good index', () => {
    const r = stepsFromIndex(pts([1000, 1010, 1005, 1020]), ids);
    // 1005 is 99.5 % of 1010: not a reset. Nothing is counted for it; 1020 − 1010 covers both hours.
    expect(r.steps).toEqual([
      { startMs: T0, endMs: T0 + H, value: 10, estimated: false },
      { startMs: T0 + H, endMs: T0 + 3 * H, value: 10, estimated: true },
    ]);
    expect(r.corrections.map((c) => [c.kind, c.valueBefore, c.valueAfter])).toEqual([
      ['negative-step', -5, 0],
      ['gap-estimated', 10, 10],
    ]);
  });

  it('rejects a step implying more than maxPowerW as a spike, without rebasing on it', () => {
    // 50 kW circuit: at most 50 kWh per hour.
    const r = stepsFromIndex(pts([1000, 1040, 9000, 1090]), { ...ids, maxRatePerHour: maxRatePerHour('energy_kwh', 50_000)!, expectedIntervalMs: H });
    expect(r.steps.map((s) => [s.value, (s.endMs - s.startMs) / H])).toEqual([
      [40, 1],
      [50, 2],
    ]);
    const spike = r.corrections.find((c) => c.kind === 'spike')!;
    expect(spike).toMatchObject({ atMs: T0 + 2 * H, valueBefore: 7960, valueAfter: 0 });
    // 9000 → 1090 was never seen as a reset, because 9000 was never a base.
    expect(r.corrections.some((c) => c.kind === 'reset')).toBe(false);
  });

  it('moves the base after three consistent rejected readings (the index really jumped)', () => {
    const r = stepsFromIndex(pts([1000, 1010, 5000, 5010, 5020, 5030]), { ...ids, maxRatePerHour: 50, expectedIntervalMs: H });
    expect(r.steps.map((s) => s.value)).toEqual([10, 10, 10, 10]);
    // Three rejected readings (5000, 5010, 5020), then the rebase itself.
    expect(r.corrections.filter((c) => c.kind === 'spike')).toHaveLength(4);
    expect(r.corrections.at(-1)!.detail).toContain('base moved from 1010 to 5000');
  });

  it('spreads a gap linearly over the hours it covers and flags them as estimated', () => {
    // Readings at 0 h, 1 h, then 5 h: 40 kWh over 4 hours.
    const r = stepsFromIndex(pts([[0, 100], [1, 110], [5, 150], [6, 160]]), { ...ids, expectedIntervalMs: H });
    expect(r.corrections.map((c) => c.kind)).toEqual(['gap-estimated']);
    const hours = toIntervalValues(seriesFromSteps(hourEdges(6), r.steps));
    expect(hours.map((h) => h.value)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(hours.map((h) => h.estimated)).toEqual([false, true, true, true, true, false]);
    expect(hours.every((h) => h.complete)).toBe(true);
  });

  it('infers the usual interval from the readings (15-minute meter)', () => {
    const q = 900_000;
    const points = [0, 1, 2, 3, 4, 8].map((k) => ({ tsMs: T0 + k * q, value: 10 * k }));
    const r = stepsFromIndex(points, ids);
    expect(r.corrections.map((c) => [c.kind, c.atMs])).toEqual([['gap-estimated', T0 + 8 * q]]);
  });
});

describe('stepsFromPower', () => {
  it('integrates power with the trapezoidal rule, never across a gap over 2 hours', () => {
    const steps = stepsFromPower(pts([[0, 1000], [1, 3000], [2, 3000], [5, 3000], [6, 1000]]));
    expect(steps.map((s) => [s.value, (s.startMs - T0) / H])).toEqual([
      [2, 0],
      [3, 1],
      [2, 5],
    ]);
  });

  it('integrates a 2-hour step (the limit is inclusive)', () => {
    expect(stepsFromPower(pts([[0, 1000], [2, 1000]])).map((s) => s.value)).toEqual([2]);
  });
});

describe('intervalValuesToIndex', () => {
  it('builds the index the historical import stores: 0 at the start, running total at each row end, none for missing rows', () => {
    const rows = [10, null, 20, 5].map((value, i) => ({ startMs: T0 + i * H, endMs: T0 + (i + 1) * H, value }));
    expect(intervalValuesToIndex(rows)).toEqual([
      { tsMs: T0, value: 0 },
      { tsMs: T0 + H, value: 10 },
      { tsMs: T0 + 3 * H, value: 30 },
      { tsMs: T0 + 4 * H, value: 35 },
    ]);
    const r = stepsFromIndex(intervalValuesToIndex(rows), { ...ids, expectedIntervalMs: H });
    expect(r.steps.reduce((s, x) => s + x.value, 0)).toBe(35);
    expect(r.corrections.map((c) => c.kind)).toEqual(['gap-estimated']);
  });
});
