import { beforeAll, describe, expect, it } from 'vitest';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { HOUR_MS, localDays, localMidnightMs } from '../../../src/energy/local-time.js';
import { loadSiteConsumption } from '../../../src/energy/site-data.js';
import type { Reading } from '../../../src/model/reading.js';
import type { SeriesSelector } from '../../../src/storage/port.js';
import { MemoryQuery } from './helpers/memory-query.js';
import { syntheticConfig, syntheticYear } from './helpers/synthetic-site.js';

/** A MemoryQuery that counts the raw reads, to see what the caches spare the store. */
class CountingQuery extends MemoryQuery {
  reads: string[] = [];
  /** When set, the main meter's indexes after this instant read 1 kWh higher (a reading changed in the store). */
  bumpAfterMs: number | null = null;
  override async readings(s: SeriesSelector): Promise<Reading[]> {
    this.reads.push(`${s.device}/${s.quantity} ${new Date(s.fromMs).toISOString()}`);
    const rows = await super.readings(s);
    const after = this.bumpAfterMs;
    return after === null ? rows : rows.map((r) => (r.device === 'tgbt' && r.tsMs > after ? { ...r, value: r.value + 1 } : r));
  }
}

const TZ = 'Europe/Paris';
let readings: Reading[];
beforeAll(() => {
  readings = syntheticYear();
});

