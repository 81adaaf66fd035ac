import { configSchema, type AppConfig } from '../../../src/config/schema.js';
import type { Reading } from '../../../src/model/reading.js';
import type { ReadingStore } from '../../../src/storage/port.js';
import { buildings, hours, readingsOf, type Building } from '../../unit/energy/helpers/lead-fixtures.js';

/**
 * The benchmark's sites: the six LEAD/GEPIII buildings of test/fixtures (real 2016 data, CC BY-SA,
 * see its README), each replayed with its own scale (0.70…1.30) so that no two fits are the same.
 * The main meter also declares power_w, so that the overview shows live power for the readings of
 * `recentReadings`; the analytics count its energy_kwh index only (site-data.ts siteMeters).
 */
export interface BenchSite {
  id: string;
  template: Building;
  scale: number;
}

export function benchSites(count: number): BenchSite[] {
  const templates = buildings();
  return Array.from({ length: count }, (_, i) => ({
    id: `s${String(i).padStart(2, '0')}`,
    template: templates[i % templates.length]!,
    scale: 0.7 + ((i * 37) % 61) / 100,
  }));
}

export function benchConfig(sites: readonly BenchSite[]): AppConfig {
  return configSchema.parse({ sites: benchSiteObjects(sites) });
}

/** The benchmark's sites as a configuration file writes them (before the schema's defaults). */
export function benchSiteObjects(sites: readonly BenchSite[], secret = 'bench-secret') {
  return sites.map((s) => ({
    id: s.id,
    name: `Bench ${s.id} (LEAD ${s.template.id})`,
    usage: 'office',
    floorAreaM2: Math.round(s.template.floorAreaM2 * s.scale),
    timezone: s.template.timezone,
    country: s.template.country,
    outdoorTemperature: { device: 'weather' },
    baseline: { from: '2016-01-01', to: '2016-12-31' },
    decretTertiaire: { referenceYear: 2016, referenceConsumptionKWh: Math.round(s.template.annualKWh * s.scale * 1.05) },
    devices: [
      { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret },
      { id: 'weather', kind: 'weather-station', quantities: ['temperature_c'], secret },
    ],
  }));
}

/** A year (2016) of hourly index readings and outdoor temperatures of one site. */
export function yearReadings(s: BenchSite): Reading[] {
  const rows = hours(s.template.id).map((r) => ({ ...r, kwh: r.kwh === null ? null : r.kwh * s.scale }));
  return readingsOf(s.template, rows).map((r) => ({ ...r, site: s.id }));
}

/**
 * The last 26 hours before `nowMs` as a live meter sends them (index and power every 5 min), the
 * index continuing from the site's last 2016 value: what the overview shows today.
 */
export function recentReadings(s: BenchSite, lastIndexKWh: number, nowMs: number): Reading[] {
  const stepMs = 300_000;
  const startMs = Math.floor((nowMs - 26 * 3_600_000) / stepMs) * stepMs;
  const out: Reading[] = [];
  let index = lastIndexKWh;
  for (let t = startMs; t <= nowMs - 60_000; t += stepMs) {
    const hour = new Date(t).getUTCHours();
    const powerW = Math.round((hour >= 7 && hour < 19 ? 40_000 : 12_000) * s.scale);
    index += (powerW / 1000) * (stepMs / 3_600_000);
    out.push({ site: s.id, device: 'meter', quantity: 'power_w', tsMs: t, value: powerW });
    out.push({ site: s.id, device: 'meter', quantity: 'energy_kwh', tsMs: t, value: Math.round(index * 1000) / 1000 });
  }
  return out;
}

/** Writes each site's year and its last 26 h into `store`, in 20,000-reading batches; returns how many readings. */
export async function fillBenchStore(store: Pick<ReadingStore, 'write'>, sites: readonly BenchSite[]): Promise<number> {
  let readings = 0;
  for (const s of sites) {
    const year = yearReadings(s);
    const lastIndex = year.filter((r) => r.quantity === 'energy_kwh').at(-1)?.value ?? 0;
    const rs = [...year, ...recentReadings(s, lastIndex, Date.now())];
    for (let i = 0; i < rs.length; i += 20_000) await store.write(rs.slice(i, i + 20_000));
    readings += rs.length;
  }
  return readings;
}
