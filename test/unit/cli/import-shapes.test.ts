import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ImportSetupError, importCsv, type ImportOptions } from '../../../src/cli/import/import-csv.js';
import { configSchema } from '../../../src/config/schema.js';
import type { Reading } from '../../../src/model/reading.js';

const EXAMPLES = fileURLToPath(new URL('../../../config/examples/', import.meta.url));

const CONFIG = configSchema.parse({
  sites: [
    {
      id: 'cleon-bureaux',
      name: 'Bureaux',
      usage: 'office',
      floorAreaM2: 1850,
      devices: [
        { id: 'tgbt', kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: '12345678' },
        { id: 'gaz', kind: 'gas-meter', quantities: ['gas_m3'], secret: '12345678' },
      ],
    },
  ],
});

/** A fake of our narrow storage port: keeps what it is given. */
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

async function run(input: Readable, options: Partial<ImportOptions>) {
  const store = new KeepingWriter();
  const report = await importCsv({ config: CONFIG, store, input, now: NOW }, { site: 'cleon-bureaux', device: 'tgbt', quantity: 'energy_kwh', values: 'interval', ...options });
  return { report, written: store.written };
}

describe('Enedis load curve (config/examples/enedis-courbe-de-charge.csv)', () => {
  it('finds the header after the metadata block, reads W from it and stores the energy of each interval', async () => {
    const text = await readFile(`${EXAMPLES}enedis-courbe-de-charge.csv`, 'utf8');
    const powersW = text.trim().split(/\r?\n/).slice(3).map((l) => Number(l.split(';')[1]));
    const { report, written } = await run(createReadStream(`${EXAMPLES}enedis-courbe-de-charge.csv`), { values: 'power', timestampMarks: 'end' });
    expect(report.metadataLines).toBe(2);
    expect(report.unit).toEqual({ unit: 'W', where: 'metadata line 2, column "Unite"' });
    expect(report.rejected).toEqual([]);
    // Each row: mean W over 30 min = W × 0.5 h / 1000 kWh.
    const expectedKWh = powersW.reduce((s, p) => s + (p * 0.5) / 1000, 0);
    expect(report.totalConsumption).toBeCloseTo(expectedKWh, 6);
    expect(written.at(-1)!.value - written[0]!.value).toBeCloseTo(expectedKWh, 6);
    // The first interval ends at its stamp 00:30+01:00, so the index starts at 00:00+01:00.
    expect(written[0]!.tsMs).toBe(Date.parse('2025-12-01T00:00:00+01:00'));
    expect(written).toHaveLength(97);
  });

  it('refuses to read the W column as kWh per interval (the 2,500-fold error) and says what to do', async () => {
    const attempt = run(createReadStream(`${EXAMPLES}enedis-courbe-de-charge.csv`), { values: 'interval' });
    await expect(attempt).rejects.toThrow(ImportSetupError);
    await expect(run(createReadStream(`${EXAMPLES}enedis-courbe-de-charge.csv`), { values: 'interval' })).rejects.toThrow(/--values: column "Valeur" is in W .*use --values power/);
  });

  it('reads a unit from the header cell and converts Wh to kWh; refuses kWh as a power', async () => {
    const csv = 'Horodate;Energie (Wh)\n2026-01-05 10:00;1500\n2026-01-05 11:00;2500\n';
    const { report } = await run(Readable.from([csv]), {});
    expect(report.unit).toEqual({ unit: 'Wh', where: 'its header' });
    expect(report.totalConsumption).toBeCloseTo(4, 9);
    await expect(run(Readable.from([csv.replace('(Wh)', '(kWh)')]), { values: 'power' })).rejects.toThrow(/--values: column "Energie \(kWh\)" is in kWh .*not a power/);
  });

  it('checks a unit column repeated on every row, and rejects a row whose unit differs', async () => {
    const csv = 'Identifiant PRM;Unité;Horodate;Valeur\n1;W;2026-01-05T10:00:00+01:00;1000\n1;W;2026-01-05T10:30:00+01:00;2000\n1;kW;2026-01-05T11:00:00+01:00;3\n';
    const { report } = await run(Readable.from([csv]), { values: 'power' });
    expect(report.unit?.unit).toBe('W');
    expect(report.rejected).toEqual([{ line: 4, reason: 'column Unité: unit kW differs from W above' }]);
    expect(report.totalConsumption).toBeCloseTo(1.5, 9);
  });
});

describe('Gas invoices (config/examples/grdf-factures.csv)', () => {
  it('spreads each billing period over its days, converts kWh to m³ and flags the periods estimated', async () => {
    const { report, written } = await run(createReadStream(`${EXAMPLES}grdf-factures.csv`), { device: 'gaz', quantity: 'gas_m3', values: 'invoice' });
    expect(report.rejected).toEqual([]);
    expect(report.columns).toEqual({ timestamp: 'Date de début', value: 'Consommation (kWh)', end: 'Date de fin' });
    expect(report.gasKWhPerM3).toBe(11.2);
    expect(report.estimatedPeriods).toBe(12);
    const kWh = [21480.5, 18950.2, 15320.8, 9870.4, 5210.6, 2130.9, 1420.3, 1380.7, 3050.2, 8760.5, 14890.1, 19980.6];
    expect(report.totalConsumption).toBeCloseTo(kWh.reduce((a, b) => a + b) / 11.2, 6);
    // "du 01/01/2025 au 31/01/2025" includes the 31st: the index points are at local midnights 1 Jan, 1 Feb … 1 Jan 2026.
    // Paris is on summer time (+02:00) from 30 March to 26 October 2025: 1 April to 1 October.
    const midnights = Array.from({ length: 13 }, (_, m) => Date.parse(`${m === 12 ? '2026-01' : `2025-${String(m + 1).padStart(2, '0')}`}-01T00:00:00${m >= 3 && m <= 9 ? '+02:00' : '+01:00'}`));
    expect(written.map((r) => r.tsMs)).toEqual(midnights);
    expect(written[1]!.tsMs).toBe(Date.parse('2025-02-01T00:00:00+01:00'));
    expect(written.at(-1)!.tsMs).toBe(Date.parse('2026-01-01T00:00:00+01:00'));
    expect(written[1]!.value - written[0]!.value).toBeCloseTo(21480.5 / 11.2, 6);
  });

  it('takes periods that run from one reading date to the next as they are, and rejects overlaps by line', async () => {
    const csv = 'Début;Fin;Consommation (m3)\n01/01/2025;01/02/2025;100\n01/02/2025;01/03/2025;80\n15/02/2025;31/03/2025;50\n';
    const { report, written } = await run(Readable.from([csv]), { device: 'gaz', quantity: 'gas_m3', values: 'invoice' });
    expect(report.rejected).toEqual([{ line: 4, reason: 'the period overlaps the one of line 3' }]);
    expect(written.map((r) => r.tsMs)).toEqual([Date.parse('2025-01-01T00:00:00+01:00'), Date.parse('2025-02-01T00:00:00+01:00'), Date.parse('2025-03-01T00:00:00+01:00')]);
    expect(written.map((r) => r.value)).toEqual([0, 100, 180]);
  });

  it('needs a start and an end column', async () => {
    await expect(run(Readable.from(['Date;Consommation\n01/01/2025;100\n']), { device: 'gaz', quantity: 'gas_m3', values: 'invoice' })).rejects.toThrow(/--values: an invoice table needs a start and an end column/);
  });
});
