import type { AppConfig } from '../config/schema.js';
import type { EnergyAnalyticsService } from './analytics-service.js';
import { DAY_MS, localDateOf } from './local-time.js';
import { spanUnits } from './site-data-cache.js';

/**
 * The sites whose figures readings of (site, device) change: the site itself, and every site that
 * takes its outdoor temperature from that device (outdoorTemperature: { site, device }).
 */
export function sitesReadingFrom(config: AppConfig, site: string, device: string): string[] {
  return config.sites.filter((s) => s.id === site || ((s.outdoorTemperature?.site ?? s.id) === site && s.outdoorTemperature?.device === device)).map((s) => s.id);
}

export interface ImportRollupsReport {
  sites: number;
  /** Spans (a site's past calendar year, or a month of the current year) read for the consumption and the temperatures. */
  spans: number;
  /** Of the spans and baselines asked, how many were computed from the readings and written (the others still held). */
  computed: number;
  served: number;
}

/**
 * Computes, right after an import, what the first comparison would otherwise compute from the raw
 * readings (issue 13, point 6: 1.9 s on DuckDB and 3.9 s on InfluxDB for 20 site-years with no
 * rollups stored, against 0.4 s and 0.8 s with them, bench:api 2026-12-01): for each site the
 * imported readings change, the consumption and temperatures of every span the analytics cache
 * over the days of [fromMs, toMs] (a day's margin either side: the index before a span and the
 * lookahead after it, site-data-cache.ts invalidate), and the site's baseline. `energy` must be
 * built with the store's rollups (EnergyAnalyticsService `rollups`); they are all written when
 * this resolves. The rollups' marks make this safe whatever else writes: a span whose readings
 * change again is computed again when next read (rollups.ts).
 */
export async function computeRollupsAfterImport(energy: Pick<EnergyAnalyticsService, 'site' | 'consumption' | 'temperatures' | 'baseline' | 'rollupsSettled' | 'rollupStats'>, siteIds: readonly string[], fromMs: number, toMs: number, nowMs: number): Promise<ImportRollupsReport> {
  const before = energy.rollupStats();
  const [served0, computed0] = [before?.served ?? 0, before?.computed ?? 0];
  let spans = 0;
  for (const siteId of siteIds) {
    const site = energy.site(siteId);
    const today = localDateOf(nowMs, site.timezone);
    const from = localDateOf(fromMs - DAY_MS, site.timezone);
    const to = localDateOf(Math.min(toMs + DAY_MS, nowMs), site.timezone);
    if (from > today) continue;
    for (const unit of spanUnits(from, to < today ? to : today, today)) {
      const period = { from: unit.from, to: unit.to };
      await Promise.all([energy.consumption(siteId, period), energy.temperatures(siteId, period)]);
      spans++;
    }
    await energy.baseline(siteId);
  }
  await energy.rollupsSettled();
  const after = energy.rollupStats();
  return { sites: siteIds.length, spans, computed: (after?.computed ?? 0) - computed0, served: (after?.served ?? 0) - served0 };
}
