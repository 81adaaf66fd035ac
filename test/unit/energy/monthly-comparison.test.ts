import { describe, expect, it } from 'vitest';
import { monthlyComparison } from '../../../src/energy/monthly-comparison.js';

const day = (date: string, actualKWh: number | null, expectedKWh: number | null) => ({ date, dayType: 'working' as const, actualKWh, expectedKWh, expectedLowKWh: null, expectedHighKWh: null, tMeanC: null });

describe('monthlyComparison', () => {
  it('sums the days of each month, and states no sum for a month with an unmeasured day', () => {
    const months = monthlyComparison([day('2016-01-30', 10, 9), day('2016-01-31', 20, 21), day('2016-02-01', 5, 6), day('2016-02-02', null, 6)]);
    expect(months).toEqual([
      { month: '2016-01', days: 2, actualKWh: 30, expectedKWh: 30, measuredDays: 2 },
      { month: '2016-02', days: 2, actualKWh: null, expectedKWh: 12, measuredDays: 1 },
    ]);
  });
});
