import type { SiteUsage } from '../config/quantities.js';
import type { LocalClock, LocalMoment } from './local-clock.js';

/**
 * How a building of each usage draws energy. Orders of magnitude from the French tertiary
 * building stock (CEREN and ADEME figures for offices, schools, workshops and logistics
 * warehouses: electricity of 40–120 kWh/m²·year, night baseloads of a quarter to a third of the
 * day's load in offices, where servers and standby stay on) and from the EN 12831 heat-loss
 * method (heating power = heat-loss coefficient × (balance point − outdoor temperature)).
 */
export interface UsageProfile {
  /** Electric load other than heating and cooling at full activity, W per m² of floor. */
  activityWPerM2: number;
  /** Share of that load drawn when the building is closed (servers, standby, emergency lighting). */
  baseShare: number;
  /** Share of the activity load that is lighting (what a lighting sub-meter sees). */
  lightingShare: number;
  /** Occupancy at the bottom of the lunch dip, as a share of the morning's (1 = no dip). */
  lunchDip: number;
  /** Relative standard deviation of the activity load from hour to hour (machines start and stop). */
  activityNoise: number;
  /** Building heat-loss coefficient per m² of floor, W/(m²·K). */
  heatLossWPerM2K: number;
  /** Outdoor temperature below which heating runs, occupied and set back, °C (internal gains lower it). */
  heatingBalanceOccupiedC: number;
  heatingBalanceSetbackC: number;
  /** Indoor set points, occupied and set back, °C. */
  indoorOccupiedC: number;
  indoorSetbackC: number;
  /** Cooling: thermal W/(m²·K) above `coolingBalanceC` when open; 0 = no cooling. Electric = thermal / COP 3. */
  coolingWPerM2K: number;
  coolingBalanceC: number;
  /** Extra load at night on working days, W/m² (forklift battery charging in a warehouse). */
  nightChargingWPerM2: number;
  /** People in the zone a room sensor watches at full occupancy, and its floor area per person, m². */
  zoneCapacityPeople: number;
  zoneM2PerPerson: number;
  /** Fresh air per person when open, L/s (EN 16798-1 category II: 10; many French classrooms get 4). */
  ventilationLPerSPerson: number;
  /** People in the whole building at full occupancy, per m² of floor. */
  peoplePerM2: number;
  /** Water use per person present, m³/h. */
  waterM3PerPersonHour: number;
  /**
   * Heat drawn around the clock from a gas boiler or a district-heating substation besides space
   * heating, W per m² of floor: the hot-water loop's losses, storage and boiler standby, plus the
   * draw of the people present (doubling it at full occupancy). Without it a heating meter reads
   * zero all night and every mild day, which no real one does.
   */
  heatBaseWPerM2: number;
}

const OFFICE: UsageProfile = {
  activityWPerM2: 15,
  baseShare: 0.3,
  lightingShare: 0.35,
  lunchDip: 0.7,
  activityNoise: 0.05,
  heatLossWPerM2K: 2.2,
  heatingBalanceOccupiedC: 15,
  // Nights and days off on frost protection ("hors-gel" of a French tertiary heating controller):
  // the building floats down on its thermal mass and the heating runs only in a hard frost. A
  // night "réduit" balanced at 12 °C heated all autumn with the weather and read as a night left on.
  heatingBalanceSetbackC: -3,
  indoorOccupiedC: 21,
  indoorSetbackC: 15,
  coolingWPerM2K: 1.2,
  coolingBalanceC: 22,
  nightChargingWPerM2: 0,
  zoneCapacityPeople: 40,
  zoneM2PerPerson: 10,
  ventilationLPerSPerson: 10,
  peoplePerM2: 1 / 12,
  waterM3PerPersonHour: 0.004,
  // About 13 kWh/m²·year: the low end of hot water and its loop in French offices and schools.
  heatBaseWPerM2: 1.5,
};

