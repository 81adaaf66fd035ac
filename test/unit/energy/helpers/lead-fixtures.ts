import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema, type AppConfig } from '../../../../src/config/schema.js';
import { intervalValuesToIndex } from '../../../../src/energy/counters.js';
import type { Reading } from '../../../../src/model/reading.js';
import { MemoryQuery } from './memory-query.js';

const DIR = fileURLToPath(new URL('../../../fixtures/lead-gepiii/', import.meta.url));
const HOUR_MS = 3_600_000;

export interface Building {
  id: string;
  siteId: string;
  primaryUse: string;
  floorAreaM2: number;
  timezone: string;
  country: string;
  annualKWh: number;
  euiKWhPerM2: number;
}

export interface HourRow {
  /** Start of the hour: timestamp_utc (local label minus the fixed standard offset, see the fixture README). */
  startMs: number;
  kwh: number | null;
  tempC: number | null;
}

export function buildings(): Building[] {
  const [header, ...lines] = readFileSync(`${DIR}buildings.csv`, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((line) => {
    const v = Object.fromEntries(line.split(',').map((x, i) => [cols[i], x]));
    return {
      id: v.building_id!,
      siteId: v.site_id!,
      primaryUse: v.primary_use!,
      floorAreaM2: Number(v.floor_area_m2),
      timezone: v.timezone!,
      country: v.country!,
      annualKWh: Number(v.annual_kwh),
      euiKWhPerM2: Number(v.eui_kwh_per_m2),
    };
  });
}

export function hours(buildingId: string): HourRow[] {
  const [, ...lines] = readFileSync(`${DIR}building_${buildingId}.csv`, 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [, utc, kwh, temp] = line.split(',');
    return { startMs: Date.parse(utc!), kwh: kwh === '' || kwh === undefined ? null : Number(kwh), tempC: temp === '' || temp === undefined ? null : Number(temp) };
  });
}

/** Readings as the import will store them: a synthetic cumulative kWh index, and the outdoor temperature. */
export function readingsOf(building: Building, rows: readonly HourRow[]): Reading[] {
  const site = `b${building.id}`;
  const index = intervalValuesToIndex(rows.map((r) => ({ startMs: r.startMs, endMs: r.startMs + HOUR_MS, value: r.kwh })));
  const out: Reading[] = index.map((p) => ({ site, device: 'meter', quantity: 'energy_kwh', tsMs: p.tsMs, value: p.value }));
  for (const r of rows) if (r.tempC !== null) out.push({ site, device: 'weather', quantity: 'temperature_c', tsMs: r.startMs, value: r.tempC });
  return out;
}

export function leadConfig(list: readonly Building[]): AppConfig {
  return configSchema.parse({
    sites: list.map((b) => ({
      id: `b${b.id}`,
      name: `LEAD/GEPIII building ${b.id}`,
      usage: b.primaryUse === 'Office' ? 'office' : b.primaryUse === 'Education' ? 'education' : 'other',
      floorAreaM2: b.floorAreaM2,
      timezone: b.timezone,
      country: b.country,
      outdoorTemperature: { device: 'weather' },
      calendar: {},
      baseline: { from: '2016-01-01', to: '2016-12-31' },
      devices: [
        { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'fixture-secret' },
        { id: 'weather', kind: 'weather-station', quantities: ['temperature_c'], secret: 'fixture-secret' },
      ],
    })),
  });
}

/** The six buildings loaded into one in-memory query port. */
export function leadQuery(list: readonly Building[]): MemoryQuery {
  const q = new MemoryQuery();
  for (const b of list) q.add(readingsOf(b, hours(b.id)));
  return q;
}
