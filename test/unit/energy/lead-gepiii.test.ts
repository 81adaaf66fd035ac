import { beforeAll, describe, expect, it } from 'vitest';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { buildings, leadConfig, leadQuery, type Building } from './helpers/lead-fixtures.js';

/**
 * Real data: hourly electricity of six LEAD1.0 / GEPIII buildings in 2016 (test/fixtures/lead-gepiii,
 * CC BY-SA, see its README), stored as the historical import will store it: a synthetic cumulative index.
 */
describe('LEAD/GEPIII buildings, 2016', () => {
  let list: Building[];
  let service: EnergyAnalyticsService;
  const year = { from: '2016-01-01', to: '2016-12-31' };

  beforeAll(() => {
    list = buildings();
    service = new EnergyAnalyticsService({ config: leadConfig(list), query: leadQuery(list) });
  });

  it('has the six buildings of the fixture', () => {
    expect(list.map((b) => b.id)).toEqual(['118', '685', '254', '439', '1074', '1143']);
  });

  it.each(['118', '685', '254', '439', '1074', '1143'])('building %s: kWh/m² of 2016 equals buildings.csv eui_kwh_per_m2', async (id) => {
    const b = list.find((x) => x.id === id)!;
    const c = await service.consumption(`b${id}`, year);
    const hourly = c.byCarrier.get('electricity')!.hourly;
    expect(hourly.values.length).toBe(8784);
    const total = hourly.values.reduce((s, v) => s + v, 0);
    expect(Math.abs(total - b.annualKWh)).toBeLessThan(0.06);
    const kpis = await service.kpis(`b${id}`, year);
    expect(kpis.status).toBe('ok');
    expect(Math.abs(kpis.kWhPerM2! - b.euiKWhPerM2)).toBeLessThanOrEqual(0.0051);
  });

  it('flags the hours spread over the 28-hour outage of building 685 as estimated', async () => {
    const c = await service.consumption('b685', year);
    const gaps = c.corrections.filter((x) => x.kind === 'gap-estimated');
    expect(gaps.length).toBeGreaterThan(0);
    const longest = Math.max(...gaps.map((g) => Number(g.detail.split(' ')[0])));
    expect(longest).toBe(29);
    const estimatedHours = c.byCarrier.get('electricity')!.hourly.estimatedMs.filter((v) => v > 0).length;
    // 28 missing hours (one 29-hour step) plus the isolated missing hour 2016-10-30 01:00 (one 2-hour step).
    expect(estimatedHours).toBe(29 + 2);
  });

  it('ranks the six buildings by kWh/m²', async () => {
    const { ranking } = await service.compare(year, 'kWhPerM2');
    expect(ranking.map((r) => r.site)).toEqual(['b1074', 'b1143', 'b254', 'b685', 'b439', 'b118']);
    expect(ranking.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fits a daily baseline of the desert building 254 that passes the ASHRAE G14 monthly criteria', async () => {
    const { result, profile: profileOf } = await service.baseline('b254');
    const profile = profileOf();
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const b = result.baseline;
    expect(b.accepted).toBe(true);
    expect(b.monthly.cvRmsePct).toBeLessThanOrEqual(15);
    expect(Math.abs(b.monthly.nmbePct)).toBeLessThanOrEqual(5);
    // Cooling-driven in Tempe, Arizona: a cooling term with a balance point in a plausible range.
    expect(b.working.coolingBalanceC).not.toBeNull();
    expect(b.working.coolingBalanceC!).toBeGreaterThanOrEqual(10);
    expect(b.working.coolingBalanceC!).toBeLessThanOrEqual(28);
    expect(b.working.coolingKWhPerDegreeDay).toBeGreaterThan(0);
    expect(b.daysUsed).toBeGreaterThan(340);
    expect(profile).toHaveLength(168);
  });

  it('fits a daily baseline of office 439 with a temperature-dependent term', async () => {
    const { result } = await service.baseline('b439');
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const b = result.baseline;
    expect(b.working.kind).not.toBe('intercept-only');
    expect(b.segmentation).toBe('working/non-working');
    expect(b.working.coolingKWhPerDegreeDay).toBeGreaterThan(0);
    expect(b.accepted).toBe(true);
  });

  it('proposes US holidays as non-working days of office 1074 when no calendar is given', async () => {
    const one = list.filter((b) => b.id === '1074');
    const config = leadConfig(one);
    delete (config.sites[0] as { calendar?: unknown }).calendar;
    const s = new EnergyAnalyticsService({ config, query: leadQuery(one) });
    const k = await s.kpis('b1074', year);
    expect(k.calendar.source).toBe('default');
    const detection = k.calendar.nonWorkingCandidates!;
    expect(detection.distinct).toBe(true);
    const dates = detection.candidates.map((c) => c.date);
    for (const d of ['2016-01-01', '2016-05-30', '2016-07-04', '2016-09-05']) expect(dates).toContain(d);
    // Ordinary working days are not proposed.
    expect(dates).not.toContain('2016-10-12');
    expect(dates).toContain('2016-11-24');
    expect(detection.candidates.find((c) => c.date === '2016-11-24')?.holiday).toBe('Thanksgiving Day');
  });
});
