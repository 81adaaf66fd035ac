/**
 * Tables as CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a
 * comma, a quote or a line break. Numbers use `.` as decimal point whatever the locale.
 * Text cells that a spreadsheet would run as a formula (= + - @ at the start) get a
 * leading apostrophe (OWASP "CSV injection").
 *
 * Numbers are written at the precision of what was measured, not as raw floats (issue 13:
 * `62043.44799999968` kWh, a deviation of `-2.4719957822301394e-13` %): a column states its
 * decimals (see PRECISION), the value is rounded to them, trailing zeros are dropped and a value
 * that rounds to zero is `0`, never `-0`.
 */
export type CsvCell = string | number | boolean | null | undefined;

/** A column: its header, and for numbers the decimals kept (default: the number as it is, for counts and ids). */
export interface CsvColumn {
  name: string;
  decimals?: number;
}

/**
 * Decimals per unit. Meter indexes count whole Wh and litres (kWh and m³ to 3 decimals); power to
 * the W; temperatures are means of sensors read to 0.1 °C (2 decimals keep the mean's rounding
 * out of the sum); degree days to 0.1 as Météo-France publishes DJU; percentages to 0.1.
 */
export const PRECISION = { kWh: 3, m3: 3, kWhPerM2: 3, kW: 3, celsius: 2, dju: 1, pct: 1 } as const;

const FORMULA_START = /^[=+\-@\t\r]/;

function csvNumber(value: number, decimals: number | undefined): string {
  if (!Number.isFinite(value)) return '';
  if (decimals === undefined) return String(value);
  // toFixed rounds half away from zero on the decimal text; Number() drops trailing zeros; + 0 turns -0 into 0.
  return String(Number(value.toFixed(decimals)) + 0);
}

/** A number rounded to `decimals` (for a column whose rows have different units). */
export function atPrecision(value: number | null, decimals: number): number | null {
  return value === null || !Number.isFinite(value) ? null : Number(value.toFixed(decimals)) + 0;
}

export function csvCell(value: CsvCell, decimals?: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return csvNumber(value, decimals);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: readonly (string | CsvColumn)[], rows: readonly (readonly CsvCell[])[]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { name: c } : c));
  const lines = [cols.map((c) => csvCell(c.name)).join(',')];
  for (const row of rows) lines.push(row.map((v, i) => csvCell(v, cols[i]?.decimals)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