describe('analytics caches (years of data, baselines)', () => {
  it('reads a site-year once for every period inside it, and fits the baseline once', async () => {
    const query = new CountingQuery().add(readings);
    const clock = { nowMs: Date.parse('2026-02-01T00:00:00Z') };
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query, now: () => clock.nowMs });
    const year = await service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-12-31' });
    // tgbt, gaz and meteo, each once for 2025 (the baseline's reference year is the same year),
    // in any order: a site's meters and temperatures are read at once.
    const year2025 = ['gaz/gas_m3', 'meteo/temperature_c', 'tgbt/energy_kwh'].map((s) => `${s} 2024-12-31T23:00:00.000Z`);
    expect([...query.reads].sort()).toEqual(year2025);
    const march = await service.kpis('cleon-bureaux', { from: '2025-03-01', to: '2025-03-31' });
    await service.compare({ from: '2025-06-01', to: '2025-06-30' });
    // The comparison read the other site (its power meter), nothing more of this one.
    expect([...query.reads].sort()).toEqual(['armoire/power_w 2024-12-31T21:00:00.000Z', ...year2025]);
    expect(march.finalEnergyKWh!).toBeLessThan(year.finalEnergyKWh! / 6);
    // After the maximum age, the year is read again.
    clock.nowMs += 11 * 60_000;
    query.reads = [];
    await service.kpis('cleon-bureaux', { from: '2025-03-01', to: '2025-03-31' });
    expect([...query.reads].sort()).toEqual(year2025);
  });

  it('gives the figures of an uncached read, also for a period over two years', async () => {
    const query = new MemoryQuery().add(readings);
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query });
    const site = syntheticConfig().sites[0]!;
    for (const [from, to] of [['2025-03-10', '2025-04-02'], ['2025-12-20', '2026-01-10']] as const) {
      const cached = await service.consumption('cleon-bureaux', { from, to });
      const direct = await loadSiteConsumption(query, site, localDays(from, to, TZ));
      for (const carrier of ['electricity', 'gas'] as const) {
        const a = cached.byCarrier.get(carrier)!.hourly;
        const b = direct.byCarrier.get(carrier)!.hourly;
        expect([...a.edges], `${carrier} ${from}`).toEqual([...b.edges]);
        expect([...a.values].map((v) => Math.round(v * 1e6))).toEqual([...b.values].map((v) => Math.round(v * 1e6)));
        expect([...a.coveredMs]).toEqual([...b.coveredMs]);
      }
    }
  });

  it('drops what new readings change: the year they fall in, and the baselines fitted on it', async () => {
    const query = new CountingQuery().add(readings);
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query });
    const march = { from: '2025-03-01', to: '2025-03-31' };
    const before = await service.kpis('cleon-bureaux', march);
    // One more kWh in the middle of March 2025 on the main meter: every later index moves by 1.
    const t = localMidnightMs('2025-03-15', TZ) + 12 * HOUR_MS;
    query.bumpAfterMs = t;
    const changed = readings.find((r) => r.device === 'tgbt' && r.tsMs > t)!;
    expect((await service.kpis('cleon-bureaux', march)).finalEnergyKWh).toBe(before.finalEnergyKWh);
    // Readings of another site change nothing here.
    query.reads = [];
    service.invalidate([{ ...changed, site: 'rouen-formation' }]);
    await service.kpis('cleon-bureaux', march);
    expect(query.reads).toEqual([]);
    service.invalidate([changed]);
    const after = await service.kpis('cleon-bureaux', march);
    expect(after.finalEnergyKWh!).toBeCloseTo(before.finalEnergyKWh! + 1, 6);
    // The site's meters were read again for that year (and the baseline refitted on them), not the weather station.
    expect(query.reads).toEqual(['tgbt/energy_kwh 2024-12-31T23:00:00.000Z', 'gaz/gas_m3 2024-12-31T23:00:00.000Z']);
  });

  it('keeps the current year per month: a live reading drops its month only', async () => {
    const query = new CountingQuery().add(readings);
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query, now: () => Date.parse('2025-06-20T10:00:00Z') });
    await service.kpis('cleon-bureaux', { from: '2025-05-01', to: '2025-06-19' });
    // May and June of the current year for each series, and the months of the baseline year 2025.
    const readsBefore = query.reads.length;
    query.reads = [];
    const live = readings.find((r) => r.device === 'tgbt' && r.tsMs > Date.parse('2025-06-20T08:00:00Z'))!;
    service.invalidate([live]);
    await service.kpis('cleon-bureaux', { from: '2025-05-01', to: '2025-06-19' });
    expect(readsBefore).toBeGreaterThan(3);
    expect(query.reads).toEqual(['tgbt/energy_kwh 2025-05-31T22:00:00.000Z', 'gaz/gas_m3 2025-05-31T22:00:00.000Z']);
  });

  it('refreshes ahead of expiry what is in use, so a request after the maximum age reads nothing', async () => {
    const query = new CountingQuery().add(readings);
    const clock = { nowMs: Date.parse('2026-02-01T00:00:00Z') };
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query, now: () => clock.nowMs });
    const year = { from: '2025-01-01', to: '2025-12-31' };
    const first = await service.kpis('cleon-bureaux', year);
    const year2025 = ['tgbt/energy_kwh', 'gaz/gas_m3', 'meteo/temperature_c'].map((s) => `${s} 2024-12-31T23:00:00.000Z`);
    // Younger than half the maximum age (10 min): nothing to refresh.
    clock.nowMs += 4 * 60_000;
    query.reads = [];
    expect(await service.refreshAhead()).toEqual({ spans: 0, baselines: 0 });
    expect(query.reads).toEqual([]);
    // Past half of it: each span read again once, the baseline refitted (on the cached spans).
    clock.nowMs += 2 * 60_000;
    // Two spans: the site's consumption (both meters) and its weather station's temperatures.
    expect(await service.refreshAhead()).toEqual({ spans: 2, baselines: 1 });
    expect(query.reads).toEqual(year2025);
    // 11 min after the first read, the refreshed spans and baseline serve the request.
    clock.nowMs += 5 * 60_000;
    query.reads = [];
    const later = await service.kpis('cleon-bureaux', year);
    expect(query.reads).toEqual([]);
    expect(later.finalEnergyKWh).toBe(first.finalEnergyKWh);
    expect(later.baseline).toEqual(first.baseline);
  });

  it('does not put back a span that new readings dropped while it was being refreshed', async () => {
    const query = new CountingQuery().add(readings);
    const clock = { nowMs: Date.parse('2026-02-01T00:00:00Z') };
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query, now: () => clock.nowMs });
    const march = { from: '2025-03-01', to: '2025-03-31' };
    const before = await service.kpis('cleon-bureaux', march);
    clock.nowMs += 6 * 60_000;
    const t = localMidnightMs('2025-03-15', TZ) + 12 * HOUR_MS;
    const changed = readings.find((r) => r.device === 'tgbt' && r.tsMs > t)!;
    // The refresh reads the old data; the new reading lands (and is announced) before it completes.
    const refresh = service.refreshAhead();
    query.bumpAfterMs = t;
    service.invalidate([changed]);
    await refresh;
    const after = await service.kpis('cleon-bureaux', march);
    expect(after.finalEnergyKWh!).toBeCloseTo(before.finalEnergyKWh! + 1, 6);
  });
});
