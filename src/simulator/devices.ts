import type { QuantityName } from '../config/quantities.js';
import type { DeviceConfig } from '../config/schema.js';
import { activeAt, type Injection } from './anomaly-kinds.js';
import { INDEX_RESOLUTION, SlotIndex, atResolution } from './meters.js';
import { hashString, noiseAt, smoothNoise, uniformAt } from './random.js';
import { ZoneSensor } from './sensors.js';
import type { SiteConditions, SiteModel } from './site-model.js';
import { weatherModel, type WeatherModel } from './weather.js';

/** The service's default gas conversion (README, Energy analytics: 11.2 kWh per m³). */
const GAS_KWH_PER_M3 = 11.2;
/** Seasonal efficiency of a condensing gas boiler on its PCS basis. */
const BOILER_EFFICIENCY = 0.9;

export type Values = Partial<Record<QuantityName, number>>;

/**
 * One simulated device: the values of its declared quantities at an instant, then what the
 * injected anomalies do to what it publishes (nothing while silent, frozen values while stuck,
 * an index from zero after a reset, one absurd index on a spike).
 */
export class DeviceSim {
  private readonly index: SlotIndex | null = null;
  private readonly indexQuantity: QuantityName | null = null;
  private readonly zone: ZoneSensor | null = null;
  private readonly weather: WeatherModel | null = null;
  private readonly stream: number;
  private resetOffset = 0;
  private spiked = false;
  private stuck: Values | null = null;
  /** Injections whose first affected reading has been produced (each logged once). */
  readonly started = new Set<Injection>();

  constructor(
    readonly model: SiteModel,
    readonly device: DeviceConfig,
    private readonly injections: readonly Injection[],
    runStartMs: number,
  ) {
    const site = model.site;
    this.stream = hashString(`${site.id}/${device.id}`);
    const indexQuantity = device.quantities.find((q) => q in INDEX_RESOLUTION) ?? null;
    const wantsPower = device.quantities.includes('power_w');
    if (indexQuantity || wantsPower) {
      const rate = this.rateFunction(indexQuantity ?? 'energy_kwh');
      // A meter already installed for years: a seeded starting index.
      const start = Math.round(1000 + 40_000 * uniformAt(model.seed, this.stream, 0));
      this.index = new SlotIndex(rate, start, runStartMs);
      this.indexQuantity = indexQuantity;
    }
    if (device.kind === 'weather-station') {
      this.weather = weatherModel({ seed: model.seed, stationId: `${site.id}/${device.id}`, timezone: site.timezone });
    } else if (device.quantities.some((q) => q === 'temperature_c' || q === 'co2_ppm' || q === 'occupancy' || q === 'humidity_pct')) {
      this.zone = new ZoneSensor(model.profile, model.seed, this.stream, model.profile.coolingWPerM2K > 0);
    }
  }

  /** Rate of the device's index, per hour in its unit (kWh/h is kW). */
  private rateFunction(quantity: QuantityName): (tMs: number, inRun: boolean) => number {
    const m = this.model;
    const d = this.device;
    const heatingMeters = m.site.devices.filter((x) => x.kind === (m.heatingCarrier === 'gas' ? 'gas-meter' : 'heat-meter')).length;
    // Hot water and standby around the clock, with its own slow noise (tanks reheat in cycles).
    const baseW = (c: SiteConditions, tMs: number): number => m.profile.heatBaseWPerM2 * m.site.floorAreaM2 * (1 + c.occupancy) * (1 + 0.15 * smoothNoise(m.seed, this.stream + 5, tMs, 2 * 3_600_000));
    const share = (c: SiteConditions, tMs: number): number => {
      if (d.kind === 'gas-meter') return m.heatingCarrier === 'gas' ? (c.heatingW + baseW(c, tMs)) / heatingMeters / BOILER_EFFICIENCY : 0;
      if (d.kind === 'heat-meter') return m.heatingCarrier === 'heat' ? (c.heatingW + baseW(c, tMs)) / heatingMeters : 0.1 * c.heatingW;
      if (d.kind === 'water-meter') return 0;
      if (d.submeterOf === undefined) return c.electricW;
      const label = `${d.id} ${d.name ?? ''}`.toLowerCase();
      if (/eclair|éclair|light/.test(label)) return c.lightingW;
      if (/compress/.test(label)) return 0.4 * (c.activityW - c.lightingW);
      return 0.2 * c.activityW;
    };
    if (quantity === 'water_m3') {
      const people = m.site.floorAreaM2 * m.profile.peoplePerM2;
      // Washrooms and kitchens follow the people present; 10 L/h of cisterns and leaks remain.
      return (tMs, inRun) => people * m.conditions(tMs, inRun).occupancy * m.profile.waterM3PerPersonHour + 0.01;
    }
    const toUnit = quantity === 'gas_m3' ? 1 / 1000 / GAS_KWH_PER_M3 : 1 / 1000;
    return (tMs, inRun) => share(m.conditions(tMs, inRun), tMs) * toUnit;
  }

