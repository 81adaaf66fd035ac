import { describe, expect, it } from 'vitest';
import { hourlyGrid } from '../../../src/energy/hourly-grid.js';
import { emptySeries } from '../../../src/energy/intervals.js';
import { hourEdgesOfDays, localDays } from '../../../src/energy/local-time.js';

const HOUR_MS = 3_600_000;

/** A measured hourly series whose hour k holds k + 1 kWh, except the hours listed as not covered. */
function series(from: string, to: string, uncovered: number[] = []) {
  const days = localDays(from, to, 'Europe/Paris');
  const s = emptySeries(hourEdgesOfDays(days));
  s.values.forEach((_, k) => {
    s.values[k] = k + 1;
    s.coveredMs[k] = uncovered.includes(k) ? HOUR_MS / 2 : HOUR_MS;
  });
  return { days, s };
}

describe('hourlyGrid (carpet plot cells)', () => {
  it('puts the two 02:00 hours of the autumn DST day (25 h) in one cell, so the day still sums to its consumption', () => {
    const { days, s } = series('2026-10-25', '2026-10-25');
    expect(days[0]!.hours).toBe(25);
    const [day] = hourlyGrid(days, s, [{ date: '2026-10-25', type: 'weekend' }], 'Europe/Paris');
    expect(day!.kWh).toHaveLength(24);
    // Hours 00:00, 01:00, 02:00 (CEST), 02:00 (CET), 03:00 … hold 1, 2, 3, 4, 5 …
    expect(day!.kWh.slice(0, 4)).toEqual([1, 2, 3 + 4, 5]);
    expect(day!.kWh.reduce((a: number, v) => a + v!, 0)).toBe((25 * 26) / 2);
    expect(day!.dayType).toBe('weekend');
  });

  it('leaves the skipped 02:00 of the spring DST day (23 h) and a half-measured hour blank', () => {
    const { days, s } = series('2026-03-29', '2026-03-30', [23 + 9]);
    const grid = hourlyGrid(days, s, [], 'Europe/Paris');
    expect(grid[0]!.kWh[2]).toBeNull();
    expect(grid[0]!.kWh.filter((v) => v === null)).toHaveLength(1);
    expect(grid[0]!.kWh[3]).toBe(3);
    expect(grid[1]!.kWh[9]).toBeNull();
    expect(grid[1]!.kWh[10]).toBe(23 + 10 + 1);
  });
});
