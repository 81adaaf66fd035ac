/** A parsed data row: its time, its value (null: an empty cell, a gap), and for invoices its end. */
export interface Row {
  line: number;
  tsMs: number;
  value: number | null;
  /** Invoice rows: end of the billing period as written, and whether it was a date without a time. */
  endMs?: number;
  endIsDate?: boolean;
}

export interface RowInterval {
  startMs: number;
  endMs: number;
  value: number | null;
}

/**
 * Each row's interval. Its length is the usual step between rows (the median), so that a
 * missing row leaves a gap instead of stretching its neighbour; a longer step up to 1.5 times
 * the median is taken as it is (monthly invoices of 28 to 31 days).
 */
export function toIntervals(rows: readonly Row[], marks: 'start' | 'end'): RowInterval[] {
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

/**
 * Billing periods as intervals. A period written with dates only ("du 01/01 au 31/01") includes
 * its end date, so it ends at the next midnight, unless the table runs from one meter reading to
 * the next (some period ends on the date the next one starts: "01/01 → 01/02"). Overlapping periods
 * are refused line by line: their consumption would be counted twice.
 */
export function invoiceIntervals(rows: readonly Row[], nextMidnight: (tsMs: number) => number): { intervals: RowInterval[]; rejected: { line: number; reason: string }[] } {
  const intervals: RowInterval[] = [];
  const rejected: { line: number; reason: string }[] = [];
  let previous: { endMs: number; line: number } | null = null;
  // One convention for the whole table: reading to reading when some period ends on the next one's start.
  const readingToReading = rows.some((r, i) => rows[i + 1] !== undefined && r.endMs === rows[i + 1]!.tsMs);
  rows.forEach((row) => {
    let endMs = row.endMs!;
    if (row.endIsDate && !readingToReading) endMs = nextMidnight(endMs);
    if (endMs <= row.tsMs) return void rejected.push({ line: row.line, reason: 'the period ends before it starts' });
    if (previous && row.tsMs < previous.endMs) return void rejected.push({ line: row.line, reason: `the period overlaps the one of line ${previous.line}` });
    intervals.push({ startMs: row.tsMs, endMs, value: row.value });
    previous = { endMs, line: row.line };
  });
  return { intervals, rejected };
}
