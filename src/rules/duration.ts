import { z } from 'zod';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `15m`, `2h`, `1d`, `90s`, `1w` or `0`: a duration in a rule file, read as milliseconds. */
export const durationSchema = z.union([z.literal(0), z.string()]).transform((value, ctx) => {
  if (value === 0 || value === '0') return 0;
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(value);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write a number and a unit, e.g. "15m", "2h", "1d"` });
    return z.NEVER;
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
});

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['w', UNIT_MS.w], ['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
