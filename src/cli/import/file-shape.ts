import type { QuantityName } from '../../config/quantities.js';
import { splitCsvLine } from './csv-fields.js';

/**
 * What an export says about itself before its data: where the real header row is (Enedis and
 * GRDF exports start with a metadata block: PRM, dates, "Grandeur physique", "Unité", "Pas"), and
 * the unit of the values where the file states it (a header cell such as `Valeur (W)`, an `Unité`
 * field of the metadata block, or an `Unité` column repeated on every row).
 */
export const TIMESTAMP_NAMES = ['timestamp_utc', 'timestamp', 'datetime', 'date_time', 'horodate', 'time', 'date', 'ts', 'debut', 'début', 'start'];
const UNIT_NAMES = ['unité', 'unite', 'unit', 'unité de mesure', 'unite de mesure'];

/** Units an export may state, by what they measure, with the factor to the service's unit. */
const UNITS: Record<string, { measures: 'power' | 'energy' | 'volume'; factor: number }> = {
  w: { measures: 'power', factor: 1 },
  kw: { measures: 'power', factor: 1000 },
  wh: { measures: 'energy', factor: 0.001 },
  kwh: { measures: 'energy', factor: 1 },
  mwh: { measures: 'energy', factor: 1000 },
  m3: { measures: 'volume', factor: 1 },
  'm³': { measures: 'volume', factor: 1 },
};

export type StatedUnit = { unit: string; measures: 'power' | 'energy' | 'volume'; factor: number; where: string };

function unitFromText(text: string): { unit: string; measures: 'power' | 'energy' | 'volume'; factor: number } | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, '');
  const u = UNITS[t];
  return u ? { unit: text.trim(), ...u } : null;
}

/** The unit written in a column name: `Valeur (W)`, `Puissance [kW]`, `conso_kwh`, `kWh`. */
export function unitInColumnName(name: string): { unit: string; measures: 'power' | 'energy' | 'volume'; factor: number } | null {
  const bracket = /[([]\s*([^)\]]+?)\s*[)\]]/.exec(name);
  if (bracket) return unitFromText(bracket[1]!);
  const suffix = /(?:^|[_\s-])(w|kw|wh|kwh|mwh|m3|m³)$/i.exec(name.trim());
  return suffix ? unitFromText(suffix[1]!) : null;
}

/**
 * Index of the header row among the first lines: the first with two or more fields of which one
 * is a timestamp column name (or the one asked for). -1 when none is: line 1 is then the header.
 */
export function findHeaderRow(lines: readonly string[], delimiter: string, timestampColumn: string | undefined): number {
  const wanted = timestampColumn !== undefined ? [timestampColumn.trim().toLowerCase()] : TIMESTAMP_NAMES;
  return lines.findIndex((line) => {
    const fields = splitCsvLine(line, delimiter);
    return Array.isArray(fields) && fields.length >= 2 && fields.some((f) => wanted.includes(f.trim().toLowerCase()));
  });
}

/** The unit stated in the metadata block: `Unité;W` on one line, or an `Unité` column of a metadata header and its value below. */
export function unitInMetadata(lines: readonly string[], delimiter: string): StatedUnit | null {
  const rows = lines.map((l) => splitCsvLine(l, delimiter)).map((f) => (Array.isArray(f) ? f : []));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const k = row.findIndex((f) => UNIT_NAMES.includes(f.trim().toLowerCase().replace(/:$/, '')));
    if (k < 0) continue;
    const beside = row[k + 1] !== undefined ? unitFromText(row[k + 1]!) : null;
    if (beside) return { ...beside, where: `metadata line ${i + 1}` };
    const below = rows[i + 1]?.[k];
    const u = below !== undefined ? unitFromText(below) : null;
    if (u) return { ...u, where: `metadata line ${i + 2}, column "${row[k]}"` };
  }
  return null;
}

/** Index of an `Unité` column in the header (exports that repeat the unit on every row), or -1. */
export function unitColumn(header: readonly string[]): number {
  return header.findIndex((h) => UNIT_NAMES.includes(h.trim().toLowerCase()));
}

export function parseUnit(text: string): { unit: string; measures: 'power' | 'energy' | 'volume'; factor: number } | null {
  return unitFromText(text);
}

/**
 * The factor from the file's unit to what `--values` and the quantity need, or the reason to
 * refuse: a mean power read as an energy is the 2,500-fold error of issue 12.
 */
export function unitFactor(stated: StatedUnit, values: 'interval' | 'index' | 'power' | 'invoice', quantity: QuantityName, column: string): { factor: number; gasKWhPerM3?: number } | { error: string } {
  const where = `column "${column}" is in ${stated.unit} (${stated.where})`;
  if (values === 'power') {
    if (stated.measures !== 'power') return { error: `${where}, not a power: --values power needs W or kW (use --values interval or index for ${stated.unit})` };
    return { factor: stated.factor };
  }
  if (stated.measures === 'power') return { error: `${where}: a mean power, not ${values === 'index' ? 'an index' : 'a consumption'}; use --values power to convert it to the energy of each interval` };
  const needs = quantity === 'gas_m3' || quantity === 'water_m3' ? 'volume' : 'energy';
  if (stated.measures === needs) return { factor: stated.factor };
  // Gas invoices are in kWh (PCS): back to m³ with the service's conversion (README: 11.2 kWh/m³).
  if (quantity === 'gas_m3' && stated.measures === 'energy') return { factor: stated.factor / 11.2, gasKWhPerM3: 11.2 };
  return { error: `${where}, but ${quantity} is counted in ${needs === 'volume' ? 'm³' : 'kWh'}` };
}
