import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { QUANTITIES, isQuantityName, type QuantityName } from '../../config/quantities.js';
import type { AppConfig } from '../../config/schema.js';
import { intervalValuesToIndex } from '../../energy/counters.js';
import { checkTimestampMs } from '../../ingest/timestamp.js';
import type { Reading } from '../../model/reading.js';
import type { ReadingQuery, ReadingWriter } from '../../storage/port.js';
import { detectDelimiter, parseDecimal, splitCsvLine } from './csv-fields.js';
import { parseTimestampCell } from './timestamp-cell.js';

export interface ImportOptions {
  site: string;
  device: string;
  quantity: string;
  /** `interval`: each row is the consumption of its interval (load curve, invoice); `index`: a meter reading (or any instantaneous value). */
  values: 'interval' | 'index';
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

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportReport {
  site: string;
  device: string;
  quantity: QuantityName;
  values: 'interval' | 'index';
  dryRun: boolean;
  columns: { timestamp: string; value: string };
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

const TIMESTAMP_NAMES = ['timestamp_utc', 'timestamp', 'datetime', 'date_time', 'horodate', 'time', 'date', 'ts', 'debut', 'début', 'start'];
const VALUE_NAMES = ['value', 'valeur', 'kwh', 'consumption', 'consommation', 'index', 'energy', 'energie', 'énergie'];

function pickColumn(header: string[], wanted: string | undefined, names: readonly string[], option: string, exclude?: number): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (wanted !== undefined) {
    const i = lower.indexOf(wanted.trim().toLowerCase());
    if (i < 0) throw new ImportSetupError(option, `no column ${JSON.stringify(wanted)} in the header (columns: ${header.join(', ')})`);
    return i;
  }
  for (const name of names) {
    const i = lower.indexOf(name);
    if (i >= 0 && i !== exclude) return i;
  }
  return -1;
}

interface Row {
  line: number;
  tsMs: number;
  value: number | null;
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
  if (options.values === 'interval' && QUANTITIES[quantity].kind !== 'cumulative') {
    throw new ImportSetupError('values', `interval values are consumptions: ${quantity} is not a cumulative quantity (use --values index)`);
  }
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
  const rows: Row[] = [];
  const rejected: RejectedLine[] = [];
  let emptyValues = 0;
  let ambiguous = 0;
  let previousMs: number | null = null;
  const nowMs = deps.now();

  for await (const raw of lines) {
    lineNo += 1;
    const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    if (header === null) {
      delimiter = options.delimiter ?? detectDelimiter(text);
      decimal = options.decimal ?? (delimiter === ';' ? ',' : '.');
      const fields = splitCsvLine(text, delimiter);
      if (!Array.isArray(fields)) throw new ImportSetupError('file', `line 1 (header): ${fields.error}`);
      header = fields;
      tsCol = pickColumn(header, options.timestampColumn, TIMESTAMP_NAMES, 'timestamp-column');
      if (tsCol < 0) tsCol = 0;
      valueCol = pickColumn(header, options.valueColumn, [quantity, ...VALUE_NAMES], 'value-column', tsCol);
      if (valueCol < 0) valueCol = tsCol === 0 ? 1 : 0;
      if (valueCol >= header.length) throw new ImportSetupError('value-column', `cannot tell which column holds the values (columns: ${header.join(', ')})`);
      continue;
    }
    if (lineNo % 10_000 === 0) deps.onProgress?.({ phase: 'read', done: lineNo });
    const fields = splitCsvLine(text, delimiter);
    if (!Array.isArray(fields)) {
      rejected.push({ line: lineNo, reason: fields.error });
      continue;
    }
    const tsText = fields[tsCol];
    const valueText = fields[valueCol];
    if (tsText === undefined || valueText === undefined) {
      rejected.push({ line: lineNo, reason: `${fields.length} field(s), the header has ${header.length}` });
      continue;
    }
    const ts = parseTimestampCell(tsText, timezone, previousMs);
    if (!ts.ok) {
      rejected.push({ line: lineNo, reason: ts.error });
      continue;
    }
    const sane = checkTimestampMs(ts.tsMs, nowMs, 'timestamp');
    if (!sane.ok) {
      rejected.push({ line: lineNo, reason: sane.detail });
      continue;
    }
    if (ts.ambiguous) ambiguous += 1;
    previousMs = ts.tsMs;
    if (valueText.trim() === '') {
      // No value is a gap in the data, not a corrupt line: nothing is stored for it.
      emptyValues += 1;
      if (options.values === 'interval') rows.push({ line: lineNo, tsMs: ts.tsMs, value: null });
      continue;
    }
    const value = parseDecimal(valueText, decimal);
    if (value === null) {
      rejected.push({ line: lineNo, reason: `column ${header[valueCol]}: ${JSON.stringify(valueText.slice(0, 40))} is not a number` });
      continue;
    }
    if (options.values === 'interval' && value < 0) {
      rejected.push({ line: lineNo, reason: `column ${header[valueCol]}: a consumption cannot be negative (${value})` });
      continue;
    }
    rows.push({ line: lineNo, tsMs: ts.tsMs, value });
  }
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
  if (options.values === 'interval') {
    const intervals = toIntervals(unique, options.timestampMarks ?? 'start');
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
    columns: { timestamp: header[tsCol] ?? '', value: header[valueCol] ?? '' },
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

/**
 * Each row's interval. Its length is the usual step between rows (the median), so that a
 * missing row leaves a gap instead of stretching its neighbour; a longer step up to 1.5 times
 * the median is taken as it is (monthly invoices of 28 to 31 days).
 */
function toIntervals(rows: readonly Row[], marks: 'start' | 'end'): { startMs: number; endMs: number; value: number | null }[] {
  if (rows.length === 0) return [];
  const steps: number[] = [];
  for (let i = 1; i < rows.length; i++) steps.push(rows[i]!.tsMs - rows[i - 1]!.tsMs);
  steps.sort((a, b) => a - b);
  const median = steps.length > 0 ? steps[Math.floor(steps.length / 2)]! : 3_600_000;
  return rows.map((row, i) => {
    if (marks === 'start') {
      const next = rows[i + 1]?.tsMs;
      const length = next !== undefined && next - row.tsMs <= 1.5 * median ? next - row.tsMs : median;
      return { startMs: row.tsMs, endMs: row.tsMs + length, value: row.value };
    }
    const prev = rows[i - 1]?.tsMs;
    const length = prev !== undefined && row.tsMs - prev <= 1.5 * median ? row.tsMs - prev : median;
    return { startMs: row.tsMs - length, endMs: row.tsMs, value: row.value };
  });
}
