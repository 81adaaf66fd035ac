import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { fitDailyBaseline } from '../../../src/energy/baseline/daily-baseline.js';
import { siteCalendar, typeDays } from '../../../src/energy/calendar.js';
import { hourlyCoverage } from '../../../src/energy/coverage.js';
import { dailyTemperatures } from '../../../src/energy/degree-days.js';
import { rollUp } from '../../../src/energy/intervals.js';
import { DEFAULT_GAS_KWH_PER_M3 } from '../../../src/energy/kpis.js';
import { dayEdges, localDays } from '../../../src/energy/local-time.js';
import { loadOutdoorTemperature, loadSiteConsumption } from '../../../src/energy/site-data.js';
import { finalEnergyHourly, toBaselineDays } from '../../../src/energy/site-kpis.js';
import { buildings, leadConfig, leadQuery } from './helpers/lead-fixtures.js';
import type { MemoryQuery } from './helpers/memory-query.js';

/**
 * The cached path of a comparison (site-years read once, periods sliced from them, baselines fitted
 * once, refreshed ahead) against a full recompute from the raw readings of the period itself, on the
 * real LEAD/GEPIII buildings of 2016 (test/fixtures/lead-gepiii, CC BY-SA): the same kWh, the same
 * coverage and the same ASHRAE Guideline 14 figures (issue 13, point 6).
 */
let config: AppConfig;
let query: MemoryQuery;
beforeAll(() => {
  const list = buildings();
  config = leadConfig(list);
  query = leadQuery(list);
});

/** The figures recomputed from scratch: readings of the period only, nothing cached. */
async function fullRecompute(siteId: string, from: string, to: string) {
  const site = config.sites.find((s) => s.id === siteId)!;
  const days = localDays(from, to, site.timezone);
  const consumption = await loadSiteConsumption(query, site, days);
  const hourly = finalEnergyHourly(consumption, DEFAULT_GAS_KWH_PER_M3);
  const points = await loadOutdoorTemperature(query, site, days[0]!.startMs, days[days.length - 1]!.endMs);
  const temps = dailyTemperatures(points ?? [], days, site.timezone);
  const typed = typeDays(days.map((d) => d.date), siteCalendar(site));
  return { finalKWh: hourly.values.reduce((s, v) => s + v, 0), coverage: hourlyCoverage(hourly), baseline: fitDailyBaseline(toBaselineDays(days, rollUp(hourly, dayEdges(days)), temps, typed)) };
}

describe('cached analytics against a full recompute (LEAD/GEPIII, 2016)', () => {
  it('gives the same kWh, coverage and G14 baseline fit for every building, over the year and parts of it', async () => {
    const now = { ms: Date.parse('2017-01-15T12:00:00Z') };
    const service = new EnergyAnalyticsService({ config, query, now: () => now.ms });
    // As the service runs: a comparison over the year first, then the spans refreshed ahead of expiry.
    await service.compare({ from: '2016-01-01', to: '2016-12-31' });
    now.ms += 6 * 60_000;
    await service.refreshAhead();
    for (const site of config.sites) {
      const reference = await fullRecompute(site.id, '2016-01-01', '2016-12-31');
      const kpis = await service.kpis(site.id, { from: '2016-01-01', to: '2016-12-31' });
      expect(kpis.finalEnergyKWh, site.id).toBeCloseTo(reference.finalKWh, 6);
      expect(kpis.coverage.measuredHours, site.id).toBeCloseTo(reference.coverage.measuredHours, 6);
      expect(kpis.coverage.sufficient, site.id).toBe(reference.coverage.sufficient);
      expect(reference.baseline.ok, site.id).toBe(true);
      if (!reference.baseline.ok || !('accepted' in kpis.baseline)) throw new Error(`${site.id}: no baseline`);
      expect(kpis.baseline.accepted, site.id).toBe(reference.baseline.baseline.accepted);
      expect(kpis.baseline.monthlyCvRmsePct, site.id).toBeCloseTo(reference.baseline.baseline.monthly.cvRmsePct, 9);
      expect(kpis.baseline.monthlyNmbePct, site.id).toBeCloseTo(reference.baseline.baseline.monthly.nmbePct, 9);
      // Parts of the year are slices of the cached year: same kWh and coverage as reading just them.
      for (const [from, to] of [['2016-03-01', '2016-03-31'], ['2016-06-15', '2016-09-14']] as const) {
        const part = await fullRecompute(site.id, from, to);
        const sliced = await service.kpis(site.id, { from, to });
        expect(sliced.coverage.measuredHours, `${site.id} ${from}`).toBeCloseTo(part.coverage.measuredHours, 6);
        expect(sliced.coverage.expectedHours, `${site.id} ${from}`).toBe(part.coverage.expectedHours);
        if (part.coverage.sufficient) expect(sliced.finalEnergyKWh!, `${site.id} ${from}`).toBeCloseTo(part.finalKWh, 6);
        else expect(sliced.status, `${site.id} ${from}`).toBe('insufficient-data');
      }
    }
  });
});
