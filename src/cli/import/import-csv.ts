import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { QUANTITIES, isQuantityName, type QuantityName } from '../../config/quantities.js';
import type { AppConfig } from '../../config/schema.js';
import { intervalValuesToIndex } from '../../energy/counters.js';
import { checkTimestampMs } from '../../ingest/timestamp.js';
import type { Reading } from '../../model/reading.js';
import type { ReadingQuery, ReadingWriter } from '../../storage/port.js';
import { localDateOf, localMidnightMs } from '../../energy/local-time.js';
import { detectDelimiter, parseDecimal, splitCsvLine } from './csv-fields.js';
import { TIMESTAMP_NAMES, findHeaderRow, parseUnit, unitColumn, unitFactor, unitInColumnName, unitInMetadata, type StatedUnit } from './file-shape.js';
import { invoiceIntervals, toIntervals, type Row } from './row-intervals.js';
import { parseTimestampCell } from './timestamp-cell.js';

export interface ImportOptions {
  site: string;
  device: string;
  quantity: string;
  /**
   * `interval`: each row is the consumption of its interval; `power`: each row is the mean power
   * over its interval (an Enedis load curve, in W), converted to the interval's energy; `invoice`:
   * one row per billing period (start, end, consumption), spread over the period; `index`: a meter
   * reading (or any instantaneous value).
   */
  values: ImportValues;
  timestampColumn?: string;
  valueColumn?: string;
  /** Zone of naive timestamps; default the site's. */
  timezone?: string;
  delimiter?: string;
  decimal?: '.' | ',';
  /** Interval rows: does the timestamp mark the start (default) or the end of the interval? */
  timestampMarks?: 'start' | 'end';
  dryRun?: boolean;
  batchReadings?: number;
}

export type ImportValues = 'interval' | 'index' | 'power' | 'invoice';

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportReport {
  site: string;
  device: string;
  quantity: QuantityName;
  values: ImportValues;
  dryRun: boolean;
  columns: { timestamp: string; value: string; end?: string };
  /** Lines before the header row (an export's metadata block). */
  metadataLines: number;
  /** The unit the file states for the values, and where; null when it states none (the quantity's unit is assumed). */
  unit: { unit: string; where: string } | null;
  /** Gas in kWh imported as m³ with this conversion, kWh/m³. */
  gasKWhPerM3?: number;
  /** Invoice mode: billing periods spread linearly over their days (the consumption within a period is estimated). */
  estimatedPeriods: number;
  delimiter: string;
  decimal: '.' | ',';
  timezone: string;
  linesRead: number;
  rowsAccepted: number;
  /** Rows with an empty value: a gap (interval rows: spread by the analytics and flagged estimated). */
  emptyValues: number;
  rejected: RejectedLine[];
  ambiguousLocalTimes: number;
  readings: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Interval mode: the sum of the rows, in the quantity's unit. */
  totalConsumption: number | null;
  /** Interval mode: the index the synthetic counter starts from (continues a stored one). */
  startIndex: number | null;
}

/** A problem with the command itself (not with a line of the file): names the option at fault. */
export class ImportSetupError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`--${option}: ${message}`);
    this.name = 'ImportSetupError';
  }
}

export interface ImportDeps {
  config: AppConfig;
  /** Absent on a dry run: nothing is read from or written to a store. */
  store?: ReadingWriter & Pick<ReadingQuery, 'readingAtOrBefore'>;
  input: Readable;
  now: () => number;
  /** Called as lines are read and readings written, for a progress display. */
  onProgress?: (progress: { phase: 'read' | 'write'; done: number; total?: number }) => void;
}

const VALUE_NAMES = ['value', 'valeur', 'kwh', 'consumption', 'consommation', 'index', 'energy', 'energie', 'énergie', 'puissance', 'power', 'volume', 'm3'];
const START_NAMES = ['date de début', 'date de debut', 'début', 'debut', 'start', 'from', 'du', 'period_start', 'date_debut'];
const END_NAMES = ['date de fin', 'fin', 'end', 'to', 'au', 'period_end', 'date_fin'];
/** Lines searched for the header row after a metadata block. */
const HEADER_SEARCH_LINES = 50;

