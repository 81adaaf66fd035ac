import { describe, expect, it } from 'vitest';
import { parseIsoWithOffset, parseJsonTimestamp, resolveSenmlTimeMs, SENML_RELATIVE_LIMIT_S } from '../../../src/ingest/timestamp.js';

const NOW = Date.parse('2026-11-22T10:20:00Z');

describe('parseJsonTimestamp', () => {
  it('reads ISO 8601 with an offset', () => {
    expect(parseJsonTimestamp('2026-11-22T10:15:00+01:00', NOW)).toEqual({ ok: true, tsMs: Date.parse('2026-11-22T09:15:00Z') });
    expect(parseJsonTimestamp('2026-11-22T10:15:00.250Z', NOW)).toEqual({ ok: true, tsMs: Date.parse('2026-11-22T10:15:00.250Z') });
    expect(parseJsonTimestamp('2026-11-22T07:15:00-0230', NOW)).toEqual({ ok: true, tsMs: Date.parse('2026-11-22T09:45:00Z') });
  });
  it('reads epoch milliseconds', () => {
    expect(parseJsonTimestamp(1795338900000, NOW)).toEqual({ ok: true, tsMs: 1795338900000 });
  });
  it('refuses a local time without offset, garbage and impossible dates', () => {
    for (const ts of ['2026-11-22T10:15:00', 'yesterday', '2026-02-30T10:00:00Z', '2026-11-22T25:00:00Z', '', true, null, {}]) {
      const r = parseJsonTimestamp(ts, NOW);
      expect(r.ok, JSON.stringify(ts)).toBe(false);
      if (!r.ok) expect(r.reason).toBe('invalid-timestamp');
    }
  });
  it('refuses epoch seconds sent as milliseconds', () => {
    const r = parseJsonTimestamp(1795338900, NOW);
    expect(r).toMatchObject({ ok: false, reason: 'invalid-timestamp' });
  });
  it('refuses more than 5 minutes in the future, accepts up to 5 minutes', () => {
    expect(parseJsonTimestamp(NOW + 5 * 60_000, NOW)).toEqual({ ok: true, tsMs: NOW + 5 * 60_000 });
    expect(parseJsonTimestamp(NOW + 5 * 60_000 + 1, NOW)).toMatchObject({ ok: false, reason: 'future-timestamp' });
    expect(parseJsonTimestamp('2026-11-22T11:30:00+01:00', NOW)).toMatchObject({ ok: false, reason: 'future-timestamp' });
  });
  it('parseIsoWithOffset accepts Feb 29 of a leap year only', () => {
    expect(parseIsoWithOffset('2028-02-29T00:00:00Z')).toBe(Date.parse('2028-02-29T00:00:00Z'));
    expect(parseIsoWithOffset('2027-02-29T00:00:00Z')).toBeNaN();
  });
});

describe('resolveSenmlTimeMs (RFC 8428 §4.5.3)', () => {
  it('absolute seconds', () => {
    expect(resolveSenmlTimeMs(1795338900.5, NOW)).toEqual({ ok: true, tsMs: 1795338900500 });
  });
  it('relative seconds below 2**28, flagged relative', () => {
    expect(resolveSenmlTimeMs(-60, NOW)).toEqual({ ok: true, tsMs: NOW - 60_000, relative: true });
    expect(resolveSenmlTimeMs(0, NOW)).toEqual({ ok: true, tsMs: NOW, relative: true });
    expect(resolveSenmlTimeMs(SENML_RELATIVE_LIMIT_S - 1, NOW)).toMatchObject({ ok: false, reason: 'future-timestamp' });
  });
  it('future and non-finite', () => {
    expect(resolveSenmlTimeMs(NOW / 1000 + 3600, NOW)).toMatchObject({ ok: false, reason: 'future-timestamp' });
    expect(resolveSenmlTimeMs(Number.NaN, NOW)).toMatchObject({ ok: false, reason: 'invalid-timestamp' });
  });
});
