import { utcOffsetMs } from '../../energy/local-time.js';
import { parseIsoWithOffset } from '../../ingest/timestamp.js';

export type TimestampCell = { ok: true; tsMs: number; ambiguous?: boolean } | { ok: false; error: string };

const NAIVE_ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
// French exports (Enedis, GRDF, invoices): 22/11/2026 10:15[:00].
const NAIVE_FR = /^(\d{2})\/(\d{2})\/(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const EPOCH_MS = /^\d{12,14}$/;

function wallMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return ms;
}

/**
 * Every instant whose wall-clock time in `timezone` is `wall`: none in the spring-forward gap,
 * two in the repeated autumn hour, one otherwise.
 */
export function instantsOfWallTime(wall: number, timezone: string): number[] {
  const offsets = new Set([utcOffsetMs(wall - 86_400_000, timezone), utcOffsetMs(wall + 86_400_000, timezone), utcOffsetMs(wall, timezone)]);
  const found = new Set<number>();
  for (const offset of offsets) {
    const candidate = wall - offset;
    if (utcOffsetMs(candidate, timezone) === offset) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * A timestamp cell: ISO 8601 with an offset or `Z` is taken as it is; epoch milliseconds too; a
 * naive date-time (ISO or French day/month/year) is a wall time of `timezone`. In the repeated
 * autumn hour the first occurrence is taken, unless the previous line already was at or after it
 * (a load curve lists the hour twice, in order).
 */
export function parseTimestampCell(text: string, timezone: string, previousMs: number | null): TimestampCell {
  const t = text.trim();
  if (EPOCH_MS.test(t)) return { ok: true, tsMs: Number(t) };
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(t) && t.includes('T')) {
    const ms = parseIsoWithOffset(t);
    return Number.isNaN(ms) ? { ok: false, error: `timestamp ${JSON.stringify(t.slice(0, 40))} is not a valid ISO 8601 date-time` } : { ok: true, tsMs: ms };
  }
  let parts: number[] | null = null;
  const iso = NAIVE_ISO.exec(t);
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0)];
  const fr = iso ? null : NAIVE_FR.exec(t);
  if (fr) parts = [Number(fr[3]), Number(fr[2]), Number(fr[1]), Number(fr[4] ?? 0), Number(fr[5] ?? 0), Number(fr[6] ?? 0)];
  if (!parts) return { ok: false, error: `timestamp ${JSON.stringify(t.slice(0, 40))} is not a date-time (ISO 8601, DD/MM/YYYY HH:MM or epoch ms)` };
  const wall = wallMs(parts[0]!, parts[1]!, parts[2]!, parts[3]!, parts[4]!, parts[5]!);
  if (wall === null) return { ok: false, error: `timestamp ${JSON.stringify(t)} is not a date that exists` };
  const instants = instantsOfWallTime(wall, timezone);
  if (instants.length === 0) return { ok: false, error: `local time ${t} does not exist in ${timezone} (clocks go forward)` };
  if (instants.length === 1) return { ok: true, tsMs: instants[0]! };
  const second = previousMs !== null && previousMs >= instants[0]!;
  return { ok: true, tsMs: second ? instants[1]! : instants[0]!, ambiguous: true };
}
