import type { AppConfig, SiteConfig } from '../config/schema.js';
import { siteCalendar, type SiteCalendar } from '../energy/calendar.js';
import { activeAt, type Injection } from './anomaly-kinds.js';
import { LocalClock, offsetMs, type LocalMoment } from './local-clock.js';
import { USAGE_PROFILES, isChargingNight, isHeatingOccupied, occupancyShare, type UsageProfile } from './load-shapes.js';
import { hashString, noiseAt, smoothNoise } from './random.js';
import { weatherModel, type Climate, type WeatherModel } from './weather.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Where a site's heat comes from: its gas meter, its heat meter (district heating), else electric heaters. */
export type HeatingCarrier = 'gas' | 'heat' | 'electricity';

/** The state of a building at an instant, in W (powers) and °C. */
export interface SiteConditions {
  moment: LocalMoment;
  outdoorC: number;
  /** Share of the building's people present, 0–1. */
  occupancy: number;
  /** Electric load other than heating and cooling, W, and its lighting part. */
  activityW: number;
  lightingW: number;
  /** Electric power of cooling (thermal / COP 3), W. */
  coolingW: number;
  /** Heat delivered to the building, W (thermal). */
  heatingW: number;
  /** Everything the main electricity meter sees, W (activity, cooling, and heating when electric). */
  electricW: number;
  heatingOccupied: boolean;
}

/** The weather station a site's heating follows: its `outdoorTemperature` device, else its own id. */
export function stationIdOf(site: SiteConfig): string {
  const ref = site.outdoorTemperature;
  return ref ? `${ref.site ?? site.id}/${ref.device}` : `${site.id}/outdoor`;
}

/**
 * A building of the site's usage, floor area and calendar, under the weather of its station.
 * `injections` (heating left on, night load, drift) change it only at or after `runStartMs`:
 * before, the model gives the untouched history the meter indexes are anchored on.
 */
export class SiteModel {
  readonly profile: UsageProfile;
  readonly calendar: SiteCalendar;
  readonly clock: LocalClock;
  readonly weather: WeatherModel;
  readonly heatingCarrier: HeatingCarrier;
  private readonly stream: number;
  /**
   * The last few instants asked for: every device of the site asks for the same ones in turn (its
   * reading's instant, its meter slot's middle). A ring searched linearly: a Map keyed by epoch
   * milliseconds (heap numbers) cost as much as the conditions themselves in a backfill profile.
   */
  private readonly cacheKeys = new Float64Array(8).fill(NaN);
  private readonly cacheValues: (SiteConditions | undefined)[] = new Array<SiteConditions | undefined>(8);
  private cacheNext = 0;

  constructor(
    readonly site: SiteConfig,
    readonly seed: number,
    private readonly injections: readonly Injection[],
    climate?: Climate,
  ) {
    this.profile = USAGE_PROFILES[site.usage];
    this.calendar = siteCalendar(site);
    this.clock = new LocalClock(site.timezone, this.calendar);
    this.weather = weatherModel({ seed, stationId: stationIdOf(site), timezone: site.timezone, ...(climate ? { climate } : {}) });
    this.heatingCarrier = site.devices.some((d) => d.kind === 'gas-meter') ? 'gas' : site.devices.some((d) => d.kind === 'heat-meter') ? 'heat' : 'electricity';
    this.stream = hashString(site.id);
  }

  conditions(tMs: number, withAnomalies = true): SiteConditions {
    const key = withAnomalies ? tMs : -tMs;
    const keys = this.cacheKeys;
    for (let k = 0; k < keys.length; k++) if (keys[k] === key) return this.cacheValues[k]!;
    const c = this.compute(tMs, withAnomalies);
    keys[this.cacheNext] = key;
    this.cacheValues[this.cacheNext] = c;
    this.cacheNext = (this.cacheNext + 1) % keys.length;
    return c;
  }

  private compute(tMs: number, withAnomalies: boolean): SiteConditions {
    const p = this.profile;
    const area = this.site.floorAreaM2;
    const moment = this.clock.at(tMs);
    const outdoorC = this.weather.temperatureC(tMs);
    const occupancy = occupancyShare(moment, this.clock, p);
    const injections = withAnomalies ? this.injections : [];

    // Activity: always-on base plus what people switch on; hour-to-hour and day-to-day noise.
    const fullW = p.activityWPerM2 * area;
    let baseW = p.baseShare * fullW;
    const drift = injections.find((i) => i.what === 'slow-drift' && tMs >= i.fromMs);
    if (drift) baseW *= 1 + 0.3 * Math.min(1, (tMs - drift.fromMs) / (drift.toMs - drift.fromMs));
    const dayNumber = Math.floor(tMs / DAY_MS);
    const noise = 1 + p.activityNoise * smoothNoise(this.seed, this.stream, tMs, HOUR_MS) + 0.04 * noiseAt(this.seed, this.stream + 3, dayNumber);
    let activityW = Math.max(0, (baseW + (1 - p.baseShare) * fullW * occupancy) * noise);
    if (p.nightChargingWPerM2 > 0) {
      const previous = this.clock.facts(Math.floor((tMs + offsetMs(tMs, this.site.timezone)) / DAY_MS) - 1).dayType === 'working';
      if (isChargingNight(moment, previous)) activityW += p.nightChargingWPerM2 * area;
    }
    if (activeAt(injections, tMs, 'night-load')) activityW += 0.4 * fullW;
    const lightingW = activityW * p.lightingShare * (occupancy > 0 ? 1 : 0.3);

    const heatingOccupied = isHeatingOccupied(moment, this.clock) || activeAt(injections, tMs, 'heating-weekend') !== undefined;
    // Days off run on a deeper set-back than nights (the "réduit" of a French heating controller
    // on weekends and holidays): 4 K lower again.
    const balanceC = heatingOccupied ? p.heatingBalanceOccupiedC : moment.dayType === 'working' ? p.heatingBalanceSetbackC : p.heatingBalanceSetbackC - 4;
    // Morning boost: the first two hours bring the building back from its set-back temperature.
    const boost = heatingOccupied && moment.dayType === 'working' && moment.minuteOfDay < this.clock.openMinute + 60 ? 1.4 : 1;
    const heatingW = Math.max(0, p.heatLossWPerM2K * area * (balanceC - outdoorC) * boost * (1 + 0.05 * smoothNoise(this.seed, this.stream + 7, tMs, 2 * HOUR_MS)));
    const coolingW = p.coolingWPerM2K > 0 && occupancy > 0 ? (p.coolingWPerM2K * area * Math.max(0, outdoorC - p.coolingBalanceC)) / 3 : 0;
    const electricW = activityW + coolingW + (this.heatingCarrier === 'electricity' ? heatingW : 0);
    return { moment, outdoorC, occupancy, activityW, lightingW, coolingW, heatingW, electricW, heatingOccupied };
  }
}

/** One model per site of the configuration (or of `only`). */
export function siteModels(config: AppConfig, seed: number, injections: readonly Injection[], only?: readonly string[]): SiteModel[] {
  return config.sites.filter((s) => !only || only.includes(s.id)).map((s) => new SiteModel(s, seed, injections.filter((i) => i.site === s.id)));
}
