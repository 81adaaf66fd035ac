import type { QuantityName } from '../../../src/config/quantities.js';
import { configSchema, type AppConfig } from '../../../src/config/schema.js';
import { hddMeteo, dailyTemperatures } from '../../../src/energy/degree-days.js';
import { localDays, type LocalDay } from '../../../src/energy/local-time.js';
import { siteCalendar, typeDays, type DayType } from '../../../src/energy/calendar.js';
import type { Injection } from '../../../src/simulator/anomaly-kinds.js';
import { buildFleet } from '../../../src/simulator/fleet.js';

/** Four pilot sites, one per usage the issue names, with the example's calendars. */
export const FOUR_USAGES: AppConfig = configSchema.parse({
  sites: [
    {
      id: 'bureaux',
      name: 'Bureaux',
      usage: 'office',
      floorAreaM2: 1850,
      outdoorTemperature: { device: 'meteo' },
      calendar: { workingDays: [1, 2, 3, 4, 5], openingHours: { from: '07:30', to: '19:00' }, closures: [{ from: '2025-08-04', to: '2025-08-22' }] },
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], maxPowerW: 250000, secret: 'secret-bureaux-tgbt' },
        { id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'], secret: 'secret-bureaux-gaz' },
        { id: 'open-space', kind: 'multi-sensor', quantities: ['temperature_c', 'humidity_pct', 'co2_ppm', 'occupancy'], secret: 'secret-bureaux-os' },
        { id: 'meteo', kind: 'weather-station', quantities: ['temperature_c', 'humidity_pct'], secret: 'secret-bureaux-meteo' },
      ],
    },
    {
      id: 'atelier',
      name: 'Atelier',
      usage: 'industrial',
      floorAreaM2: 3200,
      outdoorTemperature: { site: 'bureaux', device: 'meteo' },
      calendar: { workingDays: [1, 2, 3, 4, 5, 6], openingHours: { from: '06:00', to: '21:00' } },
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], maxPowerW: 630000, secret: 'secret-atelier-tgbt' },
        { id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'], secret: 'secret-atelier-gaz' },
      ],
    },
    {
      id: 'formation',
      name: 'Centre de formation',
      usage: 'education',
      floorAreaM2: 2400,
      outdoorTemperature: { device: 'meteo' },
      calendar: { closures: [{ from: '2025-10-18', to: '2025-11-02' }, { from: '2025-12-20', to: '2026-01-04' }] },
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: 'secret-formation-tgbt' },
        { id: 'chaufferie', kind: 'heat-meter', quantities: ['heat_kwh'], secret: 'secret-formation-heat' },
        { id: 'salle', kind: 'co2-sensor', quantities: ['co2_ppm', 'temperature_c', 'occupancy'], secret: 'secret-formation-salle' },
        { id: 'meteo', kind: 'weather-station', quantities: ['temperature_c'], secret: 'secret-formation-meteo' },
      ],
    },
    {
      id: 'entrepot',
      name: 'Entrepôt',
      usage: 'warehouse',
      floorAreaM2: 12500,
      outdoorTemperature: { site: 'formation', device: 'meteo' },
      calendar: { workingDays: [1, 2, 3, 4, 5, 6], openingHours: { from: '05:00', to: '22:00' } },
      devices: [{ id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], maxPowerW: 400000, secret: 'secret-entrepot-tgbt' }],
    },
  ],
});

export interface Series {
  tsMs: number[];
  values: Map<QuantityName, number[]>;
}

/** Every device's published values at each step of [fromMs, toMs], keyed `site/device`. */
export function simulate(config: AppConfig, fromMs: number, toMs: number, stepMs: number, seed = 1, injections: Injection[] = []): Map<string, Series> {
  const fleet = buildFleet(config.sites, seed, injections, fromMs);
  const out = new Map<string, Series>();
  for (const d of fleet) out.set(`${d.site}/${d.device.id}`, { tsMs: [], values: new Map() });
  for (let t = fromMs; t <= toMs; t += stepMs) {
    for (const d of fleet) {
      const v = d.sim.publishAt(t);
      if (!v) continue;
      const s = out.get(`${d.site}/${d.device.id}`)!;
      s.tsMs.push(t);
      for (const [q, x] of Object.entries(v) as [QuantityName, number][]) {
        if (!s.values.has(q)) s.values.set(q, []);
        s.values.get(q)!.push(x);
      }
    }
  }
  return out;
}

