import type { EnergyCarrier } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import type { Reading } from '../model/reading.js';
import type { ReadingQuery } from '../storage/port.js';
import { dailyTemperatures, type DailyTemperature } from './degree-days.js';
import { rollUp, type IntervalSeries } from './intervals.js';
import { addDays, dayEdges, DAY_MS, localDateOf, localDays, type LocalDay } from './local-time.js';
import { loadOutdoorTemperature, loadSiteConsumption, type CarrierSeries, type SiteConsumption } from './site-data.js';
import type { SiteRollups } from './site-rollups.js';

/**
 * What the analytics read from the store, kept per site and past CALENDAR YEAR (per month for the
 * current year, where live readings arrive): a comparison, a KPI page and a baseline over any
 * period slice the same hourly series instead of re-reading the raw readings (issue 13, point 6:
 * /api/compare re-read a year per site and per call). A period over several spans joins their
 * slices. A step straddling a boundary is spread over both sides, so a slice holds its share.
 *
 * Freshness: `invalidate(readings)` drops the years that new readings touch (wired to the
 * "readings stored" event); and an entry is re-read after `maxAgeMs` (10 min), or
 * `currentMaxAgeMs` (60 s) for the span that contains now, so data written by another process
 * (an import into InfluxDB while the service runs) shows up without the event.
 */
export interface SiteDataCacheOptions {
  query: ReadingQuery;
  now: () => number;
  meters?: Record<string, Partial<Record<EnergyCarrier, string[]>>>;
  maxAgeMs?: number;
  currentMaxAgeMs?: number;
  /**
   * Spans kept at most, least recently loaded dropped first (default 300). A site-year of one
   * carrier is four hourly Float64Arrays (4 × 8,784 × 8 B ≈ 0.28 MB) plus its days: 300 spans stay
   * under ~100 MB of the service's 512 MB heap ceiling.
   */
  maxEntries?: number;
  /** The store's rollups: a span not in memory is read from them when they still hold (site-rollups.ts). */
  rollups?: SiteRollups;
}

interface Entry<T> {
  loadedMs: number;
  /** First and last instant of the year, for invalidation (with a day's margin: lookahead, previous index). */
  spanMs: [number, number];
  /** Sites whose readings change it: the site itself, or the weather station's site. */
  site: string;
  device: string | null;
  value: Promise<T>;
  /** Reads the span again (refreshAhead). */
  reload: () => Promise<T>;
}

/** A span of cached data: a past calendar year, or a month of the current year (live readings then drop one month, not the year). */
export interface Unit {
  key: string;
  from: string;
  to: string;
}

function unitsOf(days: readonly LocalDay[], today: string): Unit[] {
  return spanUnits(days[0]!.date, days[days.length - 1]!.date, today);
}

/** The spans the cache reads for the local dates first…last (both included) when today is `today`: what a rollup is kept per (import-rollups.ts). */
export function spanUnits(first: string, last: string, today: string): Unit[] {
  const currentYear = Number(today.slice(0, 4));
  const units: Unit[] = [];
  for (let y = Number(first.slice(0, 4)); y <= Number(last.slice(0, 4)); y++) {
    if (y < currentYear) {
      units.push({ key: String(y), from: `${y}-01-01`, to: `${y}-12-31` });
      continue;
    }
    const m0 = y === Number(first.slice(0, 4)) ? Number(first.slice(5, 7)) : 1;
    const m1 = y === Number(last.slice(0, 4)) ? Number(last.slice(5, 7)) : 12;
    for (let m = m0; m <= m1; m++) {
      const mm = String(m).padStart(2, '0');
      const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
      units.push({ key: `${y}-${mm}`, from: `${y}-${mm}-01`, to: addDays(next, -1) });
    }
  }
  return units;
}

function sliceSeries(s: IntervalSeries, from: number, to: number): IntervalSeries {
  return { edges: s.edges.subarray(from, to + 1), values: s.values.subarray(from, to), coveredMs: s.coveredMs.subarray(from, to), estimatedMs: s.estimatedMs.subarray(from, to) };
}

function joinSeries(parts: readonly IntervalSeries[]): IntervalSeries {
  if (parts.length === 1) return parts[0]!;
  const n = parts.reduce((s, p) => s + p.values.length, 0);
  const out: IntervalSeries = { edges: new Float64Array(n + 1), values: new Float64Array(n), coveredMs: new Float64Array(n), estimatedMs: new Float64Array(n) };
  let k = 0;
  for (const p of parts) {
    out.edges.set(p.edges.subarray(0, p.values.length), k);
    out.values.set(p.values, k);
    out.coveredMs.set(p.coveredMs, k);
    out.estimatedMs.set(p.estimatedMs, k);
    k += p.values.length;
  }
  out.edges[n] = parts[parts.length - 1]!.edges[parts[parts.length - 1]!.values.length]!;
  return out;
}

