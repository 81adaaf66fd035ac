import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseDecimal, splitCsvLine } from '../../../src/cli/import/csv-fields.js';
import { ImportSetupError, importCsv, type ImportOptions } from '../../../src/cli/import/import-csv.js';
import { parseTimestampCell } from '../../../src/cli/import/timestamp-cell.js';
import { configSchema } from '../../../src/config/schema.js';
import type { Reading } from '../../../src/model/reading.js';

const CONFIG = configSchema.parse({
  sites: [
    {
      id: 'elbeuf-atelier',
      name: 'Atelier',
      usage: 'industrial',
      floorAreaM2: 2000,
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: '12345678' },
        { id: 'chaudiere', kind: 'gas-meter', quantities: ['gas_m3'], secret: '12345678' },
      ],
    },
  ],
});

/** A fake of our narrow storage port (not of a database): keeps what it is given. */
class KeepingWriter {
  readonly written: Reading[] = [];
  async write(readings: readonly Reading[]): Promise<void> {
    this.written.push(...readings);
  }
  async readingAtOrBefore(): Promise<Reading | null> {
    return null;
  }
}

const NOW = () => Date.parse('2026-11-22T12:00:00Z');

async function run(csv: string, options: Partial<ImportOptions> = {}) {
  const store = new KeepingWriter();
  const report = await importCsv(
    { config: CONFIG, store, input: Readable.from([csv]), now: NOW },
    { site: 'elbeuf-atelier', device: 'tgbt', quantity: 'energy_kwh', values: 'interval', ...options },
  );
  return { report, written: store.written };
}

describe('CSV fields', () => {
  it('splits quoted fields with doubled quotes and delimiters inside', () => {
    expect(splitCsvLine('a,"b,c","say ""hi""",', ',')).toEqual(['a', 'b,c', 'say "hi"', '']);
    expect(splitCsvLine('2026-01-01;12,5', ';')).toEqual(['2026-01-01', '12,5']);
    expect(splitCsvLine('"open,1', ',')).toEqual({ error: 'a quoted field is not closed' });
  });

  it('guesses the delimiter from the header', () => {
    expect(detectDelimiter('Horodate;Valeur')).toBe(';');
    expect(detectDelimiter('time\tvalue')).toBe('\t');
    expect(detectDelimiter('"a;b",c')).toBe(',');
  });

  it('reads decimal points and decimal commas with thousands separators', () => {
    expect(parseDecimal('1234.5', '.')).toBe(1234.5);
    expect(parseDecimal('1 234,5', ',')).toBe(1234.5);
    expect(parseDecimal('1.234,5', ',')).toBe(1234.5);
    expect(parseDecimal('12,5', '.')).toBeNull();
    expect(parseDecimal('abc', '.')).toBeNull();
    expect(parseDecimal('1e400', '.')).toBeNull();
  });
});

describe('timestamp cells', () => {
  const paris = 'Europe/Paris';
  it('takes offsets and Z as they are and reads naive times in the zone', () => {
    expect(parseTimestampCell('2026-01-15T10:00:00+01:00', paris, null)).toEqual({ ok: true, tsMs: Date.parse('2026-01-15T09:00:00Z') });
    expect(parseTimestampCell('2026-07-15 10:00', paris, null)).toEqual({ ok: true, tsMs: Date.parse('2026-07-15T08:00:00Z') });
    expect(parseTimestampCell('15/01/2026 10:00', paris, null)).toEqual({ ok: true, tsMs: Date.parse('2026-01-15T09:00:00Z') });
    expect(parseTimestampCell('1768467600000', paris, null)).toEqual({ ok: true, tsMs: 1768467600000 });
  });

  it('refuses the local time that does not exist when clocks go forward', () => {
    const r = parseTimestampCell('2026-03-29 02:30', paris, null);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain('does not exist in Europe/Paris');
  });

  it('takes the repeated autumn hour in file order', () => {
    const first = parseTimestampCell('2026-10-25 02:00', paris, Date.parse('2026-10-24T23:00:00Z'));
    expect(first).toEqual({ ok: true, tsMs: Date.parse('2026-10-25T00:00:00Z'), ambiguous: true });
    const second = parseTimestampCell('2026-10-25 02:00', paris, Date.parse('2026-10-25T00:00:00Z'));
    expect(second).toEqual({ ok: true, tsMs: Date.parse('2026-10-25T01:00:00Z'), ambiguous: true });
  });

  it('refuses dates that do not exist', () => {
    expect(parseTimestampCell('2026-02-30 10:00', paris, null).ok).toBe(false);
    expect(parseTimestampCell('yesterday', paris, null).ok).toBe(false);
  });
});

