/**
 * Analytics benchmark (issue 4): baselines and KPIs for many sites, each with a year of
 * hourly data, read through the embedded DuckDB store as the service does.
 *   npm run bench:analytics [-- --sites 100] [--json out.json]
 * Sites are the six LEAD/GEPIII buildings of test/fixtures (real 2016 data, CC BY-SA, see
 * its README), each replayed many times with its own scale, so that fits do not repeat.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { configSchema } from '../../src/config/schema.js';
import { EnergyAnalyticsService } from '../../src/energy/analytics-service.js';
import type { Reading } from '../../src/model/reading.js';
import { DuckDbStore } from '../../src/storage/duckdb/duckdb-store.js';
import { createTempDir } from '../helpers/tmp.js';
import { buildings, hours, readingsOf, type Building } from '../unit/energy/helpers/lead-fixtures.js';

const { values: args } = parseArgs({
  options: { sites: { type: 'string', default: '100' }, json: { type: 'string' } },
});
const siteCount = Number(args.sites);
if (!Number.isInteger(siteCount) || siteCount < 1) throw new Error(`--sites must be a positive integer, got ${args.sites}`);

const templates = buildings();
const rowsByBuilding = new Map(templates.map((b) => [b.id, hours(b.id)]));

interface BenchSite {
  id: string;
  template: Building;
  scale: number;
}

const sites: BenchSite[] = Array.from({ length: siteCount }, (_, i) => ({
  id: `s${String(i).padStart(3, '0')}`,
  template: templates[i % templates.length]!,
  // 0.70 … 1.30: a deterministic spread so sites rank differently.
  scale: 0.7 + ((i * 37) % 61) / 100,
}));

const config = configSchema.parse({
  sites: sites.map((s) => ({
    id: s.id,
    name: `Bench ${s.id} (LEAD ${s.template.id})`,
    usage: 'office',
    floorAreaM2: Math.round(s.template.floorAreaM2 * s.scale),
    timezone: s.template.timezone,
    country: s.template.country,
    outdoorTemperature: { device: 'weather' },
    baseline: { from: '2016-01-01', to: '2016-12-31' },
    devices: [
      { id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'bench-secret' },
      { id: 'weather', kind: 'weather-station', quantities: ['temperature_c'], secret: 'bench-secret' },
    ],
  })),
});

function siteReadings(s: BenchSite): Reading[] {
  const rows = rowsByBuilding.get(s.template.id)!.map((r) => ({ ...r, kwh: r.kwh === null ? null : r.kwh * s.scale }));
  return readingsOf(s.template, rows).map((r) => ({ ...r, site: s.id }));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dir = await createTempDir('sbe-bench-analytics-');
const store = new DuckDbStore({ dataDir: dir.path });
try {
  await store.start();
  const loadStart = performance.now();
  let stored = 0;
  for (const s of sites) {
    const readings = siteReadings(s);
    for (let i = 0; i < readings.length; i += 20_000) await store.write(readings.slice(i, i + 20_000));
    stored += readings.length;
  }
  const loadS = (performance.now() - loadStart) / 1000;
  console.log(`loaded ${stored} readings of ${siteCount} sites in ${loadS.toFixed(1)} s (${Math.round(stored / loadS)} readings/s)`);

  const energy = new EnergyAnalyticsService({ config, query: store });
  const period = { from: '2016-01-01', to: '2016-12-31' };
  const perSiteMs: number[] = [];
  let accepted = 0;
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const totalStart = performance.now();
  for (const s of sites) {
    const t0 = performance.now();
    // kpis() fits the site's baseline itself (deviation, CUSUM), then the comparison needs nothing more.
    const kpis = await energy.kpis(s.id, period);
    perSiteMs.push(performance.now() - t0);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (kpis.kWhPerM2 === null || !Number.isFinite(kpis.kWhPerM2)) throw new Error(`site ${s.id}: no kWh/m² computed`);
    if ('accepted' in kpis.baseline && kpis.baseline.accepted) accepted += 1;
  }
  const totalS = (performance.now() - totalStart) / 1000;
  const sorted = [...perSiteMs].sort((a, b) => a - b);
  const figures = {
    sites: siteCount,
    readings: stored,
    perSiteMs: {
      mean: Math.round(perSiteMs.reduce((a, b) => a + b, 0) / perSiteMs.length),
      p50: Math.round(percentile(sorted, 50)),
      p95: Math.round(percentile(sorted, 95)),
      max: Math.round(sorted[sorted.length - 1]!),
      first: Math.round(perSiteMs[0]!),
    },
    totalS: Number(totalS.toFixed(1)),
    baselinesAccepted: accepted,
    peakRssMB: Math.round(rssPeak / 1_048_576),
    targetPerSiteMs: 200,
  };
  console.log('');
  console.log('analytics benchmark: baseline fit + KPIs of one site-year (hourly), DuckDB store');
  console.log(`  sites                 ${figures.sites}`);
  console.log(`  time per site, mean   ${figures.perSiteMs.mean} ms`);
  console.log(`  time per site, p50    ${figures.perSiteMs.p50} ms`);
  console.log(`  time per site, p95    ${figures.perSiteMs.p95} ms`);
  console.log(`  time per site, max    ${figures.perSiteMs.max} ms (first, cold: ${figures.perSiteMs.first} ms)`);
  console.log(`  all sites             ${figures.totalS} s`);
  console.log(`  baselines accepted    ${figures.baselinesAccepted} / ${figures.sites} (ASHRAE G14 monthly)`);
  console.log(`  peak RSS              ${figures.peakRssMB} MB`);
  console.log(`  target                < ${figures.targetPerSiteMs} ms per site: ${figures.perSiteMs.p95 < 200 ? 'met (p95)' : 'NOT met (p95)'}`);
  if (args.json) await writeFile(args.json, JSON.stringify(figures, null, 2));
} finally {
  await store.stop();
  await dir.remove();
}
