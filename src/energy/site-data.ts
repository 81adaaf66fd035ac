import { QUANTITIES, type EnergyCarrier, type QuantityName } from '../config/quantities.js';
import type { SiteConfig } from '../config/schema.js';
import type { ReadingQuery } from '../storage/port.js';
import { maxRatePerHour, stepsFromIndex, stepsFromPower, type Correction, type IndexPoint } from './counters.js';
import { emptySeries, rollUp, spreadSteps, sumSeries, type IntervalSeries } from './intervals.js';
import { HOUR_MS, dayEdges, hourEdgesOfDays, type LocalDay } from './local-time.js';

/**
 * Reads what the analytics need from the storage port. The analytics read INDEXES only for
 * energy: live meters publish cumulative indexes, and the historical import turns interval
 * values (hourly kWh rows) into a synthetic cumulative index before storage
 * (counters.intervalValuesToIndex), so one code path handles both. Power (W) is integrated only
 * for a device that has no index of the same carrier.
 */
export interface MeterRef {
  device: string;
  quantity: QuantityName;
  carrier: EnergyCarrier;
  /** Integrated from power_w rather than read from an index. */
  integrated: boolean;
  maxPowerW?: number;
}

/** How far after the period an index reading is fetched to close the last step (default 6 h). */
export const INDEX_LOOKAHEAD_MS = 6 * HOUR_MS;

/**
 * The meters counted for each carrier: every device with a cumulative quantity of that carrier,
 * plus power-only electricity devices, except sub-meters (`submeterOf`), whose energy is already
 * in their main meter's. `only` (device ids per carrier) narrows it further.
 */
export function siteMeters(site: SiteConfig, only?: Partial<Record<EnergyCarrier, string[]>>): MeterRef[] {
  const meters: MeterRef[] = [];
  for (const device of site.devices) {
    if (device.submeterOf !== undefined) continue;
    for (const quantity of device.quantities) {
      const q = QUANTITIES[quantity];
      if (q.kind !== 'cumulative' || q.carrier === null) continue;
      meters.push({ device: device.id, quantity, carrier: q.carrier, integrated: false, ...(device.maxPowerW !== undefined ? { maxPowerW: device.maxPowerW } : {}) });
    }
    if (device.quantities.includes('power_w') && !device.quantities.includes('energy_kwh')) {
      meters.push({ device: device.id, quantity: 'power_w', carrier: 'electricity', integrated: true });
    }
  }
  if (!only) return meters;
  return meters.filter((m) => only[m.carrier] === undefined || only[m.carrier]!.includes(m.device));
}

export interface CarrierSeries {
  carrier: EnergyCarrier;
  /** kWh for electricity/heat, m³ for gas/water. */
  unit: string;
  hourly: IntervalSeries;
  daily: IntervalSeries;
}

export interface SiteConsumption {
  days: LocalDay[];
  hourEdges: Float64Array;
  byCarrier: Map<EnergyCarrier, CarrierSeries>;
  corrections: Correction[];
}

async function meterSteps(query: ReadingQuery, siteId: string, meter: MeterRef, fromMs: number, toMs: number, corrections: Correction[]) {
  const selector = { site: siteId, device: meter.device, quantity: meter.quantity };
  if (meter.integrated) {
    const rows = await query.readings({ ...selector, fromMs: fromMs - 2 * HOUR_MS, toMs: toMs + 2 * HOUR_MS });
    return stepsFromPower(rows.map((r) => ({ tsMs: r.tsMs, value: r.value })));
  }
  const before = await query.readingAtOrBefore({ ...selector, atMs: fromMs });
  const rows = await query.readings({ ...selector, fromMs, toMs: toMs + INDEX_LOOKAHEAD_MS });
  const points: IndexPoint[] = [];
  if (before && (rows.length === 0 || before.tsMs < rows[0]!.tsMs)) points.push({ tsMs: before.tsMs, value: before.value });
  for (const r of rows) points.push({ tsMs: r.tsMs, value: r.value });
  const rate = maxRatePerHour(meter.quantity, meter.maxPowerW);
  const result = stepsFromIndex(points, { site: siteId, device: meter.device, quantity: meter.quantity, ...(rate !== undefined ? { maxRatePerHour: rate } : {}) });
  // Keep only corrections that concern the period asked for.
  for (const c of result.corrections) if (c.atMs > fromMs && c.atMs <= toMs + INDEX_LOOKAHEAD_MS) corrections.push(c);
  return result.steps;
}

/** One meter's hourly consumption over consecutive local days, and the corrections made to its readings. */
export interface MeterSeries {
  series: IntervalSeries;
  corrections: Correction[];
}

/** Gives a meter's series over the days (whose hour edges are `hourEdges`): from raw readings, or from rollups (site-rollups.ts). */
export type MeterSeriesLoader = (meter: MeterRef, days: readonly LocalDay[], hourEdges: Float64Array) => Promise<MeterSeries>;

/** A meter's series computed from its raw readings. */
export function rawMeterSeries(query: ReadingQuery, siteId: string): MeterSeriesLoader {
  return async (meter, _days, hourEdges) => {
    const corrections: Correction[] = [];
    const steps = await meterSteps(query, siteId, meter, hourEdges[0]!, hourEdges[hourEdges.length - 1]!, corrections);
    return { series: spreadSteps(emptySeries(hourEdges), steps), corrections };
  };
}

/** Hourly and daily consumption per carrier over consecutive local days. */
export async function loadSiteConsumption(query: ReadingQuery, site: SiteConfig, days: LocalDay[], only?: Partial<Record<EnergyCarrier, string[]>>, loadMeter: MeterSeriesLoader = rawMeterSeries(query, site.id)): Promise<SiteConsumption> {
  const hourEdges = hourEdgesOfDays(days);
  const dEdges = dayEdges(days);
  const corrections: Correction[] = [];
  const hourlyByCarrier = new Map<EnergyCarrier, IntervalSeries[]>();
  for (const meter of siteMeters(site, only)) {
    const { series, corrections: found } = await loadMeter(meter, days, hourEdges);
    corrections.push(...found);
    hourlyByCarrier.set(meter.carrier, [...(hourlyByCarrier.get(meter.carrier) ?? []), series]);
  }
  const byCarrier = new Map<EnergyCarrier, CarrierSeries>();
  for (const [carrier, parts] of hourlyByCarrier) {
    const hourly = parts.length === 1 ? parts[0]! : sumSeries(hourEdges, parts);
    const unit = carrier === 'gas' || carrier === 'water' ? 'm3' : 'kWh';
    byCarrier.set(carrier, { carrier, unit, hourly, daily: rollUp(hourly, dEdges) });
  }
  return { days, hourEdges, byCarrier, corrections };
}

/** Outdoor temperature readings of a site (its own station or another site's), or null without a source. */
export async function loadOutdoorTemperature(query: ReadingQuery, site: SiteConfig, fromMs: number, toMs: number): Promise<IndexPoint[] | null> {
  const ref = site.outdoorTemperature;
  if (!ref) return null;
  const rows = await query.readings({ site: ref.site ?? site.id, device: ref.device, quantity: ref.quantity, fromMs, toMs });
  return rows.map((r) => ({ tsMs: r.tsMs, value: r.value }));
}
