import type { QuantityName } from '../config/quantities.js';
import type { AppConfig } from '../config/schema.js';
import type { EnergyAnalyticsService } from './analytics-service.js';
import { DAY_MS, localDateOf } from './local-time.js';
import { spanUnits } from './site-data-cache.js';
import { siteMeters } from './site-data.js';

/** A site whose figures an import changes, and which of them. */
export interface ImportTarget {
  site: string;
  /** The imported series is one of the site's counted meters (site-data.ts siteMeters). */
  consumption: boolean;
  /** The imported series is the site's outdoor temperature source (its own station or another site's). */
  temperatures: boolean;
}

/** The sites whose figures readings of (site, device, quantity) change, and which figures. */
export function importTargets(config: AppConfig, site: string, device: string, quantity: QuantityName): ImportTarget[] {
  const out: ImportTarget[] = [];
  for (const s of config.sites) {
    const consumption = s.id === site && siteMeters(s).some((m) => m.device === device && m.quantity === quantity);
    const ref = s.outdoorTemperature;
    const temperatures = ref !== undefined && (ref.site ?? s.id) === site && ref.device === device && ref.quantity === quantity;
    if (consumption || temperatures) out.push({ site: s.id, consumption, temperatures });
  }
  return out;
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
 * imported readings change (importTargets), the consumption or the temperatures of every span the
 * analytics cache over the days of [fromMs, toMs], and the site's baseline. `energy` must be
 * built with the store's rollups (EnergyAnalyticsService `rollups`); they are all written when
 * this resolves. The rollups' marks make this safe whatever else writes: a span whose readings
 * change again is computed again when next read (rollups.ts).
 */
export async function computeRollupsAfterImport(energy: Pick<EnergyAnalyticsService, 'site' | 'consumption' | 'temperatures' | 'baseline' | 'rollupsSettled' | 'rollupStats'>, targets: readonly ImportTarget[], fromMs: number, toMs: number, nowMs: number): Promise<ImportRollupsReport> {
  const before = energy.rollupStats();
  const [served0, computed0] = [before?.served ?? 0, before?.computed ?? 0];
  let spans = 0;
  for (const target of targets) {
    const site = energy.site(target.site);
    const today = localDateOf(nowMs, site.timezone);
    // A meter's span also reads the index before it and 6 h after it (site-data.ts): a day's
    // margin either side. A day's temperatures come from its own readings only.
    const margin = target.consumption ? DAY_MS : 0;
    const from = localDateOf(fromMs - margin, site.timezone);
    const to = localDateOf(Math.min(toMs + margin, nowMs), site.timezone);
    if (from > today) continue;
    for (const unit of spanUnits(from, to < today ? to : today, today)) {
      const period = { from: unit.from, to: unit.to };
      await Promise.all([target.consumption ? energy.consumption(target.site, period) : null, target.temperatures ? energy.temperatures(target.site, period) : null]);
      spans++;
    }
    await energy.baseline(target.site);
  }
  await energy.rollupsSettled();
  const after = energy.rollupStats();
  return { sites: targets.length, spans, computed: (after?.computed ?? 0) - computed0, served: (after?.served ?? 0) - served0 };
}
