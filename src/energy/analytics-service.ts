import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EnergyCarrier } from '../config/quantities.js';
import type { AppConfig, SiteConfig } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import type { ReadingQuery, RollupStore } from '../storage/port.js';
import { fitDailyBaseline, predictDaily, type BaselineOptions, type BaselineResult } from './baseline/daily-baseline.js';
import { hourOfWeekProfile, type HourOfWeekSlot } from './baseline/hour-of-week.js';
import { detectNonWorkingDays, siteCalendar, typeDays, type NonWorkingDetection, type SiteCalendar, type TypedDay } from './calendar.js';
import { degreeDays, type DailyTemperature, type DegreeDay, type DjuMethod } from './degree-days.js';
import { rollUp } from './intervals.js';
import { DEFAULT_GAS_KWH_PER_M3, DEFAULT_GAS_SOURCE } from './kpis.js';
import { decretTrajectory, type DecretTrajectory } from './decret-trajectory.js';
import { finalPrediction } from './decret-tertiaire.js';
import { energyYear, type EnergyYear, type GasConversion } from './yearly-energy.js';
import { localDays, dayEdges, type LocalDay } from './local-time.js';
import { hourlyCoverage, type Coverage } from './coverage.js';
import { hourlyGrid, type GridDay } from './hourly-grid.js';
import type { DecretReference } from './decret-assessment.js';
import { problem, type AnalyticsProblem } from './problems.js';
import { rankSites, type RankedSite } from './ranking.js';
import type { Reading } from '../model/reading.js';
import { BaselineCache } from './baseline-cache.js';
import type { SiteConsumption } from './site-data.js';
import { SiteDataCache } from './site-data-cache.js';
import { DayRollups, type RollupStats } from './rollups.js';
import { SiteRollups } from './site-rollups.js';
import { BatchedReadingQuery, batchedMarks } from './store-batches.js';
import { baselineRollupName, fittedBaseline } from './baseline-rollup.js';
import { computeSiteKpis, finalEnergyHourly, toBaselineDays, type SiteKpis } from './site-kpis.js';

/** Local dates of the site, both included. */
export interface Period {
  from: string;
  to: string;
}

export interface AnalyticsServiceOptions {
  config: AppConfig;
  query: ReadingQuery;
  logger?: Logger;
  /** Device ids counted per site and carrier (exclude sub-meters); default: every meter of the carrier. */
  meters?: Record<string, Partial<Record<EnergyCarrier, string[]>>>;
  gasKWhPerM3?: number;
  /** Where gasKWhPerM3 comes from (printed in the OPERAT export); default: the default factor's source. */
  gasFactorSource?: string;
  djuMethod?: DjuMethod;
  /** Normal-year DJU per site, for climate correction of calendar-year periods. */
  normalYearDju?: Record<string, number>;
  baseline?: BaselineOptions;
  /** Clock, epoch ms, for the freshness of cached years and baselines (default Date.now). */
  now?: () => number;
  /** How long a cached past year or baseline is used before it is read again, ms (default 10 min; 60 s for the current year). */
  cacheMaxAgeMs?: number;
  /**
   * Where derived figures are kept across restarts (the store's rollups, port.ts RollupStore):
   * each day's consumption per meter, its temperatures and each fitted baseline, used while the
   * readings they came from are unchanged (rollups.ts). Without it everything is computed from
   * the raw readings after each start.
   */
  rollups?: RollupStore;
}


export interface SiteDays {
  days: LocalDay[];
  typed: TypedDay[];
  calendar: SiteCalendar;
  calendarSource: 'config' | 'default';
}

export interface SiteTemperatures {
  daily: DailyTemperature[];
  degreeDays: DegreeDay[];
}

export interface SiteBaseline {
  result: BaselineResult;
  /** What the fitted model expects on each day of its reference period, kWh (NaN without temperature); empty when not fitted. */
  expectedByDate: Map<string, number>;
  /** Hour-of-week profile of the reference period, computed on first use (only the baseline route shows it). */
  profile: () => HourOfWeekSlot[] | null;
  period: Period | null;
  temperatures: SiteTemperatures | null;
}

