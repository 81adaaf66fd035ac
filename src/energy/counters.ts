import type { QuantityName } from '../config/quantities.js';
import { HOUR_MS } from './local-time.js';

/**
 * Consumption from cumulative meter indexes (kWh, m³), with the integrity rules of the issue:
 *
 * - a value below `resetRatio` (90 %) of the last good index is a counter reset (rollover,
 *   meter replaced, power loss of a pulse counter): the new cycle starts from zero, so the
 *   consumption of that step is the new value itself;
 * - any other decrease is a negative step: it counts zero and is NOT used as the new base,
 *   the next step is measured from the last good index (an isolated glitch costs nothing);
 * - a step implying more than the circuit's `maxPowerW` is a spike: rejected, not a base either;
 * - a step longer than `gapFactor` × the usual interval is a gap: its consumption is genuine
 *   (the index kept counting) but when it was used is unknown, so it is spread linearly over
 *   the missing time and every bucket it touches is flagged as estimated.
 *
 * A run of `rebaseAfter` rejected readings that agree with each other (non-decreasing and
 * plausible) means the index really moved (meter swapped, manual correction): the run's first
 * reading becomes the new base, recorded as a correction, instead of rejecting data forever.
 *
 * Every correction is returned so that an operator can see what was changed and why.
 */
export interface IndexPoint {
  tsMs: number;
  /** In the quantity's unit (kWh, m³). */
  value: number;
}

export type CorrectionKind = 'reset' | 'negative-step' | 'spike' | 'gap-estimated';

export interface Correction {
  site: string;
  device: string;
  quantity: QuantityName;
  /** Timestamp of the reading that ends the corrected step. */
  atMs: number;
  kind: CorrectionKind;
  detail: string;
  /** Consumption of the step before correction (raw index difference). */
  valueBefore: number;
  /** Consumption counted for the step after correction. */
  valueAfter: number;
}

/** Consumption between two accepted readings, in the quantity's unit. */
export interface ConsumptionStep {
  startMs: number;
  endMs: number;
  value: number;
  /** True when the step spans a gap and is spread over time it cannot locate. */
  estimated: boolean;
}

export interface CounterOptions {
  site: string;
  device: string;
  quantity: QuantityName;
  /** Highest plausible consumption per hour in the quantity's unit (see `maxRatePerHour`). */
  maxRatePerHour?: number;
  /** Usual reading interval; by default the median interval of the readings. */
  expectedIntervalMs?: number;
  /** A step longer than gapFactor × expected interval is a gap (default 1.5: one reading missing). */
  gapFactor?: number;
  /** Below this fraction of the previous index a drop is a reset (default 0.9). */
  resetRatio?: number;
  /** Consistent rejected readings needed before the base is moved to them (default 3). */
  rebaseAfter?: number;
}

export interface CounterResult {
  steps: ConsumptionStep[];
  corrections: Correction[];
}

/** Highest plausible consumption per hour: `maxPowerW` W is maxPowerW/1000 kWh per hour; undefined for m³ meters. */
export function maxRatePerHour(quantity: QuantityName, maxPowerW: number | undefined): number | undefined {
  if (maxPowerW === undefined) return undefined;
  return quantity === 'energy_kwh' || quantity === 'heat_kwh' ? maxPowerW / 1000 : undefined;
}

export function medianIntervalMs(points: readonly IndexPoint[]): number {
  const deltas: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const d = points[i]!.tsMs - points[i - 1]!.tsMs;
    if (d > 0) deltas.push(d);
  }
  if (deltas.length === 0) return HOUR_MS;
  deltas.sort((a, b) => a - b);
  return deltas[Math.floor(deltas.length / 2)]!;
}

