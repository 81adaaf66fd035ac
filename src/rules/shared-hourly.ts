import { medianIntervalMs, type IndexPoint } from '../energy/counters.js';
import { HOUR_MS } from '../energy/local-time.js';
import { hourlyConsumption, hourlyInput, indexPoints, loadRuleInput, meterSteps } from './input-source.js';
import type { RuleInput, RuleSubject } from './rule-type.js';
import type { RuleReadingSource } from './series-cache.js';

interface MeterHours {
  fromMs: number;
  points: readonly IndexPoint[];
  values: Float64Array;
  /** Every point was taken as the base of the next step (no spike or backward step set aside). */
  chained: boolean;
  /** The median interval between the points: the counter arithmetic's gap threshold is a multiple of it. */
  medianIntervalMs: number;
}

/** True when the steps join each finite point to the next, none left out. */
function isChain(points: readonly IndexPoint[], steps: readonly { startMs: number; endMs: number }[]): boolean {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (finite.length !== points.length || steps.length !== Math.max(0, finite.length - 1)) return false;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]!.startMs !== finite[i]!.tsMs || steps[i]!.endMs !== finite[i + 1]!.tsMs) return false;
  }
  return true;
}

/** Index of the last point at or before tsMs; -1: none. */
function lastAtOrBefore(points: readonly IndexPoint[], tsMs: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.tsMs <= tsMs) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * A meter's hourly consumption computed once per evaluation cycle for all its energy rules
 * (spike-drop, flatline, baseline deviation, out-of-hours: four weeks and more each, rebuilt per
 * rule from the same readings was the larger part of a warm hourly cycle's input work). It is
 * read over the widest window the meter's rules ask; a rule with a shorter lookback gets the tail
 * of it only when that tail is exactly what reading its own window would give, else it reads its
 * own (loadRuleInput), so the judgements are unchanged:
 * - the counter arithmetic (src/energy/counters.ts stepsFromIndex) decides each step from the
 *   pair (base, next point); when every point became the next base (a chain: no spike or backward
 *   step set aside), a run started at any point makes the same steps from there;
 * - the gap threshold is a multiple of the median interval of the points read, so the tail's
 *   median interval must be the same;
 * - an hour's consumption sums the steps that overlap it, in order (spreadSteps): the steps before
 *   the tail's first point end before its window, so its hours get the same sums.
 */
export class MeterHourlyShare {
  private readonly meters = new Map<string, Promise<MeterHours>>();

  constructor(private readonly source: RuleReadingSource) {}

  /** The hourly input of a cumulative quantity over [fromMs, toMs); `widestFromMs`: where the meter's widest rule reads from. */
  async load(s: RuleSubject, fromMs: number, toMs: number, widestFromMs: number): Promise<RuleInput> {
    const from = Math.min(fromMs, widestFromMs);
    const key = `${s.site.id}\u0000${s.device.id}\u0000${s.quantity}\u0000${from}\u0000${toMs}`;
    let meter = this.meters.get(key);
    if (!meter) this.meters.set(key, (meter = this.read(s, from, toMs)));
    const tail = this.tail(await meter, fromMs);
    return tail ? hourlyInput(s, fromMs, tail) : loadRuleInput('hourly', this.source, s, fromMs, toMs);
  }

  private async read(s: RuleSubject, fromMs: number, toMs: number): Promise<MeterHours> {
    const points = await indexPoints(this.source, s, fromMs, toMs);
    const { steps } = meterSteps(points, s);
    return { fromMs, points, values: hourlyConsumption(steps, fromMs, toMs), chained: isChain(points, steps), medianIntervalMs: medianIntervalMs(points) };
  }

  /** The values from fromMs, when they are the same as a read from fromMs would give (see the class comment); null otherwise. */
  private tail(m: MeterHours, fromMs: number): Float64Array | null {
    if (fromMs === m.fromMs) return m.values;
    const offset = (fromMs - m.fromMs) / HOUR_MS;
    if (!m.chained || !Number.isInteger(offset) || offset < 0 || offset > m.values.length) return null;
    // A read from fromMs starts at the last reading at or before it (input-source.ts indexPoints).
    const first = lastAtOrBefore(m.points, fromMs);
    if (first > 0 && medianIntervalMs(m.points.slice(first)) !== m.medianIntervalMs) return null;
    return m.values.subarray(offset);
  }
}