function pickColumn(header: string[], wanted: string | undefined, names: readonly string[], option: string, exclude?: number): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (wanted !== undefined) {
    const i = lower.indexOf(wanted.trim().toLowerCase());
    if (i < 0) throw new ImportSetupError(option, `no column ${JSON.stringify(wanted)} in the header (columns: ${header.join(', ')})`);
    return i;
  }
  for (const name of names) {
    const i = lower.findIndex((h, k) => k !== exclude && (h === name || h.replace(/\s*[([].*$/, '') === name));
    if (i >= 0) return i;
  }
  return -1;
}

/**
 * Backfills one series from a CSV file with the same checks as MQTT (site, device and declared
 * quantity from the configuration; finite numbers; timestamps from 2000 to now). Every bad line
 * is reported with its number and the good ones are still imported. Idempotent: a reading is
 * identified by (site, device, quantity, time), so a second run stores nothing new.
 */
export async function importCsv(deps: ImportDeps, options: ImportOptions): Promise<ImportReport> {
  const site = deps.config.sites.find((s) => s.id === options.site);
  if (!site) throw new ImportSetupError('site', `unknown site ${JSON.stringify(options.site)} (known: ${deps.config.sites.map((s) => s.id).join(', ')})`);
  const device = site.devices.find((d) => d.id === options.device);
  if (!device) throw new ImportSetupError('device', `unknown device ${JSON.stringify(options.device)} for site ${site.id} (known: ${site.devices.map((d) => d.id).join(', ')})`);
  if (!isQuantityName(options.quantity)) throw new ImportSetupError('quantity', `unknown quantity ${JSON.stringify(options.quantity)}`);
  const quantity = options.quantity;
  if (!device.quantities.includes(quantity)) throw new ImportSetupError('quantity', `device ${device.id} does not declare ${quantity} (it declares ${device.quantities.join(', ')})`);
  if (options.values !== 'index' && QUANTITIES[quantity].kind !== 'cumulative') {
    throw new ImportSetupError('values', `${options.values} values are consumptions: ${quantity} is not a cumulative quantity (use --values index)`);
  }
  if (options.values === 'power' && quantity !== 'energy_kwh' && quantity !== 'heat_kwh') {
    throw new ImportSetupError('values', `a mean power converts to an energy in kWh: ${quantity} is not one (use energy_kwh)`);
  }
  const consumption = options.values !== 'index';
  const timezone = options.timezone ?? site.timezone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ImportSetupError('timezone', `unknown IANA time zone ${JSON.stringify(timezone)}`);
  }

  const lines = createInterface({ input: deps.input, crlfDelay: Infinity });
  let lineNo = 0;
  let header: string[] | null = null;
  let delimiter = options.delimiter ?? ',';
  let decimal: '.' | ',' = options.decimal ?? '.';
  let tsCol = -1;
  let valueCol = -1;
  let endCol = -1;
  let unitCol = -1;
  let metadataLines = 0;
  let stated: StatedUnit | null = null;
  let factor = 1;
  let gasKWhPerM3: number | undefined;
  const rows: Row[] = [];
  const rejected: RejectedLine[] = [];
  let emptyValues = 0;
  let ambiguous = 0;
  let previousMs: number | null = null;
  const nowMs = deps.now();

  const settleUnit = (unit: StatedUnit | null) => {
    stated = unit;
    if (!unit) return;
    const f = unitFactor(unit, options.values, quantity, header![valueCol] ?? '');
    if ('error' in f) throw new ImportSetupError('values', f.error);
    factor = f.factor;
    gasKWhPerM3 = f.gasKWhPerM3;
  };

  const takeHeader = (text: string, metadata: readonly string[]) => {
    delimiter = options.delimiter ?? detectDelimiter(text);
    decimal = options.decimal ?? (delimiter === ';' ? ',' : '.');
    const fields = splitCsvLine(text, delimiter);
    if (!Array.isArray(fields)) throw new ImportSetupError('file', `line ${metadata.length + 1} (header): ${fields.error}`);
    header = fields;
    metadataLines = metadata.length;
    if (options.values === 'invoice') {
      tsCol = pickColumn(header, options.timestampColumn, START_NAMES, 'timestamp-column');
      endCol = pickColumn(header, undefined, END_NAMES, 'timestamp-column', tsCol);
      if (tsCol < 0 || endCol < 0) throw new ImportSetupError('values', `an invoice table needs a start and an end column (${START_NAMES.slice(0, 3).join(', ')}…; ${END_NAMES.slice(0, 3).join(', ')}…); columns: ${header.join(', ')}`);
    } else {
      tsCol = pickColumn(header, options.timestampColumn, TIMESTAMP_NAMES, 'timestamp-column');
      if (tsCol < 0) tsCol = 0;
    }
    unitCol = unitColumn(header);
    const valueNames = options.values === 'power' ? ['valeur', 'value', 'puissance', 'power', 'power_w', ...VALUE_NAMES] : [quantity, ...VALUE_NAMES];
    valueCol = pickColumn(header.map((h, k) => (k === endCol || k === unitCol ? '' : h)), options.valueColumn, valueNames, 'value-column', tsCol);
    if (valueCol < 0) valueCol = [0, 1, 2].find((k) => k !== tsCol && k !== endCol && k !== unitCol) ?? -1;
    if (valueCol < 0 || valueCol >= header.length) throw new ImportSetupError('value-column', `cannot tell which column holds the values (columns: ${header.join(', ')})`);
    const inName = unitInColumnName(header[valueCol]!);
    settleUnit(inName ? { ...inName, where: 'its header' } : unitInMetadata(metadata, delimiter));
  };

  const dataLine = (no: number, text: string) => {
    if (no % 10_000 === 0) deps.onProgress?.({ phase: 'read', done: no });
    const fields = splitCsvLine(text, delimiter);
    if (!Array.isArray(fields)) return void rejected.push({ line: no, reason: fields.error });
    const h = header!;
    const tsText = fields[tsCol];
    const valueText = fields[valueCol];
    if (tsText === undefined || valueText === undefined || (endCol >= 0 && fields[endCol] === undefined)) {
      return void rejected.push({ line: no, reason: `${fields.length} field(s), the header has ${h.length}` });
    }
    if (unitCol >= 0 && fields[unitCol]!.trim() !== '') {
      const u = parseUnit(fields[unitCol]!);
      if (!u) return void rejected.push({ line: no, reason: `column ${h[unitCol]}: unknown unit ${JSON.stringify(fields[unitCol])}` });
      if (stated === null) settleUnit({ ...u, where: `column "${h[unitCol]}"` });
      else if ((stated as StatedUnit).unit.toLowerCase() !== u.unit.toLowerCase()) return void rejected.push({ line: no, reason: `column ${h[unitCol]}: unit ${u.unit} differs from ${(stated as StatedUnit).unit} above` });
    }
    const ts = parseTimestampCell(tsText, timezone, previousMs);
    if (!ts.ok) return void rejected.push({ line: no, reason: `column ${h[tsCol]}: ${ts.error}` });
    const sane = checkTimestampMs(ts.tsMs, nowMs, 'timestamp');
    if (!sane.ok) return void rejected.push({ line: no, reason: sane.detail });
    let end: { endMs: number; endIsDate: boolean } | undefined;
    if (endCol >= 0) {
      const e = parseTimestampCell(fields[endCol]!, timezone, ts.tsMs);
      if (!e.ok) return void rejected.push({ line: no, reason: `column ${h[endCol]}: ${e.error}` });
      const endSane = checkTimestampMs(e.tsMs, nowMs + 86_400_000, 'end');
      if (!endSane.ok) return void rejected.push({ line: no, reason: `column ${h[endCol]}: ${endSane.detail}` });
      end = { endMs: e.tsMs, endIsDate: /^\s*[\d/-]{8,10}\s*$/.test(fields[endCol]!) };
    }
    if (ts.ambiguous) ambiguous += 1;
    previousMs = ts.tsMs;
    if (valueText.trim() === '') {
      // No value is a gap in the data, not a corrupt line: nothing is stored for it.
      emptyValues += 1;
      if (consumption) rows.push({ line: no, tsMs: ts.tsMs, value: null, ...end });
      return;
    }
    const value = parseDecimal(valueText, decimal);
    if (value === null) return void rejected.push({ line: no, reason: `column ${h[valueCol]}: ${JSON.stringify(valueText.slice(0, 40))} is not a number` });
    if (consumption && value < 0) return void rejected.push({ line: no, reason: `column ${h[valueCol]}: a ${options.values === 'power' ? 'mean power' : 'consumption'} cannot be negative (${value})` });
    rows.push({ line: no, tsMs: ts.tsMs, value: value * factor, ...end });
  };

  // The header is the first line naming a timestamp column among the first lines (after an
  // export's metadata block), else line 1 as before.
  const pending: { no: number; text: string }[] = [];
  const settleHeader = () => {
    const texts = pending.map((p) => p.text);
    const at = findHeaderRow(texts, options.delimiter ?? detectDelimiter(texts.find((t) => findHeaderRow([t], detectDelimiter(t), options.timestampColumn) === 0) ?? texts[0]!), options.timestampColumn);
    const k = Math.max(0, at);
    takeHeader(texts[k]!, texts.slice(0, k));
    for (const p of pending.slice(k + 1)) dataLine(p.no, p.text);
    pending.length = 0;
  };
  for await (const raw of lines) {
    lineNo += 1;
    const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    if (header !== null) {
      dataLine(lineNo, text);
      continue;
    }
    pending.push({ no: lineNo, text });
    if (findHeaderRow([text], options.delimiter ?? detectDelimiter(text), options.timestampColumn) === 0 || pending.length >= HEADER_SEARCH_LINES) settleHeader();
  }
  if (header === null && pending.length > 0) settleHeader();
  if (header === null) throw new ImportSetupError('file', 'the file is empty');

  rows.sort((a, b) => a.tsMs - b.tsMs || a.line - b.line);
  const unique: Row[] = [];
  for (const row of rows) {
    const last = unique[unique.length - 1];
    if (last && last.tsMs === row.tsMs) rejected.push({ line: row.line, reason: `same timestamp as line ${last.line}` });
    else unique.push(row);
  }
  rejected.sort((a, b) => a.line - b.line);

  let readings: Reading[];
  let totalConsumption: number | null = null;
  let startIndex: number | null = null;
  let estimatedPeriods = 0;
  if (consumption) {
    let intervals;
    if (options.values === 'invoice') {
      const nextMidnight = (tsMs: number) => localMidnightMs(new Date(Date.parse(`${localDateOf(tsMs, timezone)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), timezone);
      const spread = invoiceIntervals(unique, nextMidnight);
      rejected.push(...spread.rejected);
      rejected.sort((a, b) => a.line - b.line);
      intervals = spread.intervals;
      estimatedPeriods = intervals.filter((r) => r.value !== null).length;
    } else {
      intervals = toIntervals(unique, options.timestampMarks ?? 'start');
      // A mean power in W over the interval is an energy of W × h / 1000 kWh.
      if (options.values === 'power') intervals = intervals.map((r) => ({ ...r, value: r.value === null ? null : (r.value * (r.endMs - r.startMs)) / 3_600_000 / 1000 }));
    }
    totalConsumption = intervals.reduce((s, r) => s + (r.value ?? 0), 0);
    startIndex = 0;
    if (deps.store && intervals.length > 0) {
      // Continue a counter already stored (an earlier import, or this one run again) instead of restarting at 0.
      const before = await deps.store.readingAtOrBefore({ site: site.id, device: device.id, quantity, atMs: intervals[0]!.startMs });
      if (before) startIndex = before.value;
    }
    readings = intervalValuesToIndex(intervals, startIndex).map((p) => ({ site: site.id, device: device.id, quantity, tsMs: p.tsMs, value: p.value }));
  } else {
    readings = unique.map((r) => ({ site: site.id, device: device.id, quantity, tsMs: r.tsMs, value: r.value! }));
  }

  if (!options.dryRun) {
    if (!deps.store) throw new ImportSetupError('dry-run', 'no store to write to');
    const batch = options.batchReadings ?? 5_000;
    for (let i = 0; i < readings.length; i += batch) {
      await deps.store.write(readings.slice(i, i + batch));
      deps.onProgress?.({ phase: 'write', done: Math.min(i + batch, readings.length), total: readings.length });
    }
  }

  return {
    site: site.id,
    device: device.id,
    quantity,
    values: options.values,
    dryRun: options.dryRun ?? false,
    columns: { timestamp: header[tsCol] ?? '', value: header[valueCol] ?? '', ...(endCol >= 0 ? { end: header[endCol] ?? '' } : {}) },
    metadataLines,
    unit: stated ? { unit: (stated as StatedUnit).unit, where: (stated as StatedUnit).where } : null,
    ...(gasKWhPerM3 !== undefined ? { gasKWhPerM3 } : {}),
    estimatedPeriods,
    delimiter,
    decimal,
    timezone,
    linesRead: lineNo,
    rowsAccepted: unique.length,
    emptyValues,
    rejected,
    ambiguousLocalTimes: ambiguous,
    readings: readings.length,
    firstMs: readings[0]?.tsMs ?? null,
    lastMs: readings[readings.length - 1]?.tsMs ?? null,
    totalConsumption,
    startIndex,
  };
}