describe('importCsv', () => {
  it('turns a naive French load curve across the autumn DST change into an index, 25 hours that day', async () => {
    const hoursOfDay = Array.from({ length: 25 }, (_, i) => {
      const h = i <= 2 ? i : i - 1; // 00, 01, 02, 02 (again), 03, … 23
      return `25/10/2026 ${String(h).padStart(2, '0')}:00;1,5`;
    });
    const { report, written } = await run(['Horodate;Valeur', ...hoursOfDay].join('\r\n'));
    expect(report.rejected).toEqual([]);
    expect(report).toMatchObject({ delimiter: ';', decimal: ',', rowsAccepted: 25, readings: 26, ambiguousLocalTimes: 2 });
    expect(report.totalConsumption).toBeCloseTo(37.5, 9);
    expect(written[0]).toMatchObject({ tsMs: Date.parse('2026-10-24T22:00:00Z'), value: 0 });
    expect(written[written.length - 1]).toMatchObject({ tsMs: Date.parse('2026-10-25T23:00:00Z'), value: 37.5 });
  });

  it('reports each bad line by number and keeps every good one', async () => {
    const csv = [
      '\uFEFFtimestamp,value',
      '2026-01-01T00:00:00Z,1',
      '2026-01-01T01:00:00Z,abc',
      '2026-01-01T02:00:00Z,2',
      'not a date,3',
      '2026-01-01T03:00:00Z,-4',
      '2026-01-01T04:00:00Z',
      '2026-01-01T05:00:00Z,5',
      '2026-01-01T05:00:00Z,6',
      '2036-01-01T00:00:00Z,1',
      '1999-12-31T23:00:00Z,1',
      '2026-01-01T06:00:00Z,',
      '2026-01-01T07:00:00Z,7',
    ].join('\n');
    const { report, written } = await run(csv);
    expect(report.rejected.map((r) => r.line)).toEqual([3, 5, 6, 7, 9, 10, 11]);
    expect(report.rejected.find((r) => r.line === 3)!.reason).toBe('column value: "abc" is not a number');
    expect(report.rejected.find((r) => r.line === 6)!.reason).toContain('cannot be negative');
    expect(report.rejected.find((r) => r.line === 9)!.reason).toBe('same timestamp as line 8');
    expect(report.rejected.find((r) => r.line === 10)!.reason).toContain('in the future');
    expect(report.emptyValues).toBe(1);
    expect(report.totalConsumption).toBe(1 + 2 + 5 + 7);
    expect(written.map((r) => r.value)).toEqual([0, 1, 3, 8, 15]);
  });

  it('stores index values as they are and writes nothing on a dry run', async () => {
    const csv = 'date;index\n2026-01-01;100\n2026-02-01;250,5\n';
    const { report, written } = await run(csv, { values: 'index', device: 'chaudiere', quantity: 'gas_m3' });
    expect(written.map((r) => [r.quantity, r.value])).toEqual([
      ['gas_m3', 100],
      ['gas_m3', 250.5],
    ]);
    expect(written[0]!.tsMs).toBe(Date.parse('2025-12-31T23:00:00Z'));
    expect(report.totalConsumption).toBeNull();
    const dry = await run(csv, { values: 'index', device: 'chaudiere', quantity: 'gas_m3', dryRun: true });
    expect(dry.written).toEqual([]);
    expect(dry.report.readings).toBe(2);
  });

  it('gives monthly invoices intervals of their own length', async () => {
    const csv = 'debut,kwh\n2026-01-01,310\n2026-02-01,280\n2026-03-01,310\n';
    const { written } = await run(csv);
    expect(written.map((r) => new Date(r.tsMs).toISOString().slice(0, 10))).toEqual(['2025-12-31', '2026-01-31', '2026-02-28', '2026-03-31']);
    expect(written.map((r) => r.value)).toEqual([0, 310, 590, 900]);
  });

  it('refuses a command that names what the configuration does not have', async () => {
    await expect(run('t,v\n', { site: 'rouen' })).rejects.toThrow(new ImportSetupError('site', 'unknown site "rouen" (known: elbeuf-atelier)'));
    await expect(run('t,v\n', { device: 'pac' })).rejects.toThrow(/--device: unknown device "pac"/);
    await expect(run('t,v\n', { quantity: 'water_m3' })).rejects.toThrow(/--quantity: device tgbt does not declare water_m3/);
    await expect(run('t,v\n', { quantity: 'power_w' })).rejects.toThrow(/--values: interval values are consumptions/);
    await expect(run('t,v\n', { valueColumn: 'kwh' })).rejects.toThrow(/--value-column: no column "kwh"/);
    await expect(run('t,v\n', { timezone: 'Europe/Normandie' })).rejects.toThrow(/--timezone: unknown IANA time zone/);
  });
});
