/**
 * Seeded randomness, so that a simulator run can be reproduced (`--seed`). Two kinds:
 *
 * - `Rng`: a sequential generator (mulberry32, a 32-bit generator that passes the gjrand and
 *   PractRand tests up to 2^32 outputs; plenty for picking anomaly dates and sensor noise);
 * - `noiseAt`: a pure function of (seed, stream, integer index), for noise that must be the same
 *   whatever order or step the series is computed in (the weather at 10:15 is the same whether the
 *   simulator got there by a 15-minute backfill or by 10-second live readings).
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  gaussian(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** A 32-bit hash of a string (FNV-1a): turns site and device ids into noise streams. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform in [0, 1) from (seed, stream, index) alone. */
export function uniformAt(seed: number, stream: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream, 0xc2b2ae35) ^ Math.imul(index | 0, 0x27d4eb2f) ^ Math.imul(Math.floor(index / 4294967296), 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Approximately standard normal from (seed, stream, index): the sum of four uniforms, rescaled (Irwin–Hall). */
export function noiseAt(seed: number, stream: number, index: number): number {
  let s = 0;
  for (let k = 0; k < 4; k++) s += uniformAt(seed, stream + k * 7919, index);
  return (s - 2) * Math.sqrt(3);
}

/**
 * Smooth noise of unit variance at time `tMs`: standard normal values at knots every `periodMs`,
 * joined by a cosine-eased interpolation, so the series has no jumps and a correlation time of
 * about one period (weather systems: days; passing clouds: hours).
 */
export function smoothNoise(seed: number, stream: number, tMs: number, periodMs: number): number {
  const x = tMs / periodMs;
  const i = Math.floor(x);
  const f = x - i;
  const w = (1 - Math.cos(Math.PI * f)) / 2;
  const a = noiseAt(seed, stream, i);
  const b = noiseAt(seed, stream, i + 1);
  // Interpolating two independent unit normals lowers the variance mid-way; rescale to keep it 1.
  return (a * (1 - w) + b * w) / Math.sqrt((1 - w) ** 2 + w ** 2);
}