  /** The values of the declared quantities at `tMs`, before publish-time anomalies. Calls go forward in time. */
  valuesAt(tMs: number): Values {
    const out: Values = {};
    const c = this.model.conditions(tMs);
    if (this.index) {
      const value = this.index.valueAt(tMs);
      if (this.indexQuantity) out[this.indexQuantity] = atResolution(value, INDEX_RESOLUTION[this.indexQuantity as keyof typeof INDEX_RESOLUTION]);
      // Instantaneous power: the slot's mean with 2 % of ripple (a meter's 1 s power is never flat).
      if (this.device.quantities.includes('power_w')) out.power_w = Math.round(this.index.currentRate() * 1000 * (1 + 0.02 * noiseAt(this.model.seed, this.stream, Math.floor(tMs / 1000))));
    }
    if (this.weather) {
      if (this.device.quantities.includes('temperature_c')) out.temperature_c = round(this.weather.temperatureC(tMs), 0.1);
      // A capacitive RH probe's reading wanders by about 1 %RH from minute to minute.
      if (this.device.quantities.includes('humidity_pct')) out.humidity_pct = Math.min(100, Math.round(this.weather.humidityPct(tMs) + noiseAt(this.model.seed, this.stream + 4, Math.floor(tMs / 60_000))));
    } else if (this.zone) {
      const z = this.zone.step(tMs, c);
      const q = this.device.quantities;
      if (q.includes('temperature_c')) out.temperature_c = round(z.temperatureC + 0.1 * noiseAt(this.model.seed, this.stream + 1, Math.floor(tMs / 60_000)), 0.1);
      if (q.includes('humidity_pct')) out.humidity_pct = round(z.humidityPct + 0.5 * noiseAt(this.model.seed, this.stream + 3, Math.floor(tMs / 60_000)), 0.5);
      if (q.includes('co2_ppm')) out.co2_ppm = Math.round(z.co2Ppm + 8 * noiseAt(this.model.seed, this.stream + 2, Math.floor(tMs / 60_000)));
      if (q.includes('occupancy')) out.occupancy = z.occupancyPeople;
    }
    return out;
  }

  /** What the device publishes at `tMs`: null while it is silent. */
  publishAt(tMs: number): Values | null {
    const values = this.valuesAt(tMs);
    const silent = activeAt(this.injections, tMs, 'silent-device');
    if (silent) {
      this.started.add(silent);
      return null;
    }
    const stuck = activeAt(this.injections, tMs, 'stuck-sensor');
    if (stuck) {
      this.started.add(stuck);
      this.stuck ??= values;
      return { ...this.stuck };
    }
    this.stuck = null;
    if (this.indexQuantity && values[this.indexQuantity] !== undefined) {
      const reset = this.injections.find((i) => i.what === 'meter-reset' && tMs >= i.fromMs);
      if (reset && !this.started.has(reset)) {
        // The new meter (or the restarted counter) shows zero at the reset instant.
        this.resetOffset = values[this.indexQuantity]!;
        this.started.add(reset);
      }
      let value = values[this.indexQuantity]! - this.resetOffset;
      const spike = this.injections.find((i) => i.what === 'spike' && tMs >= i.fromMs);
      if (spike && !this.spiked) {
        this.spiked = true;
        this.started.add(spike);
        // A day of the circuit's maximum power in one reading: far above what maxPowerW allows.
        value += ((this.device.maxPowerW ?? 100_000) / 1000) * 24;
      }
      values[this.indexQuantity] = atResolution(value, INDEX_RESOLUTION[this.indexQuantity as keyof typeof INDEX_RESOLUTION]);
    }
    return values;
  }
}

function round(value: number, step: number): number {
  const decimals = step < 1 ? Math.round(-Math.log10(step)) : 0;
  return Number((Math.round(value / step) * step).toFixed(decimals));
}
