import { describe, expect, it } from 'vitest';
import { hourOfWeekProfile, predictHourly, slotOf } from '../../../src/energy/baseline/hour-of-week.js';
import { siteCalendar } from '../../../src/energy/calendar.js';
import { decretReduction, decretStatus, finalPrediction, seasonalShare, wholeCalendarYears } from '../../../src/energy/decret-tertiaire.js';
import { emptySeries } from '../../../src/energy/intervals.js';
import { climateCorrectedKWh, cusum, deviationFromBaseline, finalEnergyKWh, loadSplit, openHourMask, referenceDjuSameCalendarDays } from '../../../src/energy/kpis.js';
import { hourEdgesOfDays, localDays, localHourOf } from '../../../src/energy/local-time.js';
import { rankSites } from '../../../src/energy/ranking.js';

describe('consumption KPIs', () => {
  it('final energy sums carriers, converts gas and leaves water out', () => {
    expect(finalEnergyKWh({ electricity: 1000, gas: 100, water: 50, heat: 10 }, 11)).toBe(1000 + 1100 + 10);
  });

  it('climate correction scales only the heating part by reference DJU / actual DJU', () => {
    // 100,000 kWh of which 40,000 for heating in a mild year (1,800 DJU) vs a 2,400 DJU reference.
    expect(climateCorrectedKWh({ energyKWh: 100_000, heatingKWh: 40_000, actualDju: 1800, referenceDju: 2400 })).toBeCloseTo(60_000 + 40_000 * (4 / 3), 6);
    expect(climateCorrectedKWh({ energyKWh: 100_000, heatingKWh: 0, actualDju: 1800, referenceDju: 2400 })).toBe(100_000);
    expect(climateCorrectedKWh({ energyKWh: 100_000, heatingKWh: 5, actualDju: 0, referenceDju: 2400 })).toBe(100_000);
  });

  it('reference DJU from the baseline period on the same calendar days (29 Feb falls back to 28 Feb)', () => {
    const base = new Map<string, number | null>([['2023-02-28', 10], ['2023-03-01', 8], ['2023-03-02', null]]);
    expect(referenceDjuSameCalendarDays(['2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02'], base)).toEqual({ dju: 28, daysMissing: 1 });
  });

  it('deviation and CUSUM compare only the days where both values are known', () => {
    const actual = [110, 90, NaN, 120];
    const predicted = [100, 100, 100, 100];
    expect(deviationFromBaseline(actual, predicted)).toEqual({ actualKWh: 320, predictedKWh: 300, deviationKWh: 20, deviationPct: (100 * 20) / 300, days: 3 });
    expect(cusum(['d1', 'd2', 'd3', 'd4'], actual, predicted).map((c) => [c.cusumKWh, c.known])).toEqual([
      [10, true],
      [0, true],
      [0, false],
      [20, true],
    ]);
  });
});

describe('baseload and out-of-hours share', () => {
  const tz = 'Europe/Paris';
  // Mon 23 … Sun 29 March 2026 (the Sunday has 23 hours).
  const days = localDays('2026-03-23', '2026-03-29', tz);
  const edges = hourEdgesOfDays(days);
  const calendar = siteCalendar({ country: 'FR', calendar: { workingDays: [1, 2, 3, 4, 5], closures: [], openingHours: { from: '08:00', to: '18:00' } } });
  const typed = new Map(days.map((d) => [d.date, new Date(`${d.date}T00:00:00Z`).getUTCDay() % 6 === 0 ? ('weekend' as const) : ('working' as const)]));

  it('opening hours, baseload as the median of daily closed-hour minima, out-of-hours share', () => {
    const s = emptySeries(edges);
    for (let i = 0; i < s.values.length; i++) {
      const start = edges[i]!;
      const h = localHourOf(start, tz);
      const weekend = typed.get(days.find((d) => start >= d.startMs && start < d.endMs)!.date) === 'weekend';
      s.values[i] = !weekend && h >= 8 && h < 18 ? 50 : 10;
      s.coveredMs[i] = edges[i + 1]! - start;
    }
    // One odd night (Tuesday 03:00 at 2 kWh) must not set the baseload.
    const odd = Array.from(edges).findIndex((t) => t === Date.UTC(2026, 2, 24, 2));
    s.values[odd] = 2;
    const mask = openHourMask(s, typed, calendar, tz);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(5 * 10);
    const split = loadSplit(s, mask, tz);
    const hours = s.values.length;
    expect(hours).toBe(7 * 24 - 1);
    const total = 50 * 50 + 10 * (hours - 50) - 8;
    expect(split.totalKWh).toBe(total);
    expect(split.outOfHoursKWh).toBe(total - 2500);
    expect(split.outOfHoursShare).toBeCloseTo((total - 2500) / total, 12);
    expect(split.baseloadKW).toBe(10);
    expect(split.daysWithClosedHours).toBe(7);
    expect(split.baseloadShare).toBeCloseTo((10 * hours) / total, 12);
  });

  it('hour-of-week profile: 168 slots with median and P10/P90, holidays excluded', () => {
    const s = emptySeries(edges);
    for (let i = 0; i < s.values.length; i++) {
      s.values[i] = localHourOf(edges[i]!, tz);
      s.coveredMs[i] = edges[i + 1]! - edges[i]!;
    }
    const profile = hourOfWeekProfile(s, tz, new Set(['2026-03-25']));
    expect(profile).toHaveLength(168);
    expect(slotOf(Date.UTC(2026, 2, 23, 7), tz)).toBe(8); // Monday 08:00 local
    expect(profile[8]).toEqual({ slot: 8, median: 8, p10: 8, p90: 8, count: 1 });
    // Wednesday excluded; Sunday 02:00 does not exist on 29 March 2026.
    expect(profile[2 * 24 + 10]!.count).toBe(0);
    expect(profile[6 * 24 + 2]!.count).toBe(0);
    expect(predictHourly(profile, edges, tz)[9]).toBe(9);
  });
});