/** Time-ordered index readings to consumption steps plus the corrections made. */
export function stepsFromIndex(points: readonly IndexPoint[], options: CounterOptions): CounterResult {
  const resetRatio = options.resetRatio ?? 0.9;
  const rebaseAfter = options.rebaseAfter ?? 3;
  const gapMs = (options.expectedIntervalMs ?? medianIntervalMs(points)) * (options.gapFactor ?? 1.5);
  const maxRate = options.maxRatePerHour;
  const steps: ConsumptionStep[] = [];
  const corrections: Correction[] = [];
  const record = (atMs: number, kind: CorrectionKind, detail: string, valueBefore: number, valueAfter: number): void => {
    corrections.push({ site: options.site, device: options.device, quantity: options.quantity, atMs, kind, detail, valueBefore, valueAfter });
  };
  const isSpike = (value: number, durationMs: number): boolean => maxRate !== undefined && value > (maxRate * durationMs) / HOUR_MS;
  const accept = (from: IndexPoint, to: IndexPoint, value: number): void => {
    const durationMs = to.tsMs - from.tsMs;
    const estimated = durationMs > gapMs;
    if (estimated) {
      record(to.tsMs, 'gap-estimated', `${(durationMs / HOUR_MS).toFixed(2)} h since the previous good reading: ${value} spread linearly over it`, value, value);
    }
    steps.push({ startMs: from.tsMs, endMs: to.tsMs, value, estimated });
  };

  let base: IndexPoint | undefined;
  let rejected: IndexPoint[] = [];
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    if (!base) {
      base = p;
      continue;
    }
    if (p.tsMs <= base.tsMs) continue;
    const durationMs = p.tsMs - base.tsMs;
    const diff = p.value - base.value;
    let value = diff;
    let kind: CorrectionKind | undefined;
    if (diff < 0) {
      if (p.value < resetRatio * base.value) {
        value = p.value;
        if (isSpike(value, durationMs)) kind = 'spike';
        else record(p.tsMs, 'reset', `index fell from ${base.value} to ${p.value} (< ${resetRatio * 100} %): new cycle from zero`, diff, value);
      } else {
        kind = 'negative-step';
        record(p.tsMs, kind, `index fell from ${base.value} to ${p.value}: counted as zero, next step measured from ${base.value}`, diff, 0);
      }
    } else if (isSpike(value, durationMs)) {
      kind = 'spike';
    }
    if (kind === 'spike') {
      record(p.tsMs, 'spike', `${value} in ${(durationMs / HOUR_MS).toFixed(2)} h exceeds ${maxRate} per hour (maxPowerW): rejected`, value, 0);
    }
    if (kind !== undefined) {
      rejected.push(p);
      if (rejected.length >= rebaseAfter && isConsistentRun(rejected, isSpike)) {
        const first = rejected[0]!;
        record(first.tsMs, kind, `${rejected.length} consistent readings since: index level changed, base moved from ${base.value} to ${first.value}`, 0, 0);
        for (let i = 1; i < rejected.length; i++) accept(rejected[i - 1]!, rejected[i]!, rejected[i]!.value - rejected[i - 1]!.value);
        base = rejected[rejected.length - 1]!;
        rejected = [];
      }
      continue;
    }
    accept(base, p, value);
    base = p;
    rejected = [];
  }
  return { steps, corrections };
}

function isConsistentRun(run: readonly IndexPoint[], isSpike: (value: number, durationMs: number) => boolean): boolean {
  for (let i = 1; i < run.length; i++) {
    const d = run[i]!.value - run[i - 1]!.value;
    if (d < 0 || isSpike(d, run[i]!.tsMs - run[i - 1]!.tsMs)) return false;
  }
  return true;
}

/**
 * Power readings (W) to energy steps (kWh) by the trapezoidal rule, never across a gap longer
 * than `maxGapMs` (2 h by default): the power in between is unknown, so no energy is invented.
 */
export function stepsFromPower(points: readonly IndexPoint[], maxGapMs = 2 * HOUR_MS): ConsumptionStep[] {
  const steps: ConsumptionStep[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const dt = b.tsMs - a.tsMs;
    if (dt <= 0 || dt > maxGapMs || !Number.isFinite(a.value) || !Number.isFinite(b.value)) continue;
    steps.push({ startMs: a.tsMs, endMs: b.tsMs, value: ((a.value + b.value) / 2 / 1000) * (dt / HOUR_MS), estimated: false });
  }
  return steps;
}

/**
 * The synthetic cumulative index the historical import stores for interval data (each row the
 * consumption of its interval, e.g. hourly kWh): 0 at the start of the first row, then the running
 * total at the END of every row that has a value. A missing row yields no reading, so the step
 * after it spans the gap and is flagged as estimated; totals equal the sum of the known rows.
 * The analytics read indexes only, whether they came from a meter or from this function.
 */
export function intervalValuesToIndex(rows: readonly { startMs: number; endMs: number; value: number | null }[], startIndex = 0): IndexPoint[] {
  const points: IndexPoint[] = [];
  if (rows.length === 0) return points;
  let total = startIndex;
  points.push({ tsMs: rows[0]!.startMs, value: total });
  for (const row of rows) {
    if (row.value === null || !Number.isFinite(row.value)) continue;
    total += row.value;
    points.push({ tsMs: row.endMs, value: total });
  }
  return points;
}
