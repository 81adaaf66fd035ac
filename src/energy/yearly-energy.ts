import type { EnergyCarrier } from '../config/quantities.js';
import { hourlyCoverage, type Coverage } from './coverage.js';
import type { IntervalSeries } from './intervals.js';
import type { SiteConsumption } from './site-data.js';
import { finalEnergyHourly } from './site-kpis.js';

/**
 * What a site consumed over one calendar year, per energy carrier and in total final energy: the
 * figures a site manager declares on OPERAT (Décret tertiaire, arrêté du 10 avril 2020: the
 * previous year's final energy per carrier, by 30 September) and the measured years of the
 * trajectory. Water is not energy: it is left out.
 */
export interface GasConversion {
  kWhPerM3: number;
  /** What the factor is and where it comes from, printed beside every converted figure. */
  source: string;
}

export interface CarrierYear {
  carrier: Exclude<EnergyCarrier, 'water'>;
  /** Unit of the meter: kWh (electricity, heat) or m3 (gas). */
  meterUnit: 'kWh' | 'm3';
  /** Consumption in the meter's unit; null below the coverage rule. */
  meterTotal: number | null;
  /** kWh of final energy (gas × kWhPerM3); null below the coverage rule. */
  finalKWh: number | null;
  /** kWh per m³ applied (1 for carriers metered in kWh). */
  factor: number;
  coverage: Coverage;
  /** Share of the year's consumption that comes from gaps spread linearly (estimated, not measured), percent; null below the coverage rule. */
  estimatedSharePct: number | null;
}

export interface EnergyYear {
  year: number;
  carriers: CarrierYear[];
  /** Every carrier together: an hour counts as measured when every meter measured it. */
  coverage: Coverage;
  /** Final energy of the year, kWh; null below the coverage rule or without a meter. */
  finalKWh: number | null;
}

/** Energy of `series` that comes from estimated (gap) steps: each hour's value weighed by its estimated part. */
function estimatedOf(series: IntervalSeries): number {
  let sum = 0;
  for (let i = 0; i < series.values.length; i++) {
    const covered = series.coveredMs[i]!;
    if (covered > 0 && series.estimatedMs[i]! > 0) sum += (series.values[i]! * Math.min(series.estimatedMs[i]!, covered)) / covered;
  }
  return sum;
}

const sumOf = (values: Float64Array) => values.reduce((s, v) => s + v, 0);

export function energyYear(year: number, consumption: SiteConsumption, gas: GasConversion): EnergyYear {
  const carriers: CarrierYear[] = [];
  for (const c of consumption.byCarrier.values()) {
    if (c.carrier === 'water') continue;
    const coverage = hourlyCoverage(c.hourly);
    const factor = c.carrier === 'gas' ? gas.kWhPerM3 : 1;
    const total = sumOf(c.hourly.values);
    carriers.push({
      carrier: c.carrier,
      meterUnit: c.carrier === 'gas' ? 'm3' : 'kWh',
      meterTotal: coverage.sufficient ? total : null,
      finalKWh: coverage.sufficient ? total * factor : null,
      factor,
      coverage,
      estimatedSharePct: coverage.sufficient ? (total > 0 ? (estimatedOf(c.hourly) / total) * 100 : 0) : null,
    });
  }
  carriers.sort((a, b) => CARRIER_ORDER.indexOf(a.carrier) - CARRIER_ORDER.indexOf(b.carrier));
  const hourly = finalEnergyHourly(consumption, gas.kWhPerM3);
  const coverage = hourlyCoverage(hourly);
  return { year, carriers, coverage, finalKWh: carriers.length > 0 && coverage.sufficient ? sumOf(hourly.values) : null };
}

const CARRIER_ORDER: readonly CarrierYear['carrier'][] = ['electricity', 'gas', 'heat'];