/** Index of `ms` in ascending `edges` (binary search); -1 when absent. */
function edgeIndex(edges: Float64Array, ms: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! === ms) return mid;
    if (edges[mid]! < ms) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export class SiteDataCache {
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(private readonly options: SiteDataCacheOptions) {}

  /** Hourly and daily consumption per carrier over consecutive local days, sliced from cached years. */
  async consumption(site: SiteConfig, days: LocalDay[]): Promise<SiteConsumption> {
    const units = unitsOf(days, localDateOf(this.options.now(), site.timezone));
    const years = await Promise.all(units.map((u) => this.year(`c|${site.id}|${u.key}`, site, u, site.id, null, (yd) => loadSiteConsumption(this.options.query, site, yd, this.options.meters?.[site.id], this.options.rollups?.meterLoader(site)))));
    const fromMs = days[0]!.startMs;
    const toMs = days[days.length - 1]!.endMs;
    const carriers = new Set(years.flatMap((y) => [...y.byCarrier.keys()]));
    const byCarrier = new Map<EnergyCarrier, CarrierSeries>();
    let hourEdges: Float64Array | null = null;
    for (const carrier of carriers) {
      const parts = years.map((y) => {
        const c = y.byCarrier.get(carrier)!;
        const from = Math.max(0, edgeIndex(c.hourly.edges, fromMs));
        const to = edgeIndex(c.hourly.edges, toMs);
        return sliceSeries(c.hourly, from, to === -1 ? c.hourly.values.length : to);
      });
      const hourly = joinSeries(parts);
      hourEdges = hourly.edges;
      const first = years[0]!.byCarrier.get(carrier)!;
      byCarrier.set(carrier, { carrier, unit: first.unit, hourly, daily: rollUp(hourly, dayEdges(days)) });
    }
    const corrections = years.flatMap((y) => y.corrections).filter((c) => c.atMs > fromMs && c.atMs <= toMs);
    return { days, hourEdges: hourEdges ?? joinHourEdges(years, fromMs, toMs), byCarrier, corrections };
  }

  /** Daily outdoor temperatures of the site's source over the days; null without a source. */
  async temperatures(site: SiteConfig, days: LocalDay[]): Promise<DailyTemperature[] | null> {
    const ref = site.outdoorTemperature;
    if (!ref) return null;
    const sourceSite = ref.site ?? site.id;
    const units = unitsOf(days, localDateOf(this.options.now(), site.timezone));
    const years = await Promise.all(
      units.map((u) =>
        this.year(`t|${sourceSite}|${ref.device}|${ref.quantity}|${site.timezone}|${u.key}`, site, u, sourceSite, ref.device, async (yd) => {
          if (this.options.rollups) return (await this.options.rollups.temperatures(site, yd)) ?? [];
          const points = await loadOutdoorTemperature(this.options.query, site, yd[0]!.startMs, yd[yd.length - 1]!.endMs);
          return dailyTemperatures(points ?? [], yd, site.timezone);
        }),
      ),
    );
    const wanted = new Set(days.map((d) => d.date));
    return years.flat().filter((d) => wanted.has(d.date));
  }

  /** Drops the years these readings fall in (a day's margin either side: lookahead and previous index). */
  invalidate(readings: readonly Pick<Reading, 'site' | 'device' | 'tsMs'>[]): void {
    for (const [key, e] of this.entries) {
      for (const r of readings) {
        if (r.site !== e.site || (e.device !== null && r.device !== e.device)) continue;
        if (r.tsMs >= e.spanMs[0] - DAY_MS && r.tsMs < e.spanMs[1] + DAY_MS) {
          this.entries.delete(key);
          break;
        }
      }
    }
  }

  private year<T>(key: string, site: SiteConfig, unit: Unit, ownerSite: string, device: string | null, load: (days: LocalDay[]) => Promise<T>): Promise<T> {
    const nowMs = this.options.now();
    const hit = this.entries.get(key) as Entry<T> | undefined;
    if (hit && nowMs - hit.loadedMs < this.maxAgeOf(hit, nowMs)) return hit.value;
    const days = localDays(unit.from, unit.to, site.timezone);
    return this.put(key, { loadedMs: nowMs, spanMs: [days[0]!.startMs, days[days.length - 1]!.endMs], site: ownerSite, device, value: load(days), reload: () => load(days) });
  }

  private maxAgeOf(e: Entry<unknown>, nowMs: number): number {
    const current = nowMs >= e.spanMs[0] && nowMs < e.spanMs[1] + DAY_MS;
    return current ? (this.options.currentMaxAgeMs ?? 60_000) : (this.options.maxAgeMs ?? 600_000);
  }

  private put<T>(key: string, entry: Entry<T>): Promise<T> {
    this.entries.delete(key);
    this.entries.set(key, entry as Entry<unknown>);
    // A failed read is not kept: the next request tries again.
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    // Oldest first (Map order): a year read again moves to the end.
    while (this.entries.size > (this.options.maxEntries ?? 300)) this.entries.delete(this.entries.keys().next().value!);
    return entry.value;
  }

  /**
   * Reads again, one at a time, the spans past half their maximum age, and swaps each in once its
   * read is complete: a span in use never expires, so a comparison after an idle quarter of an hour
   * is not cold again (issue 13, point 6). Nothing is served older than before, since an entry
   * is replaced only by a newer read, and one dropped meanwhile (new readings) is not put back.
   */
  async refreshAhead(signal?: AbortSignal): Promise<number> {
    let refreshed = 0;
    for (const [key, e] of [...this.entries]) {
      if (signal?.aborted) break;
      const nowMs = this.options.now();
      if (nowMs - e.loadedMs < this.maxAgeOf(e, nowMs) / 2) continue;
      const value = e.reload();
      try {
        await value;
      } catch {
        continue;
      }
      if (this.entries.get(key) !== e) continue;
      this.put(key, { ...e, loadedMs: nowMs, value });
      refreshed++;
    }
    return refreshed;
  }
}

/** Hour edges of the period when the site has no meter at all (nothing to slice). */
function joinHourEdges(years: readonly SiteConsumption[], fromMs: number, toMs: number): Float64Array {
  const all = years.flatMap((y) => [...y.hourEdges]);
  const edges = [...new Set(all)].filter((t) => t >= fromMs && t <= toMs).sort((a, b) => a - b);
  return Float64Array.from(edges);
}
