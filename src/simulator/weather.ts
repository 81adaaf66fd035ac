import { localHours } from './local-clock.js';
import { hashString, smoothNoise } from './random.js';

/**
 * A plausible outdoor temperature for a site: a seasonal cycle, a daily cycle whose amplitude
 * follows the season, and weather noise. It is a pure function of time (and of the seed), so a
 * backfill at 15-minute steps and live readings every few seconds describe the same weather.
 */
export interface Climate {
  /** Annual mean of the daily mean temperature, °C. */
  annualMeanC: number;
  /** Half the difference between the warmest and the coldest monthly mean, °C. */
  seasonalAmplitudeC: number;
  /** Day of year (1 = 1 January) of the coldest daily mean. */
  coldestDayOfYear: number;
  /** Half the mean daily range (Tx − Tn)/2 in the coldest and in the warmest month, °C. */
  dailyHalfRangeWinterC: number;
  dailyHalfRangeSummerC: number;
  /** Standard deviation of day-to-day weather (synoptic) departures, °C. */
  weatherSigmaC: number;
}

/**
 * Rouen-Boos, the reference station of the pilot sites, after Météo-France's 1991–2020 normals
 * (rounded): January about 4.7 °C (Tn 2, Tx 7.5), July about 18.5 °C (Tn 13, Tx 24); the cosine
 * through them has its midpoint at 11.6 °C.
 * The weather noise (3 °C, a few days' correlation) is what Normandy's winters show between a
 * mild westerly and a cold easterly spell. About 2,500 DJU base 18 a year result.
 */
export const NORMANDY_CLIMATE: Climate = {
  annualMeanC: 11.6,
  seasonalAmplitudeC: 6.9,
  coldestDayOfYear: 15,
  dailyHalfRangeWinterC: 2.8,
  dailyHalfRangeSummerC: 5.5,
  weatherSigmaC: 3,
};

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.2425;

export interface WeatherModel {
  /** Outdoor air temperature at `tMs`, °C. */
  temperatureC(tMs: number): number;
  /** Outdoor relative humidity at `tMs`, %RH: high at night and in winter, as an oceanic climate has it. */
  humidityPct(tMs: number): number;
}

/**
 * The weather of a place. `stationId` gives the station its own small local departures (two
 * stations 20 km apart share the weather systems, not every degree).
 */
export function weatherModel(options: { seed: number; stationId: string; timezone: string; climate?: Climate }): WeatherModel {
  const c = options.climate ?? NORMANDY_CLIMATE;
  const local = hashString(options.stationId);
  const seasonPhase = (tMs: number) => (2 * Math.PI * (tMs / DAY_MS - (c.coldestDayOfYear - 1))) / YEAR_DAYS;
  const temperatureC = (tMs: number): number => {
    // cos(phase) = 1 on the coldest day: season = mean − amplitude·cos.
    const cosSeason = Math.cos(seasonPhase(tMs));
    const seasonal = c.annualMeanC - c.seasonalAmplitudeC * cosSeason;
    const halfRange = (c.dailyHalfRangeWinterC + c.dailyHalfRangeSummerC) / 2 - ((c.dailyHalfRangeSummerC - c.dailyHalfRangeWinterC) / 2) * cosSeason;
    // Tx near 15:00 and Tn near 05:00 local (solar noon is about 13:30 in Paris summer time):
    // a cosine peaking at 15:00, sharpened a little towards the dawn minimum.
    const hour = localHours(tMs, options.timezone);
    const daily = halfRange * Math.cos((2 * Math.PI * (hour - 15)) / 24);
    // Weather systems (3 days, shared by every station of the seed) and local departures (6 h).
    const synoptic = c.weatherSigmaC * smoothNoise(options.seed, 1, tMs, 3 * DAY_MS);
    const localNoise = 0.5 * smoothNoise(options.seed, local, tMs, 6 * 3_600_000);
    return seasonal + daily + synoptic + localNoise;
  };
  const humidityPct = (tMs: number): number => {
    const cosSeason = Math.cos(seasonPhase(tMs));
    const hour = localHours(tMs, options.timezone);
    // Lowest in mid-afternoon, when the air is warmest.
    const rh = 80 + 6 * cosSeason - 12 * Math.cos((2 * Math.PI * (hour - 15)) / 24) + 6 * smoothNoise(options.seed, local + 2, tMs, DAY_MS);
    // Near saturation a shielded RH probe creeps towards 100 % without reaching it (soft knee at
    // 90 %): a hard clamp read exactly 100 % through whole winter nights, a sensor no one would trust.
    const soft = rh > 90 ? 90 + 8 * (1 - Math.exp(-(rh - 90) / 8)) : rh;
    return Math.max(35, soft);
  };
  return { temperatureC, humidityPct };
}
