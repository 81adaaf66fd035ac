import { beforeAll, describe, expect, it } from 'vitest';
import { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { UnsupportedCountryError } from '../../../src/energy/holidays.js';
import { HOUR_MS, localDays, localMidnightMs } from '../../../src/energy/local-time.js';
import type { Reading } from '../../../src/model/reading.js';
import { MemoryQuery } from './helpers/memory-query.js';
import { hourlyKWh, syntheticConfig, syntheticYear } from './helpers/synthetic-site.js';

const TZ = 'Europe/Paris';

describe('EnergyAnalyticsService on a synthetic office year', () => {
  let readings: Reading[];
  beforeAll(() => {
    readings = syntheticYear();
  });

  it('gives 23 and 25 hourly buckets on the DST days, with the exact consumption', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(readings) });
    for (const [date, hours] of [['2025-03-30', 23], ['2025-10-26', 25]] as const) {
      const c = await service.consumption('cleon-bureaux', { from: date, to: date });
      const elec = c.byCarrier.get('electricity')!;
      expect(elec.hourly.values.length).toBe(hours);
      expect(elec.daily.values.length).toBe(1);
      let expected = 0;
      const start = localMidnightMs(date, TZ);
      for (let k = 0; k < hours; k++) expected += hourlyKWh(start + k * HOUR_MS, TZ);
      expect(elec.daily.values[0]).toBeCloseTo(expected, 6);
      expect(c.byCarrier.get('gas')!.daily.values[0]).toBeCloseTo(0.5 * hours, 9);
      expect(c.corrections).toEqual([]);
    }
  });

  it('records the corrections of a reset and a spike with site, device and quantity', async () => {
    const t = localMidnightMs('2025-06-10', TZ) + 10 * HOUR_MS;
    const swapAt = readings.find((r) => r.device === 'tgbt' && r.tsMs === t + 5 * HOUR_MS)!.value;
    const tampered = readings.map((r) => {
      if (r.device !== 'tgbt') return r;
      if (r.tsMs === t) return { ...r, value: r.value + 1_000_000 }; // 1 GWh in an hour: a spike
      if (r.tsMs >= t + 5 * HOUR_MS) return { ...r, value: r.value - swapAt + 7 }; // new meter: starts again near zero
      return r;
    });
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(tampered) });
    const c = await service.consumption('cleon-bureaux', { from: '2025-06-10', to: '2025-06-10' });
    expect(c.corrections.map((x) => [x.site, x.device, x.quantity, x.kind, x.atMs])).toEqual([
      ['cleon-bureaux', 'tgbt', 'energy_kwh', 'spike', t],
      // The rejected reading is no base: the next step spans 2 hours and is spread (estimated).
      ['cleon-bureaux', 'tgbt', 'energy_kwh', 'gap-estimated', t + HOUR_MS],
      ['cleon-bureaux', 'tgbt', 'energy_kwh', 'reset', t + 5 * HOUR_MS],
    ]);
    expect(c.corrections[2]).toMatchObject({ valueAfter: 7 });
    const day = c.byCarrier.get('electricity')!.daily.values[0]!;
    let expected = 0;
    for (let k = 0; k < 24; k++) expected += hourlyKWh(localMidnightMs('2025-06-10', TZ) + k * HOUR_MS, TZ);
    // Only the reset hour changes: 7 kWh counted instead of its true consumption.
    expect(day).toBeCloseTo(expected - hourlyKWh(t + 4 * HOUR_MS, TZ) + 7, 6);
  });

  it('computes KPIs, baseline, DJU, deviation, CUSUM, load split and the Décret tertiaire status', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(readings), gasKWhPerM3: 10 });
    const year = { from: '2025-01-01', to: '2025-12-31' };
    const k = await service.kpis('cleon-bureaux', year);
    let elec = 0;
    for (const d of localDays(year.from, year.to, TZ)) for (let t = d.startMs; t < d.endMs; t += HOUR_MS) elec += hourlyKWh(t, TZ);
    expect(k.consumption.electricity!.total).toBeCloseTo(elec, 3);
    expect(k.consumption.gas!.total).toBeCloseTo(0.5 * 8760, 6);
    expect(k.finalEnergyKWh).toBeCloseTo(elec + 5 * 8760, 3);
    expect(k.kWhPerM2).toBeCloseTo((elec + 5 * 8760) / 1850, 6);
    expect(k.baseline).toMatchObject({ accepted: true, segmentation: 'working/non-working' });
    expect(k.dju!.hddC).toBeGreaterThan(1000);
    expect(k.dju!.daysOmitted).toEqual([]);
    // The period is the baseline period: the reference DJU is the actual DJU, so no correction.
    if (!('kWh' in k.climateCorrected)) throw new Error(JSON.stringify(k.climateCorrected.problems));
    expect(k.climateCorrected.reference).toBe('baseline-period');
    expect(k.climateCorrected.kWh).toBeCloseTo(k.finalEnergyKWh!, 6);
    expect(k.climateCorrected.heatingKWh).toBeGreaterThan(0);
    if (!('deviationPct' in k.deviation)) throw new Error(JSON.stringify(k.deviation.problems));
    expect(Math.abs(k.deviation.deviationPct)).toBeLessThan(0.5);
    // Near 0 because the baseline was fitted on these very days: the answer says so.
    expect(k.deviation.inReferenceDays).toBe(365);
    expect(k).toMatchObject({ status: 'ok', problems: [], coverage: { expectedHours: 8760, measuredHours: 8760, sufficient: true } });
    expect(k.cusum).toHaveLength(365);
    expect(k.load!.baseloadKW).toBeGreaterThanOrEqual(20);
    expect(k.load!.baseloadKW).toBeLessThan(30);
    expect(k.load!.outOfHoursShare).toBeGreaterThan(0.3);
    expect(k.load!.outOfHoursShare).toBeLessThan(0.8);
    expect(k.decret).toMatchObject({ referenceYear: 2019, year: 2025, status: 'on-track', proration: 'calendar-year', periodShare: 1 });
    expect(k.calendar.source).toBe('config');
  });

  it('counts the compared days that lie in the baseline period (in-sample), and only those', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig({ baseline: { from: '2025-01-01', to: '2025-06-30' } }), query: new MemoryQuery().add(readings), gasKWhPerM3: 10 });
    const year = await service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-12-31' });
    if (!('deviationPct' in year.deviation)) throw new Error(JSON.stringify(year.deviation.problems));
    expect(year.deviation.days).toBe(365);
    expect(year.deviation.inReferenceDays).toBe(181);
    const autumn = await service.kpis('cleon-bureaux', { from: '2025-09-01', to: '2025-11-30' });
    if (!('deviationPct' in autumn.deviation)) throw new Error(JSON.stringify(autumn.deviation.problems));
    expect(autumn.deviation.inReferenceDays).toBe(0);
  });

  it('corrects the climate against a configured normal year', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(readings), normalYearDju: { 'cleon-bureaux': 3000 } });
    const k = await service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-12-31' });
    if (!('kWh' in k.climateCorrected)) throw new Error(JSON.stringify(k.climateCorrected.problems));
    const { heatingKWh, actualDju } = k.climateCorrected;
    expect(k.climateCorrected.reference).toBe('normal-year');
    expect(k.climateCorrected.kWh).toBeCloseTo(k.finalEnergyKWh! - heatingKWh + (heatingKWh * 3000) / actualDju, 6);
  });

  it('measures the Décret tertiaire reference year when the config gives no reference consumption', async () => {
    const config = syntheticConfig({ decretTertiaire: { referenceYear: 2025 } });
    const service = new EnergyAnalyticsService({ config, query: new MemoryQuery().add(readings), gasKWhPerM3: 10 });
    const k = await service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-12-31' });
    expect(k.decret).toMatchObject({ referenceYear: 2025, year: 2025, reductionTargetPct: 0, status: 'on-track' });
    if (k.decret === null || !('referenceKWh' in k.decret)) throw new Error('no Décret status');
    expect(k.decret.referenceKWh).toBeCloseTo(k.finalEnergyKWh!, 6);
    // Without data for the reference year: no position, and the code says why.
    const early = new EnergyAnalyticsService({ config: syntheticConfig({ decretTertiaire: { referenceYear: 2020 } }), query: new MemoryQuery().add(readings) });
    const e = await early.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-12-31' });
    expect(e.decret).toEqual({ status: 'insufficient-data', referenceYear: 2020, problems: [{ code: 'decret-no-reference', params: { referenceYear: 2020, measuredSharePct: 0, requiredSharePct: 90 } }] });
  });

  it('integrates a power-only meter and refuses a baseline without temperature source, saying why', async () => {
    const start = localMidnightMs('2025-02-03', TZ);
    const power: Reading[] = [];
    for (let m = 0; m <= 24 * 60; m += 15) {
      // A 3-hour hole from 10:00 to 13:00: no energy is invented there.
      if (m > 600 && m < 780) continue;
      power.push({ site: 'rouen-formation', device: 'armoire', quantity: 'power_w', tsMs: start + m * 60_000, value: 2000 });
    }
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(power) });
    const c = await service.consumption('rouen-formation', { from: '2025-02-03', to: '2025-02-03' });
    expect(c.byCarrier.get('electricity')!.daily.values[0]).toBeCloseTo(2 * 21, 9);
    const b = await service.baseline('rouen-formation', { from: '2025-01-01', to: '2025-12-31' });
    expect(b.result).toEqual({ ok: false, problems: [{ code: 'no-temperature-source', params: { site: 'rouen-formation' } }] });
    const none = await service.baseline('rouen-formation');
    expect(none.result).toEqual({ ok: false, problems: [{ code: 'no-baseline-period', params: { site: 'rouen-formation' } }] });
  });

  it('states no figure, rank or Décret position for a site without measured hours (issue 13)', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(readings) });
    const k = await service.kpis('cleon-bureaux', { from: '2026-03-01', to: '2026-03-31' });
    expect(k).toMatchObject({ status: 'insufficient-data', finalEnergyKWh: null, kWhPerM2: null, consumption: {}, load: null, cusum: null });
    expect(k.coverage).toMatchObject({ measuredHours: 0, expectedHours: 743, sufficient: false });
    expect(k.problems).toEqual([{ code: 'insufficient-coverage', params: { measuredHours: 0, expectedHours: 743, estimatedHours: 0, measuredSharePct: 0, requiredSharePct: 90 } }]);
    expect(k.decret).toEqual({ status: 'insufficient-data', referenceYear: 2019, problems: k.problems });
    expect(k.deviation).toEqual({ problems: k.problems });
    const { ranking } = await service.compare({ from: '2026-03-01', to: '2026-03-31' });
    expect(ranking.every((r) => r.rank === null && r.value === null)).toBe(true);
  });

  it('draws the line at 90 % of the hours measured', async () => {
    const dropFrom = (hours: number) => readings.filter((r) => r.device === 'meteo' || r.tsMs < localMidnightMs('2025-01-31', TZ) - hours * HOUR_MS || r.tsMs > localMidnightMs('2025-02-01', TZ));
    // January: 744 h; 10 % is 74.4 h. Without the last readings of the month the hours after the last index are unmeasured.
    const at = async (hours: number) => (await new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(dropFrom(hours)) }).kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-01-31' })).status;
    expect(await at(40)).toBe('ok');
    expect(await at(100)).toBe('insufficient-data');
  });

  it('prorates a part-year Décret target by the baseline\'s expected consumption, not by days', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(readings) });
    const january = await service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-01-31' });
    const july = await service.kpis('cleon-bureaux', { from: '2025-07-01', to: '2025-07-31' });
    if (january.decret?.status !== 'on-track' && january.decret?.status !== 'behind') throw new Error(JSON.stringify(january.decret));
    if (july.decret?.status !== 'on-track' && july.decret?.status !== 'behind') throw new Error(JSON.stringify(july.decret));
    expect(january.decret.proration).toBe('baseline-expected');
    // Same number of days, but a heated office expects more in January: its share of the yearly target is larger.
    expect(january.decret.periodShare).toBeGreaterThan(31 / 365 + 0.01);
    expect(july.decret.periodShare).toBeLessThan(31 / 365 - 0.01);
    // The period is in the baseline year: its share is close to its part of the year's actual consumption.
    const year = await service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-12-31' });
    expect(january.decret.periodShare).toBeCloseTo(january.finalEnergyKWh! / year.finalEnergyKWh!, 2);
    // Without a baseline period there is no seasonal profile: a part year gets no position.
    const noBaseline = new EnergyAnalyticsService({ config: syntheticConfig({ baseline: undefined }), query: new MemoryQuery().add(readings) });
    const k = await noBaseline.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-01-31' });
    expect(k.decret).toEqual({ status: 'insufficient-data', referenceYear: 2019, problems: [{ code: 'decret-no-seasonal-profile', params: { site: 'cleon-bureaux', monthsMissing: 12 } }] });
  });

  it('fails clearly on an unknown site or an unsupported country', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig({ country: 'DE' }), query: new MemoryQuery() });
    await expect(service.kpis('nowhere', { from: '2025-01-01', to: '2025-01-31' })).rejects.toThrow('unknown site "nowhere"');
    await expect(service.kpis('cleon-bureaux', { from: '2025-01-01', to: '2025-01-31' })).rejects.toThrow(UnsupportedCountryError);
  });

  it('computes baseline + KPIs for a site-year quickly (issue target: 200 ms)', async () => {
    const service = new EnergyAnalyticsService({ config: syntheticConfig(), query: new MemoryQuery().add(readings) });
    const year = { from: '2025-01-01', to: '2025-12-31' };
    await service.kpis('cleon-bureaux', year); // warm-up (JIT, Intl formatters)
    const t0 = performance.now();
    await service.kpis('cleon-bureaux', year);
    const ms = performance.now() - t0;
    // Generous bound for a loaded 2-core CI machine; the measured figure is reported in the commit.
    expect(ms).toBeLessThan(1000);
  });
});