export const USAGE_PROFILES: Record<SiteUsage, UsageProfile> = {
  office: OFFICE,
  industrial: {
    ...OFFICE,
    activityWPerM2: 30,
    baseShare: 0.12,
    lightingShare: 0.2,
    lunchDip: 0.85,
    activityNoise: 0.12,
    heatLossWPerM2K: 1.8,
    heatingBalanceOccupiedC: 13,
    heatingBalanceSetbackC: -3,
    indoorOccupiedC: 18,
    indoorSetbackC: 13,
    coolingWPerM2K: 0,
    zoneCapacityPeople: 15,
    zoneM2PerPerson: 30,
    ventilationLPerSPerson: 15,
    peoplePerM2: 1 / 40,
  },
  education: {
    ...OFFICE,
    activityWPerM2: 10,
    baseShare: 0.18,
    lightingShare: 0.45,
    lunchDip: 0.5,
    activityNoise: 0.06,
    heatLossWPerM2K: 2.4,
    coolingWPerM2K: 0,
    zoneCapacityPeople: 30,
    zoneM2PerPerson: 2,
    // 7 L/s (25 m³/h) per person: a mechanically ventilated training room sized on EN 16798-1
    // (category III is 4 L/s per person plus 0.4 L/s per m² for the building; 4 L/s alone, the old
    // RSDT figure, keeps a full room above 1,500 ppm all day, as the HCSP found in many schools).
    ventilationLPerSPerson: 7,
    peoplePerM2: 1 / 5,
    waterM3PerPersonHour: 0.002,
    // Twice an office's: a canteen kitchen and the workshops' changing rooms, and a district-heating
    // substation that keeps its exchanger hot (at 1.5 W/m² a 1 kWh heat meter read 3 or 4 all night).
    heatBaseWPerM2: 3,
  },
  warehouse: {
    ...OFFICE,
    activityWPerM2: 5,
    baseShare: 0.2,
    lightingShare: 0.6,
    lunchDip: 0.9,
    activityNoise: 0.08,
    // Heated to keep frost and condensation off the goods only.
    heatLossWPerM2K: 0.6,
    heatingBalanceOccupiedC: 8,
    heatingBalanceSetbackC: -3,
    // The room sensor watches the order-picking and dispatch office, not the dock: its own heaters
    // hold 17 °C while people work and 16 °C over the short nights (7 h: a deeper set-back would
    // not be recovered by 05:00); the hall around it is kept frost-free only (balance points above).
    indoorOccupiedC: 17,
    indoorSetbackC: 16,
    coolingWPerM2K: 0,
    nightChargingWPerM2: 1.5,
    zoneCapacityPeople: 6,
    zoneM2PerPerson: 100,
    ventilationLPerSPerson: 20,
    peoplePerM2: 1 / 300,
    waterM3PerPersonHour: 0.002,
  },
  retail: { ...OFFICE, activityWPerM2: 25, baseShare: 0.2, lightingShare: 0.5, lunchDip: 1, coolingWPerM2K: 1.5, zoneCapacityPeople: 50, zoneM2PerPerson: 5, peoplePerM2: 1 / 20 },
  other: OFFICE,
};

/**
 * Share of the building's people present (0–1): a ramp of an hour after opening, a lunch dip
 * between 12:00 and 14:00, a ramp of an hour and a half before closing; nobody on days off.
 */
export function occupancyShare(moment: LocalMoment, clock: LocalClock, profile: UsageProfile): number {
  if (moment.dayType !== 'working') return 0;
  const from = clock.openMinute;
  const to = clock.closeMinute;
  const m = moment.minuteOfDay;
  if (m < from || m >= to) return 0;
  const ramp = Math.min(1, (m - from) / 60, (to - m) / 90);
  const lunch = m >= 720 && m < 840 ? 1 - (1 - profile.lunchDip) * Math.sin((Math.PI * (m - 720)) / 120) : 1;
  return Math.max(0, ramp) * lunch;
}

/** True within opening hours on a working day, and in the hour before (pre-heating, first arrivals). */
export function isHeatingOccupied(moment: LocalMoment, clock: LocalClock): boolean {
  if (moment.dayType !== 'working') return false;
  const m = moment.minuteOfDay;
  return m >= clock.openMinute - 60 && m < clock.closeMinute;
}

/** True in the working-night hours 22:00–05:00 that follow or precede a working day. */
export function isChargingNight(moment: LocalMoment, previousDayWorking: boolean): boolean {
  const m = moment.minuteOfDay;
  return (m >= 22 * 60 && moment.dayType === 'working') || (m < 5 * 60 && previousDayWorking);
}
