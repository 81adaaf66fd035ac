import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CALENDAR } from '../../../src/energy/calendar.js';
import type { HourlySeries } from '../../../src/rules/judgement.js';

/**
 * Reads the developer data set (`../shared/data`, see its README): one HourlySeries per building
 * and, kept apart, its LEAD1.0 labels. The labels are read here at run time only; they are never
 * copied into the project (their licence is unclear).
 *
 * Hour i starts at `timestamp_utc` (the local label minus the site's fixed standard offset), as the
 * fixtures' import does; the site's IANA zone then places hours of the week. At the UK sites the
 * labels look like GMT all year, so this is exact there; at US site 3 the labels look like wall
 * time with DST, so summer hours there sit one hour late on the local clock (data README,
 * "Time handling"). No calendar is published: Monday–Friday 08:00–18:00 and the country's public
 * holidays, which is what a site without a `calendar:` gets.
 */
export interface LabelledBuilding {
  id: string;
  primaryUse: string;
  floorAreaM2: number;
  /** The meter CSV, as a user would hand it to `npm run cli -- import`. */
  meterFile: string;
  series: HourlySeries;
  /** Per hour: 1 anomalous, 0 normal, -1 unlabelled (kWh missing). */
  labels: Int8Array;
}

function table(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [cols[i]!, v])));
}

export function loadLabelledBuildings(dataDir: string, only?: readonly string[]): LabelledBuilding[] {
  const meta = table(join(dataDir, 'buildings.csv')).filter((b) => !only || only.includes(b.building_id!));
  return meta.map((b) => {
    const meterFile = join(dataDir, 'meters', `building_${b.building_id}.csv`);
    const rows = table(meterFile);
    const startMs = Date.parse(rows[0]!.timestamp_utc!);
    const values = new Float64Array(rows.length);
    const labels = new Int8Array(rows.length);
    rows.forEach((r, i) => {
      if (Date.parse(r.timestamp_utc!) !== startMs + i * 3_600_000) throw new Error(`building ${b.building_id}: row ${i + 2} is not on the regular hourly index`);
      values[i] = r.kwh === '' || r.kwh === undefined ? NaN : Number(r.kwh);
      labels[i] = r.anomaly === '1' ? 1 : r.anomaly === '0' ? 0 : -1;
    });
    return {
      id: b.building_id!,
      primaryUse: b.primary_use!,
      floorAreaM2: Number(b.floor_area_m2),
      meterFile,
      series: { startMs, values, unit: b.unit ?? 'kWh', timezone: b.timezone!, calendar: { country: b.country!, ...DEFAULT_CALENDAR } },
      labels,
    };
  });
}