/** Consumption per local day from an index series (the difference of the index at the day's ends). */
export function dailyFromIndex(s: Series, q: QuantityName, days: readonly LocalDay[]): number[] {
  const v = s.values.get(q)!;
  let i = 0;
  const at = (tMs: number) => {
    while (i < s.tsMs.length - 1 && s.tsMs[i + 1]! <= tMs) i++;
    return v[i]!;
  };
  const edges = [...days.map((d) => at(d.startMs)), at(days[days.length - 1]!.endMs)];
  return days.map((_, k) => edges[k + 1]! - edges[k]!);
}

export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

export interface ShapeFigures {
  weekdayWeekendRatio: number;
  nightBaseloadShare: number;
  heatingHddCorrelation: number;
  djuPerYear: number;
  electricityKWhPerM2: number;
}

/**
 * The figures the issue asks to check, as an analyst would compute them: daily electricity of
 * working days over weekend days; mean power 01:00–04:00 on working nights over mean power in
 * opening hours; Pearson correlation, over working days, of daily heating energy with the DJU (méthode météo, base 18)
 * of the site's own weather station, computed by the service's degree-day code.
 */
export function shapeFigures(config: AppConfig, data: Map<string, Series>, siteId: string, fromDate: string, toDate: string): ShapeFigures {
  const site = config.sites.find((s) => s.id === siteId)!;
  const days = localDays(fromDate, toDate, site.timezone);
  const types: DayType[] = typeDays(days.map((d) => d.date), siteCalendar(site)).map((t) => t.type);
  const tgbt = data.get(`${siteId}/tgbt`)!;
  const elec = dailyFromIndex(tgbt, 'energy_kwh', days);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const working = elec.filter((_, i) => types[i] === 'working');
  const weekend = elec.filter((_, i) => types[i] === 'weekend');

  const power = tgbt.values.get('power_w')!;
  const cal = siteCalendar(site);
  const [oh, om] = cal.openingHours.from.split(':').map(Number);
  const [ch, cm] = cal.openingHours.to.split(':').map(Number);
  const night: number[] = [];
  const open: number[] = [];
  days.forEach((d, i) => {
    if (types[i] !== 'working') return;
    for (let k = 0; k < tgbt.tsMs.length; k++) {
      const t = tgbt.tsMs[k]!;
      if (t < d.startMs || t >= d.endMs) continue;
      const minute = (t - d.startMs) / 60_000;
      if (minute >= 60 && minute < 240) night.push(power[k]!);
      if (minute >= oh! * 60 + om! + 60 && minute < ch! * 60 + cm! - 90) open.push(power[k]!);
    }
  });

  const ref = site.outdoorTemperature!;
  const station = data.get(`${ref.site ?? siteId}/${ref.device}`)!;
  const temps = dailyTemperatures(
    station.tsMs.map((t, k) => ({ tsMs: t, value: station.values.get('temperature_c')![k]! })),
    days,
    site.timezone,
  );
  const hdd = temps.map((t) => (t.sufficient ? hddMeteo(t.tMinC, t.tMaxC, 18) : NaN));
  const heatMeter = site.devices.find((d) => d.kind === 'gas-meter' || d.kind === 'heat-meter');
  const heating = heatMeter ? dailyFromIndex(data.get(`${siteId}/${heatMeter.id}`)!, heatMeter.quantities[0]!, days) : elec;
  // Working days only: days off run on a deeper set-back, a second regime (the baseline gives them their own intercept).
  const ok = hdd.map((h, i) => Number.isFinite(h) && types[i] === 'working');
  return {
    weekdayWeekendRatio: mean(working) / mean(weekend),
    nightBaseloadShare: mean(night) / mean(open),
    heatingHddCorrelation: pearson(heating.filter((_, i) => ok[i]), hdd.filter((_, i) => ok[i])),
    djuPerYear: hdd.filter(Number.isFinite).reduce((a, b) => a + b, 0),
    electricityKWhPerM2: elec.reduce((a, b) => a + b, 0) / site.floorAreaM2,
  };
}