describe('Décret tertiaire', () => {
  it('interpolates the reduction target linearly between the reference year and the milestones', () => {
    expect(decretReduction(2019, 2019)).toBe(0);
    expect(decretReduction(2019, 2030)).toBeCloseTo(0.4, 12);
    expect(decretReduction(2019, 2025)).toBeCloseTo((0.4 * 6) / 11, 12);
    expect(decretReduction(2019, 2035)).toBeCloseTo(0.45, 12);
    expect(decretReduction(2019, 2050)).toBeCloseTo(0.6, 12);
    expect(decretReduction(2019, 2060)).toBeCloseTo(0.6, 12);
  });

  it('tells whether the site is on track and by how many kWh', () => {
    const s = decretStatus({ referenceYear: 2019, referenceKWh: 296_000, year: 2026, actualKWh: 250_000 });
    const target = 296_000 * (1 - (0.4 * 7) / 11);
    expect(s.targetKWh).toBeCloseTo(target, 6);
    expect(s.gapKWh).toBeCloseTo(250_000 - target, 6);
    expect(s.status).toBe('behind');
    expect(s.milestones.map((m) => m.targetKWh)).toEqual([177_600, 148_000, 118_400]);
    expect(decretStatus({ referenceYear: 2019, referenceKWh: 296_000, year: 2026, actualKWh: 200_000 }).status).toBe('on-track');
    const half = decretStatus({ referenceYear: 2019, referenceKWh: 296_000, year: 2026, actualKWh: 100_000, periodShare: 0.5, proration: 'baseline-expected' });
    expect(half.proration).toBe('baseline-expected');
    expect(half.targetKWh).toBeCloseTo(target / 2, 6);
    expect(half.reductionAchievedPct).toBeCloseTo((1 - 100_000 / 148_000) * 100, 9);
  });

  it('weighs a part year by the expected consumption of its days, not by their count', () => {
    // A heated building: 300 kWh a day in January, 100 in July, 200 otherwise (a common year).
    const expected = new Map<string, number>();
    for (let t = Date.UTC(2025, 0, 1); t < Date.UTC(2026, 0, 1); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      const month = date.slice(5, 7);
      expected.set(date, month === '01' ? 300 : month === '07' ? 100 : 200);
    }
    const yearKWh = 31 * 300 + 31 * 100 + 303 * 200;
    const january = Array.from({ length: 31 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);
    const july = january.map((d) => d.replace('-01-', '-07-'));
    expect(seasonalShare(january, expected)).toEqual({ share: (31 * 300) / yearKWh });
    expect(seasonalShare(july, expected)).toEqual({ share: (31 * 100) / yearKWh });
    // An unknown day takes its month's mean; a month without any prediction cannot be prorated.
    expected.set('2025-01-15', NaN);
    expect(seasonalShare(january, expected)).toEqual({ share: (31 * 300) / yearKWh });
    for (const date of [...expected.keys()]) if (date.slice(5, 7) === '02' || date.slice(5, 7) === '03') expected.delete(date);
    expect(seasonalShare(january, expected)).toEqual({ monthsMissing: 2 });
    // A map declared final keeps the weights of its first call (the analytics' baselines): the
    // same share as without, and the weights are not computed again.
    const final = finalPrediction(new Map([...expected].filter(([date]) => !date.startsWith('2025-02') && !date.startsWith('2025-03')).concat(['02', '03'].map((m) => [`2025-${m}-10`, 200]))));
    const share = seasonalShare(january, final);
    expect(share).toEqual(seasonalShare(january, new Map(final)));
    final.clear();
    expect(seasonalShare(january, final)).toEqual(share);
    expect(wholeCalendarYears('2025-01-01', '2025-12-31')).toBe(1);
    expect(wholeCalendarYears('2024-01-01', '2025-12-31')).toBe(2);
    expect(wholeCalendarYears('2025-01-02', '2025-12-31')).toBeNull();
  });
});

describe('ranking', () => {
  it('ranks ascending with shared ranks for ties and unranked sites last', () => {
    const rows = [
      { site: 'a', v: 120 },
      { site: 'b', v: 80 },
      { site: 'c', v: null },
      { site: 'd', v: 120 },
      { site: 'e', v: 95 },
    ];
    expect(rankSites(rows, (r) => r.v)).toEqual([
      { site: 'b', value: 80, rank: 1 },
      { site: 'e', value: 95, rank: 2 },
      { site: 'a', value: 120, rank: 3 },
      { site: 'd', value: 120, rank: 3 },
      { site: 'c', value: null, rank: null },
    ]);
    expect(rankSites(rows, (r) => r.v, 'desc').map((r) => r.site)).toEqual(['a', 'd', 'e', 'b', 'c']);
  });
});
