import { QUANTITIES } from '../config/quantities.js';
import { maxRatePerHour, stepsFromIndex, type CounterResult, type IndexPoint } from '../energy/counters.js';
import { emptySeries, spreadSteps } from '../energy/intervals.js';
import { HOUR_MS } from '../energy/local-time.js';
import type { RuleInput, RuleInputKind, RuleSubject } from './rule-type.js';
import type { RuleReadingSource } from './series-cache.js';

/**
 * The reading stamped exactly at the window's end closes its last hour: the hour [t-1h, t) is
 * judged with data up to and including t, never after.
 */
const INDEX_LOOKAHEAD_MS = 1;

function hourEdges(fromMs: number, toMs: number): Float64Array {
  const n = Math.max(0, Math.round((toMs - fromMs) / HOUR_MS));
  const edges = new Float64Array(n + 1);
  for (let i = 0; i <= n; i += 1) edges[i] = fromMs + i * HOUR_MS;
  return edges;
}

export async function indexPoints(query: RuleReadingSource, s: RuleSubject, fromMs: number, toMs: number): Promise<IndexPoint[]> {
  const selector = { site: s.site.id, device: s.device.id, quantity: s.quantity };
  // The range first: through the series cache, it is read with the reading before it, and the
  // reading at fromMs is then held (the other order read a one-millisecond range on its own).
  const rows = await query.readings({ ...selector, fromMs, toMs: toMs + INDEX_LOOKAHEAD_MS });
  const before = await query.readingAtOrBefore({ ...selector, atMs: fromMs });
  const points: IndexPoint[] = [];
  if (before && (rows.length === 0 || before.tsMs < rows[0]!.tsMs)) points.push({ tsMs: before.tsMs, value: before.value });
  for (const r of rows) points.push({ tsMs: r.tsMs, value: r.value });
  return points;
}

/** The counter arithmetic of the analytics on a meter's index points (resets, backward steps and spikes corrected). */
export function meterSteps(points: readonly IndexPoint[], s: RuleSubject): CounterResult {
  const rate = maxRatePerHour(s.quantity, s.device.maxPowerW);
  return stepsFromIndex(points, { site: s.site.id, device: s.device.id, quantity: s.quantity, ...(rate !== undefined ? { maxRatePerHour: rate } : {}) });
}

/** Consumption of each hour of [fromMs, toMs): NaN where the hour is not fully covered by measured steps. */
export function hourlyConsumption(steps: CounterResult['steps'], fromMs: number, toMs: number): Float64Array {
  const edges = hourEdges(fromMs, toMs);
  const values = new Float64Array(edges.length - 1).fill(Number.NaN);
  const series = spreadSteps(emptySeries(edges), steps);
  for (let i = 0; i < values.length; i += 1) {
    // An hour counts as measured when steps cover it and none of it is a spread gap.
    if (series.coveredMs[i]! >= HOUR_MS - 1 && series.estimatedMs[i]! === 0) values[i] = series.values[i]!;
  }
  return values;
}

export function hourlyInput(s: RuleSubject, fromMs: number, values: Float64Array): RuleInput & { kind: 'hourly' } {
  return { kind: 'hourly', series: { startMs: fromMs, values, unit: QUANTITIES[s.quantity].unit, timezone: s.site.timezone, calendar: s.calendar } };
}

/**
 * Reads what a rule type judges from the storage port, for [fromMs, toMs) only: nothing after
 * toMs is read, so a verdict can never depend on the future (causal evaluation, live or backtest).
 * Energy comes from the same counter arithmetic as the analytics (src/energy/counters.ts):
 * resets, backward steps and spikes are corrected the same way, gaps are spread and an hour
 * that is not fully covered by measured steps is NaN (not judged).
 */
export async function loadRuleInput(kind: Exclude<RuleInputKind, 'daily-site'>, query: RuleReadingSource, s: RuleSubject, fromMs: number, toMs: number): Promise<RuleInput> {
  const cumulative = QUANTITIES[s.quantity].kind === 'cumulative';
  switch (kind) {
    case 'samples': {
      const selector = { site: s.site.id, device: s.device.id, quantity: s.quantity };
      const rows = await query.readings({ ...selector, fromMs, toMs });
      const before = await query.readingAtOrBefore({ ...selector, atMs: fromMs - 1 });
      return { kind, points: rows.map((r) => ({ tsMs: r.tsMs, value: r.value })), before: before ? { tsMs: before.tsMs, value: before.value } : null };
    }
    case 'corrections': {
      if (!cumulative) return { kind, corrections: [] };
      return { kind, corrections: meterSteps(await indexPoints(query, s, fromMs, toMs), s).corrections };
    }
    case 'hourly': {
      if (cumulative) return hourlyInput(s, fromMs, hourlyConsumption(meterSteps(await indexPoints(query, s, fromMs, toMs), s).steps, fromMs, toMs));
      const values = new Float64Array(hourEdges(fromMs, toMs).length - 1).fill(Number.NaN);
      const q = { site: s.site.id, device: s.device.id, quantity: s.quantity, fromMs, toMs, every: '1h' as const, timezone: s.site.timezone };
      if (query.hourlyMeans) {
        await query.hourlyMeans(q, values);
        return hourlyInput(s, fromMs, values);
      }
      for (const b of await query.buckets(q)) {
        const i = Math.round((b.startMs - fromMs) / HOUR_MS);
        if (i >= 0 && i < values.length) values[i] = b.mean;
      }
      return hourlyInput(s, fromMs, values);
    }
  }
}
