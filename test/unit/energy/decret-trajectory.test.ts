import { describe, expect, it } from 'vitest';
import { configSchema, type SiteConfig } from '../../../src/config/schema.js';
import type { Coverage } from '../../../src/energy/coverage.js';
import { decretTrajectory } from '../../../src/energy/decret-trajectory.js';
import type { EnergyYear } from '../../../src/energy/yearly-energy.js';

const site = (decretTertiaire: unknown): SiteConfig =>
  configSchema.parse({ sites: [{ id: 's', name: 'S', usage: 'office', floorAreaM2: 1000, decretTertiaire, devices: [{ id: 'm', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'fixture-secret' }] }] }).sites[0]!;
const coverage = (pct: number): Coverage => ({ measuredHours: 87.6 * pct, expectedHours: 8760, estimatedHours: 0, measuredSharePct: pct, requiredSharePct: 90, sufficient: pct >= 90 });
const year = (y: number, kWh: number | null): EnergyYear => ({ year: y, carriers: [], coverage: coverage(kWh === null ? 40 : 100), finalKWh: kWh });

describe('decretTrajectory', () => {
  it('interpolates the relative target from 0 % in the reference year, and judges the latest measured year', () => {
    const t = decretTrajectory(site({ referenceYear: 2020, referenceConsumptionKWh: 100_000 }), undefined, [year(2020, 100_000), year(2024, 83_000), year(2025, null)])!;
    // 2024: 4/10 of the way to −40 % = −16 % → 84,000 kWh; 83,000 is under it.
    expect(t.years.map((y) => [y.year, y.targetKWh === null ? null : Math.round(y.targetKWh * 1e6) / 1e6, y.status])).toEqual([[2020, null, 'insufficient-data'], [2024, 84_000, 'on-track'], [2025, 80_000, 'insufficient-data']]);
    expect(t).toMatchObject({ status: 'on-track', statusYear: 2024, referenceSource: 'config', problems: [] });
    expect(t.milestones.map((m) => Math.round(m.targetKWh! * 1e6) / 1e6)).toEqual([60_000, 50_000, 40_000]);
  });

  it('applies the less demanding of the relative and absolute targets (the décret is met by either)', () => {
    const s = site({ referenceYear: 2020, referenceConsumptionKWh: 100_000, absoluteTargetsKWhPerM2: { '2030': 90, '2050': 45 } });
    const t = decretTrajectory(s, undefined, [year(2024, 88_000)])!;
    // Relative 84,000 kWh; absolute 90 kWh/m² × 1,000 m² for the next milestone (2030) = 90,000: 88,000 is on track.
    expect(t.years[0]).toMatchObject({ absoluteTargetKWh: 90_000, targetKWh: 90_000, status: 'on-track' });
    expect(t.years[0]!.relativeTargetKWh).toBeCloseTo(84_000, 6);
    // 2040 has no absolute value: its relative target applies; 2050 takes 45,000 over 40,000.
    expect(t.milestones.map((m) => [m.year, m.targetKWh])).toEqual([[2030, 90_000], [2040, 50_000], [2050, 45_000]]);
  });

  it('is behind above the target, and insufficient-data with the reason when nothing after the reference is measured', () => {
    expect(decretTrajectory(site({ referenceYear: 2020, referenceConsumptionKWh: 100_000 }), undefined, [year(2024, 85_000)])!.status).toBe('behind');
    const none = decretTrajectory(site({ referenceYear: 2020, referenceConsumptionKWh: 100_000 }), undefined, [year(2020, null), year(2021, null)])!;
    expect(none).toMatchObject({ status: 'insufficient-data', statusYear: null, problems: [{ code: 'decret-no-measured-year', params: { fromYear: 2021, toYear: 2021, requiredSharePct: 90 } }] });
  });

  it('names the missing reference, unless an absolute target can judge without it', () => {
    const missing = { problems: [{ code: 'decret-no-reference' as const, params: { referenceYear: 2020, measuredSharePct: 12, requiredSharePct: 90 } }] };
    const t = decretTrajectory(site({ referenceYear: 2020 }), missing, [year(2024, 50_000)])!;
    expect(t).toMatchObject({ status: 'insufficient-data', referenceKWh: null, referenceSource: null, problems: missing.problems });
    const abs = decretTrajectory(site({ referenceYear: 2020, absoluteTargetsKWhPerM2: { '2030': 60 } }), missing, [year(2024, 50_000)])!;
    expect(abs).toMatchObject({ status: 'on-track', statusYear: 2024, problems: [] });
    expect(decretTrajectory(site(undefined), undefined, [])).toBeNull();
  });

  it('refuses an unknown milestone year in the configuration', () => {
    expect(() => site({ referenceYear: 2020, absoluteTargetsKWhPerM2: { '2035': 80 } })).toThrow(/2035/);
  });
});