export interface BaselineDayComparison {
  date: string;
  dayType: TypedDay['type'];
  actualKWh: number | null;
  expectedKWh: number | null;
  /**
   * The band around expectedKWh that holds about 95 % of the reference period's days:
   * ± 1.96 × the daily RMSE of the fit (normal residuals; ASHRAE Guideline 14-2014, annex B,
   * without the leverage term, small for a year of days). Null without an expected figure.
   */
  expectedLowKWh: number | null;
  expectedHighKWh: number | null;
  tMeanC: number | null;
}

export type KpiKey = 'kWhPerM2' | 'climateCorrectedKWhPerM2' | 'deviationPct' | 'outOfHoursShare' | 'baseloadKW';

/**
 * Site analytics over the storage port: consumption per carrier (indexes via counters.ts, power
 * via trapezoidal integration), daily temperatures and DJU, the baseline, KPIs and comparison.
 * What it reads is kept per site and calendar year (site-data-cache.ts) and each baseline is
 * fitted once per reference period (baseline-cache.ts); invalidate() drops what new readings
 * change. It holds no timer or connection, so it needs no start()/stop().
 * Errors are explicit: an unknown site throws, an unknown country throws UnsupportedCountryError.
 */
export class EnergyAnalyticsService {
  private readonly data: SiteDataCache;
  private readonly baselines: BaselineCache<SiteBaseline>;
  private readonly now: () => number;
  private readonly rollups: DayRollups | null;
  /** The last computation queued by inTurn (settled, never rejected). */
  private cpu: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AnalyticsServiceOptions) {
    const now = options.now ?? (() => Date.now());
    this.now = now;
    this.rollups = options.rollups ? new DayRollups(options.rollups, options.logger) : null;
    this.data = new SiteDataCache({
      query: options.query,
      now,
      ...(options.meters ? { meters: options.meters } : {}),
      ...(options.cacheMaxAgeMs !== undefined ? { maxAgeMs: options.cacheMaxAgeMs } : {}),
      // Each turn's marks and indexes before a span asked in one store call (store-batches.ts).
      ...(this.rollups ? { rollups: new SiteRollups(new BatchedReadingQuery(options.query), batchedMarks(options.rollups!), this.rollups) } : {}),
    });
    this.baselines = new BaselineCache(now, options.cacheMaxAgeMs);
  }

  /**
   * Fits every site's baseline (reading its reference period), one site at a time, and reads what
   * the KPIs of `periods` need (the API passes its default period), so that the first comparison
   * finds them: the rebuild at start of what the caches hold. Failures are logged, not thrown: a
   * site without data is the ordinary case of a new pilot.
   */
  async warmUp(signal?: AbortSignal, periods: readonly Period[] = []): Promise<void> {
    for (const site of this.options.config.sites) {
      if (signal?.aborted) return;
      try {
        await this.baseline(site.id);
        for (const period of periods) await this.kpis(site.id, period);
        // The warm-up runs beside ingestion from the start: one site, then a turn for I/O.
        await nextTurn();
      } catch (err) {
        this.options.logger?.warn({ err, site: site.id }, 'analytics warm-up failed');
      }
    }
  }

  /**
   * Reads again the cached spans, then refits the baselines, that are past half their maximum age
   * (site-data-cache.ts, baseline-cache.ts): what is in use stays warm, so only a period nobody
   * asked for is read on a request. Call it every few seconds; it reads one span at a time.
   */
  async refreshAhead(signal?: AbortSignal): Promise<{ spans: number; baselines: number }> {
    const spans = await this.data.refreshAhead(signal);
    const baselines = await this.baselines.refreshAhead(signal);
    return { spans, baselines };
  }

  /** Spans and baselines served from the store's rollups or computed since start (null without rollups). */
  rollupStats(): RollupStats | null {
    return this.rollups?.stats ?? null;
  }

  /** Resolves once the rollups written so far are stored (tests, benchmarks). */
  async rollupsSettled(): Promise<void> {
    await this.rollups?.settled();
  }

  /** Forgets the cached years and baselines these readings change (call it on "readings stored"). */
  invalidate(readings: readonly Reading[]): void {
    this.data.invalidate(readings);
    this.baselines.invalidate(readings);
  }

  site(siteId: string): SiteConfig {
    const site = this.options.config.sites.find((s) => s.id === siteId);
    if (!site) throw new Error(`unknown site "${siteId}"`);
    return site;
  }

  siteDays(siteId: string, period: Period): SiteDays {
    const site = this.site(siteId);
    if (!(period.from <= period.to)) throw new RangeError(`period ${period.from}…${period.to} is empty`);
    const days = localDays(period.from, period.to, site.timezone);
    const calendar = siteCalendar(site);
    return { days, typed: typeDays(days.map((d) => d.date), calendar), calendar, calendarSource: site.calendar ? 'config' : 'default' };
  }

  async consumption(siteId: string, period: Period): Promise<SiteConsumption> {
    const site = this.site(siteId);
    return this.data.consumption(site, localDays(period.from, period.to, site.timezone));
  }

  /** Null when the site has no outdoor temperature source. */
  async temperatures(siteId: string, period: Period): Promise<SiteTemperatures | null> {
    const site = this.site(siteId);
    const daily = await this.data.temperatures(site, localDays(period.from, period.to, site.timezone));
    if (!daily) return null;
    return { daily, degreeDays: degreeDays(daily, { baseC: this.options.config.degreeDays.baseC, method: this.options.djuMethod ?? 'meteo' }) };
  }

  /** The baseline fitted on `period`, or on the site's configured baseline period: fitted once, then cached. */
  async baseline(siteId: string, period?: Period): Promise<SiteBaseline> {
    const site = this.site(siteId);
    const p = period ?? site.baseline ?? null;
    if (!p) return { result: { ok: false, problems: [problem('no-baseline-period', { site: siteId })] }, expectedByDate: new Map(), profile: () => null, period: null, temperatures: null };
    const days = localDays(p.from, p.to, site.timezone);
    const sources = [site.id, site.outdoorTemperature?.site ?? site.id];
    return this.baselines.get(`${site.id}|${p.from}|${p.to}`, sources, [days[0]!.startMs, days[days.length - 1]!.endMs], () => this.fitBaseline(site, p));
  }

  /**
   * The site's baseline on its configured period when it is fitted or being fitted (by the
   * warm-up, a comparison…), without starting a fit: null otherwise. The overview asks this
   * first, so that it never starts twenty cold fits at once (src/api/overview-baselines.ts).
   */
  cachedBaseline(siteId: string): Promise<SiteBaseline> | null {
    const site = this.site(siteId);
    if (!site.baseline) return this.baseline(siteId);
    return this.baselines.peek(`${site.id}|${site.baseline.from}|${site.baseline.to}`) ?? null;
  }

  private async fitBaseline(site: SiteConfig, p: Period): Promise<SiteBaseline> {
    const siteId = site.id;
    const sd = this.siteDays(siteId, p);
    // The stored fit is read with the period's spans, not after them (rollups.ts prefetch).
    this.rollups?.prefetch(siteId, baselineRollupName(p));
    const [consumption, temperatures] = await Promise.all([this.consumption(siteId, p), this.temperatures(siteId, p)]);
    const hourly = finalEnergyHourly(consumption, this.options.gasKWhPerM3 ?? DEFAULT_GAS_KWH_PER_M3);
    const daily = rollUp(hourly, dayEdges(sd.days));
    const problems: AnalyticsProblem[] = [];
    if (consumption.byCarrier.size === 0) problems.push(problem('no-energy-meter', { site: siteId }));
    if (!temperatures) problems.push(problem('no-temperature-source', { site: siteId }));
    const bDays = temperatures ? toBaselineDays(sd.days, daily, temperatures.daily, sd.typed) : [];
    const result: BaselineResult =
      problems.length > 0 ? { ok: false, problems } : this.rollups ? await fittedBaseline(this.rollups, siteId, p, sd.days[0]!.startMs, bDays, this.options.baseline) : fitDailyBaseline(bDays, this.options.baseline);
    const expected = result.ok ? predictDaily(result.baseline, bDays) : null;
    // Built once and never changed: seasonalShare may keep its weights (decret-tertiaire.ts).
    const expectedByDate = finalPrediction(new Map(expected ? bDays.map((d, i) => [d.date, expected[i]!] as const) : []));
    const unusual = new Set(sd.typed.filter((t) => t.type === 'holiday' || t.type === 'closure').map((t) => t.date));
    this.options.logger?.debug({ site: siteId, ok: result.ok }, 'baseline fitted');
    let profile: HourOfWeekSlot[] | undefined;
    return { result, expectedByDate, profile: () => (profile ??= hourOfWeekProfile(hourly, site.timezone, unusual)), period: p, temperatures };
  }

  /**
   * Day by day over `period`: measured final energy and what the site's baseline (fitted on its
   * configured period) expects for that day's weather and day type. `expectedKWh` is null without
   * a fitted baseline or a day's temperature; `actualKWh` is null when a day is not fully measured.
   */
  async baselineDays(siteId: string, period: Period): Promise<{ baseline: SiteBaseline; days: BaselineDayComparison[] }> {
    const sd = this.siteDays(siteId, period);
    const consumption = await this.consumption(siteId, period);
    const temperatures = await this.temperatures(siteId, period);
    const baseline = await this.baseline(siteId);
    const daily = rollUp(finalEnergyHourly(consumption, this.options.gasKWhPerM3 ?? DEFAULT_GAS_KWH_PER_M3), dayEdges(sd.days));
    const bDays = toBaselineDays(sd.days, daily, temperatures?.daily ?? null, sd.typed);
    const expected = baseline.result.ok ? predictDaily(baseline.result.baseline, bDays) : null;
    const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
    const halfBand = baseline.result.ok ? 1.96 * baseline.result.baseline.daily.rmse : NaN;
    const days = bDays.map((d, i) => {
      const e = expected ? finite(expected[i]) : null;
      const band = e !== null && Number.isFinite(halfBand);
      return {
        date: d.date,
        dayType: sd.typed[i]!.type,
        actualKWh: finite(d.energyKWh),
        expectedKWh: e,
        expectedLowKWh: band ? Math.max(0, e - halfBand) : null,
        expectedHighKWh: band ? e + halfBand : null,
        tMeanC: finite(d.tMeanC),
      };
    });
    return { baseline, days };
  }

  /** Final energy per local hour and day (the carpet plot); `meters` is 0 when the site has no energy meter. */
  async hourlyGrid(siteId: string, period: Period): Promise<{ days: GridDay[]; coverage: Coverage; meters: number }> {
    const site = this.site(siteId);
    const sd = this.siteDays(siteId, period);
    const consumption = await this.consumption(siteId, period);
    const hourly = finalEnergyHourly(consumption, this.options.gasKWhPerM3 ?? DEFAULT_GAS_KWH_PER_M3);
    return { days: hourlyGrid(sd.days, hourly, sd.typed, site.timezone), coverage: hourlyCoverage(hourly), meters: consumption.byCarrier.size };
  }

  async kpis(siteId: string, period: Period): Promise<SiteKpis> {
    return (await this.kpiInputs(siteId, period))();
  }

  /** Reads (or finds cached) what the site's KPIs over the period need; the returned function computes them, synchronously. */
  private async kpiInputs(siteId: string, period: Period): Promise<() => SiteKpis> {
    const site = this.site(siteId);
    const sd = this.siteDays(siteId, period);
    // Asked together: from the store's rollups, the site's spans are then one read (rollups.ts stored).
    // The period's days are those of siteDays, made once (localDays was 0.4 s of self time, profile 16:42).
    const [consumption, temperatures, base, decretReference] = await Promise.all([this.data.consumption(site, sd.days), this.data.temperatures(site, sd.days), this.baseline(siteId), this.decretReference(site)]);
    return () => {
      const gasKWhPerM3 = this.options.gasKWhPerM3 ?? DEFAULT_GAS_KWH_PER_M3;
      // Computed once for the non-working days and the KPIs.
      const hourly = finalEnergyHourly(consumption, gasKWhPerM3);
      const daily = rollUp(hourly, dayEdges(sd.days));
      let nonWorkingCandidates: NonWorkingDetection | undefined;
      if (sd.calendarSource === 'default') {
        nonWorkingCandidates = detectNonWorkingDays(sd.days.map((d, i) => ({ date: d.date, energyKWh: daily.values[i]! })), site.country);
      }
      const baselineDju = base.temperatures ? new Map(base.temperatures.degreeDays.map((d) => [d.date, d.hddC])) : undefined;
      const normalDju = this.options.normalYearDju?.[siteId];
      return computeSiteKpis({
        site,
        calendar: sd.calendar,
        calendarSource: sd.calendarSource,
        ...(nonWorkingCandidates ? { nonWorkingCandidates } : {}),
        days: sd.days,
        typed: sd.typed,
        consumption,
        finalEnergy: { hourly, daily },
        temperatures,
        baseline: base.result,
        options: {
          baseC: this.options.config.degreeDays.baseC,
          djuMethod: this.options.djuMethod ?? 'meteo',
          gasKWhPerM3,
          ...(normalDju !== undefined ? { normalDju } : {}),
          ...(baselineDju ? { baselineDju } : {}),
          ...(decretReference !== undefined ? { decretReference } : {}),
          expectedByDate: base.expectedByDate,
        },
      });
    };
  }

  /**
   * Runs the computations given one at a time, each in a turn of the event loop of its own, after
   * the I/O that arrived meanwhile: compare()'s concurrent workers found their sites' data at the
   * same moment and computed 4 sites back to back, ~200 ms of CPU that every PUBACK waited behind
   * (bench:compare-load profile 2026-12-01 16:42: the longest analytics stretches were 150-190 ms).
   */
  private inTurn<T>(compute: () => T): Promise<T> {
    const run = this.cpu.then(() => nextTurn()).then(compute);
    this.cpu = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** KPIs of every site over the period, and their ranking on `key` (lower is better except none). */
  async compare(period: Period, key: KpiKey = 'kWhPerM2'): Promise<{ kpis: SiteKpis[]; ranking: RankedSite[] }> {
    // From raw readings, reading several sites at once was not measurably faster on 2 shared cores
    // (bench:api, 2026-12-01) and held their data: one site at a time. From rollups a site is a
    // handful of small queries: the sites of a window are read together, so that their rollups
    // and marks go in one store call each (store-batches.ts), and the next window is read while
    // this one is computed. The computations run one at a time, each in a turn of its own
    // (inTurn), results in config order: with the sites' data cached every await here is a
    // microtask, and twenty sites would be one block of CPU that ingestion's callbacks wait behind.
    const sites = this.options.config.sites;
    const window = this.rollups ? COMPARE_READ_WINDOW : 1;
    const inputs: Array<Promise<() => SiteKpis> | undefined> = [];
    const readWindow = (from: number) => {
      for (let i = from; i < Math.min(sites.length, from + window); i++) {
        const p = this.kpiInputs(sites[i]!.id, period);
        // Awaited in order below; a failure of a site read ahead is seen there, never unhandled.
        p.catch(() => undefined);
        inputs[i] = p;
      }
    };
    const kpis: SiteKpis[] = new Array<SiteKpis>(sites.length);
    for (let i = 0; i < sites.length; i++) {
      if (!inputs[i]) readWindow(i);
      const compute = await inputs[i]!;
      // The window's first site is read: the next window's reads start, beside this one's computations.
      if (i % window === 0 && this.rollups) readWindow(i + window);
      kpis[i] = await this.inTurn(compute);
      inputs[i] = undefined;
    }
    return { kpis, ranking: rankSites(kpis, (k) => kpiValue(k, key), 'asc') };
  }

  /** The gas conversion every figure in kWh uses, with where it comes from. */
  gasConversion(): GasConversion {
    const kWhPerM3 = this.options.gasKWhPerM3 ?? DEFAULT_GAS_KWH_PER_M3;
    return { kWhPerM3, source: this.options.gasFactorSource ?? (kWhPerM3 === DEFAULT_GAS_KWH_PER_M3 ? DEFAULT_GAS_SOURCE : 'service option gasKWhPerM3') };
  }

  /** The last calendar year that has ended in the site's time zone. */
  lastCompleteYear(siteId: string): number {
    const site = this.site(siteId);
    const year = new Intl.DateTimeFormat('en-CA', { timeZone: site.timezone, year: 'numeric' }).format(this.now());
    return Number(year) - 1;
  }

  /** Per calendar year (both included), what each energy carrier consumed and its coverage (OPERAT, trajectory). */
  async energyYears(siteId: string, fromYear: number, toYear: number): Promise<EnergyYear[]> {
    const site = this.site(siteId);
    const out: EnergyYear[] = [];
    for (let y = fromYear; y <= toYear; y++) {
      const consumption = await this.data.consumption(site, localDays(`${y}-01-01`, `${y}-12-31`, site.timezone));
      out.push(energyYear(y, consumption, this.gasConversion()));
    }
    return out;
  }

  /** The Décret tertiaire trajectory: reference, every complete calendar year from the reference year, milestones; null when not configured. */
  async decretTrajectory(siteId: string): Promise<DecretTrajectory | null> {
    const site = this.site(siteId);
    const cfg = site.decretTertiaire;
    if (!cfg) return null;
    const years = await this.energyYears(siteId, cfg.referenceYear, this.lastCompleteYear(siteId));
    return decretTrajectory(site, await this.decretReference(site), years);
  }

  /** Measured final energy of the Décret tertiaire reference year, when the config gives none (coverage rule as for every KPI). */
  private async decretReference(site: SiteConfig): Promise<DecretReference | undefined> {
    const cfg = site.decretTertiaire;
    if (!cfg || cfg.referenceConsumptionKWh !== undefined) return undefined;
    const c = await this.data.consumption(site, localDays(`${cfg.referenceYear}-01-01`, `${cfg.referenceYear}-12-31`, site.timezone));
    const hourly = finalEnergyHourly(c, this.options.gasKWhPerM3 ?? DEFAULT_GAS_KWH_PER_M3);
    const coverage = hourlyCoverage(hourly);
    if (c.byCarrier.size === 0 || !coverage.sufficient) {
      return { problems: [problem('decret-no-reference', { referenceYear: cfg.referenceYear, measuredSharePct: c.byCarrier.size === 0 ? 0 : coverage.measuredSharePct, requiredSharePct: coverage.requiredSharePct })] };
    }
    return { kWh: hourly.values.reduce((s, v) => s + v, 0) };
  }
}

/**
 * Sites read together by compare() when rollups are kept (one otherwise); two windows at most
 * are held at once. Twenty is the comparison of issue 13, point 6, in one window.
 */
const COMPARE_READ_WINDOW = 20;

export function kpiValue(k: SiteKpis, key: KpiKey): number | null {
  // Below the coverage rule a site has no figure, not a figure of zero (it would rank first).
  if (k.status !== 'ok') return null;
  switch (key) {
    case 'kWhPerM2':
      return k.kWhPerM2;
    case 'climateCorrectedKWhPerM2':
      return 'kWhPerM2' in k.climateCorrected ? k.climateCorrected.kWhPerM2 : null;
    case 'deviationPct':
      return 'deviationPct' in k.deviation ? k.deviation.deviationPct : null;
    case 'outOfHoursShare':
      return k.load?.outOfHoursShare ?? null;
    case 'baseloadKW':
      return k.load?.baseloadKW ?? null;
  }
}
