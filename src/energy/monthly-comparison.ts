import type { BaselineDayComparison } from './analytics-service.js';

/** A calendar month of a period: measured final energy against the baseline's expectation. */
export interface MonthComparison {
  /** `YYYY-MM` */
  month: string;
  /** Days of the month inside the period. */
  days: number;
  /** Sum over the month's days, or null unless every one of them was measured (a partial sum would read as a low month). */
  actualKWh: number | null;
  /** Same rule: null unless the baseline gives every day of the month inside the period. */
  expectedKWh: number | null;
  /** Days with a measured figure. */
  measuredDays: number;
}

/**
 * Months of a day-by-day comparison (the site page's "by month" view of consumption against the
 * baseline). A month cut by the period counts only its days in the period, and says how many.
 */
export function monthlyComparison(days: readonly BaselineDayComparison[]): MonthComparison[] {
  const out: MonthComparison[] = [];
  for (const d of days) {
    const month = d.date.slice(0, 7);
    let m = out.at(-1);
    if (!m || m.month !== month) {
      m = { month, days: 0, actualKWh: 0, expectedKWh: 0, measuredDays: 0 };
      out.push(m);
    }
    m.days += 1;
    if (d.actualKWh !== null) m.measuredDays += 1;
    m.actualKWh = m.actualKWh === null || d.actualKWh === null ? null : m.actualKWh + d.actualKWh;
    m.expectedKWh = m.expectedKWh === null || d.expectedKWh === null ? null : m.expectedKWh + d.expectedKWh;
  }
  return out;
}
