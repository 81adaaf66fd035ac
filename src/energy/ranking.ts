/**
 * Ranking of sites on one KPI (kWh/m², climate-corrected kWh/m², deviation %, out-of-hours
 * share…). Competition ranking ("1224"): equal values share a rank. Sites without a value
 * (null or NaN) come last, unranked, so that a missing meter never looks like a good score.
 */
export interface RankedSite {
  site: string;
  value: number | null;
  /** 1 = best; null when the site has no value. */
  rank: number | null;
}

export function rankSites<T extends { site: string }>(rows: readonly T[], value: (row: T) => number | null | undefined, order: 'asc' | 'desc' = 'asc'): RankedSite[] {
  const withValue = rows.map((r) => {
    const v = value(r);
    return { site: r.site, value: v === null || v === undefined || !Number.isFinite(v) ? null : v };
  });
  const ranked = withValue.filter((r): r is { site: string; value: number } => r.value !== null);
  ranked.sort((a, b) => (order === 'asc' ? a.value - b.value : b.value - a.value) || (a.site < b.site ? -1 : 1));
  const out: RankedSite[] = [];
  ranked.forEach((r, i) => {
    const prev = out[i - 1];
    out.push({ site: r.site, value: r.value, rank: prev && prev.value === r.value ? prev.rank : i + 1 });
  });
  for (const r of withValue) if (r.value === null) out.push({ site: r.site, value: null, rank: null });
  return out;
}
