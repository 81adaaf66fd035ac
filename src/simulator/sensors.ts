import type { SiteConditions } from './site-model.js';
import type { UsageProfile } from './load-shapes.js';
import { uniformAt } from './random.js';

const HOUR_MS = 3_600_000;
/** CO2 a seated adult breathes out, L/s (EN 16798-1 annex, about 18–20 L/h for office work). */
const CO2_PER_PERSON_LPS = 0.0052;
/** Outdoor CO2, ppm (background of 2025–2026 is about 425 ppm, NOAA global mean). */
const OUTDOOR_CO2_PPM = 425;

export interface ZoneReading {
  temperatureC: number;
  humidityPct: number;
  co2Ppm: number;
  occupancyPeople: number;
}

/**
 * A room sensor: people in the zone it watches, the CO2 they breathe out (a well-mixed room:
 * dC/dt = (G·N − Q·(C − C_out)) / V, solved exactly between readings), an indoor temperature
 * that follows the set point or floats with the weather (first order, 3 h time constant), and a
 * relative humidity that rises with people and with the season.
 */
export class ZoneSensor {
  private co2Ppm = OUTDOOR_CO2_PPM;
  private indoorC: number | null = null;
  private lastMs: number | null = null;

  constructor(
    private readonly profile: UsageProfile,
    private readonly seed: number,
    private readonly stream: number,
    private readonly hasCooling: boolean,
  ) {}

  step(tMs: number, c: SiteConditions): ZoneReading {
    const p = this.profile;
    const capacity = p.zoneCapacityPeople;
    // Rooms are booked by the hour in a training centre; elsewhere people come and go.
    const hour = Math.floor(tMs / HOUR_MS);
    const booked = p.zoneM2PerPerson <= 3 ? (uniformAt(this.seed, this.stream, hour) < 0.75 ? 1 : 0.05) : 1;
    const jitter = 0.85 + 0.3 * uniformAt(this.seed, this.stream + 1, Math.floor(tMs / 600_000));
    const people = Math.min(capacity, Math.round(capacity * c.occupancy * booked * jitter));

    const dtS = this.lastMs === null ? 0 : Math.max(0, (tMs - this.lastMs) / 1000);
    const volumeL = capacity * p.zoneM2PerPerson * 2.7 * 1000;
    const open = c.occupancy > 0;
    // Closed: the ventilation is off and only infiltration remains (about 15 % of the design flow).
    const airLps = p.ventilationLPerSPerson * capacity * (open ? 1 : 0.15);
    const steadyPpm = OUTDOOR_CO2_PPM + ((people * CO2_PER_PERSON_LPS) / airLps) * 1e6;
    this.co2Ppm = steadyPpm + (this.co2Ppm - steadyPpm) * Math.exp((-airLps * dtS) / volumeL);

    // The room's own heaters (thermostatic valves, a zone controller) hold its set point whenever
    // the heating schedule is occupied, even when the building as a whole needs little heat.
    const setPointC = c.heatingOccupied ? p.indoorOccupiedC : p.indoorSetbackC;
    const freeC = c.outdoorC + 3 + 3 * c.occupancy;
    let targetC = Math.max(setPointC, freeC);
    if (this.hasCooling && open) targetC = Math.min(targetC, 25);
    if (this.indoorC === null) this.indoorC = targetC;
    else this.indoorC = targetC + (this.indoorC - targetC) * Math.exp(-dtS / (3 * 3600));
    this.lastMs = tMs;

    const humidityPct = Math.min(65, Math.max(28, 38 + 0.8 * (c.outdoorC - 8) + 10 * c.occupancy));
    return { temperatureC: this.indoorC, humidityPct, co2Ppm: this.co2Ppm, occupancyPeople: people };
  }
}
