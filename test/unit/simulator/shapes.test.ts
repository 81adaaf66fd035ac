import { beforeAll, describe, expect, it } from 'vitest';
import { FOUR_USAGES, shapeFigures, simulate, type Series, type ShapeFigures } from './simulated-year.js';

/**
 * The simulator's load shapes are plausible (issue 12, point 5). Ranges per usage, from what
 * French tertiary load curves show:
 * - weekday/weekend: offices keep a third of their load at weekends (servers, standby), so a
 *   working day uses 1.6–3 times a weekend day; a workshop stops on Sunday (3–8); a training
 *   centre keeps little on (1.8–4); a warehouse charges forklifts on working nights (1.5–4);
 * - night baseload (01:00–04:00 over opening hours, working days): offices 0.2–0.45, workshops
 *   0.05–0.25, training centres 0.1–0.3, a warehouse that charges at night 0.35–0.8;
 * - heating against the DJU of the site's weather station, working days: r ≥ 0.9 with a gas or heat meter
 *   (heating is most of its variance), r ≥ 0.6 for electric heating inside the main meter
 *   (activity noise dilutes it);
 * - electricity intensity: offices 40–120 kWh/m²·year, workshops 60–250, training centres
 *   20–60, warehouses 20–60 (ADEME/CEREN orders of magnitude);
 * - a year in Rouen has about 2,500 DJU base 18 (Météo-France): 2,100–2,900.
 */
const RANGES: Record<string, { ratio: [number, number]; night: [number, number]; r: number; kWhPerM2: [number, number] }> = {
  bureaux: { ratio: [1.6, 3], night: [0.2, 0.45], r: 0.9, kWhPerM2: [40, 120] },
  atelier: { ratio: [3, 8], night: [0.05, 0.25], r: 0.9, kWhPerM2: [60, 250] },
  formation: { ratio: [1.8, 4], night: [0.1, 0.3], r: 0.9, kWhPerM2: [20, 60] },
  entrepot: { ratio: [1.5, 4], night: [0.35, 0.8], r: 0.6, kWhPerM2: [20, 60] },
};

let data: Map<string, Series>;
const figures = new Map<string, ShapeFigures>();

beforeAll(() => {
  // A year at the backfill's 15-minute step, with a day's margin on each side for local days.
  data = simulate(FOUR_USAGES, Date.UTC(2024, 11, 31), Date.UTC(2026, 0, 2), 900_000);
  for (const site of Object.keys(RANGES)) figures.set(site, shapeFigures(FOUR_USAGES, data, site, '2025-01-01', '2025-12-31'));
}, 120_000);

describe.each(Object.entries(RANGES))('simulated %s', (site, range) => {
  it('has a weekday/weekend ratio in range', () => {
    const f = figures.get(site)!;
    expect(f.weekdayWeekendRatio).toBeGreaterThanOrEqual(range.ratio[0]);
    expect(f.weekdayWeekendRatio).toBeLessThanOrEqual(range.ratio[1]);
  });

  it('has a night baseload share in range', () => {
    const f = figures.get(site)!;
    expect(f.nightBaseloadShare).toBeGreaterThanOrEqual(range.night[0]);
    expect(f.nightBaseloadShare).toBeLessThanOrEqual(range.night[1]);
  });

  it('heats in proportion to the degree days of its weather station', () => {
    expect(figures.get(site)!.heatingHddCorrelation).toBeGreaterThanOrEqual(range.r);
  });

  it('uses a plausible electricity per m² and sees a Normandy year of DJU', () => {
    const f = figures.get(site)!;
    expect(f.electricityKWhPerM2).toBeGreaterThanOrEqual(range.kWhPerM2[0]);
    expect(f.electricityKWhPerM2).toBeLessThanOrEqual(range.kWhPerM2[1]);
    expect(f.djuPerYear).toBeGreaterThan(2100);
    expect(f.djuPerYear).toBeLessThan(2900);
  });
});

describe('simulated sensors and meters', () => {
  it('keeps every index non-decreasing and at its resolution', () => {
    for (const [key, s] of data) {
      for (const q of ['energy_kwh', 'gas_m3', 'heat_kwh'] as const) {
        const v = s.values.get(q);
        if (!v) continue;
        const backwards = v.findIndex((x, i) => i > 0 && x < v[i - 1]!);
        expect(backwards, `${key} ${q} goes back at step ${backwards}`).toBe(-1);
        const resolution = q === 'heat_kwh' ? 1 : q === 'gas_m3' ? 0.01 : 0.001;
        const offGrid = v.findIndex((x) => Math.abs(x / resolution - Math.round(x / resolution)) > 1e-6);
        expect(offGrid, `${key} ${q} not at its resolution at step ${offGrid}`).toBe(-1);
      }
    }
  });

  it('makes CO2 follow occupancy: high when people are in, near outdoor when empty', () => {
    const s = data.get('formation/salle')!;
    const co2 = s.values.get('co2_ppm')!;
    const people = s.values.get('occupancy')!;
    const busy = co2.filter((_, i) => people[i]! >= 20);
    const empty = co2.filter((_, i) => people[i] === 0 && i > 8 && people[i - 8] === 0);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(busy.length).toBeGreaterThan(100);
    expect(mean(busy)).toBeGreaterThan(800);
    expect(mean(empty)).toBeLessThan(600);
    // A ventilated room: a full class stays mostly under 1,200 ppm, never at the HCSP's 1,500.
    const sorted = [...busy].sort((a, b) => a - b);
    expect(sorted[Math.floor(0.9 * sorted.length)]!).toBeLessThan(1200);
    expect(sorted.at(-1)!).toBeLessThan(1500);
  });

  it('is reproducible from its seed, and another seed gives other data', () => {
    // Early 2024: little history before it for the indexes to count (they start on 2024-01-01).
    const from = Date.UTC(2024, 2, 4);
    const a = simulate(FOUR_USAGES, from, from + 86_400_000, 900_000, 7);
    const b = simulate(FOUR_USAGES, from, from + 86_400_000, 900_000, 7);
    const c = simulate(FOUR_USAGES, from, from + 86_400_000, 900_000, 8);
    const power = (m: Map<string, Series>) => m.get('bureaux/tgbt')!.values.get('power_w');
    expect(power(a)).toEqual(power(b));
    expect(power(a)).not.toEqual(power(c));
  });

  it('continues an index across runs that start at different times (no false reset)', () => {
    const t = Date.UTC(2024, 5, 10, 12);
    const early = simulate(FOUR_USAGES, t - 10 * 86_400_000, t, 900_000);
    const late = simulate(FOUR_USAGES, t, t, 900_000);
    const last = (m: Map<string, Series>) => m.get('bureaux/tgbt')!.values.get('energy_kwh')!.at(-1)!;
    expect(Math.abs(last(early) - last(late))).toBeLessThan(0.01);
  });
});
