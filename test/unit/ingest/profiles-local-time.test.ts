import { describe, expect, it } from 'vitest';
import { parseLocalDeviceTime } from '../../../src/ingest/profiles/local-time.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const read = (text: unknown) => parseLocalDeviceTime(text, 'Europe/Paris', NOW, 'Time');

describe('local device times (Tasmota Time, mapping format local)', () => {
  it('reads a wall time in the zone, summer and winter', () => {
    expect(read('2026-07-01T12:00:00')).toEqual({ ok: true, tsMs: Date.parse('2026-07-01T10:00:00Z') });
    expect(read('2026-11-30T10:00')).toEqual({ ok: true, tsMs: Date.parse('2026-11-30T09:00:00Z') });
    // the same hour twice: the cache must give the same answer
    expect(read('2026-11-30T10:30:00')).toEqual({ ok: true, tsMs: Date.parse('2026-11-30T09:30:00Z') });
  });

  it('around the autumn change: before, the twice-lived hour (refused by name), after', () => {
    expect(read('2026-10-25T01:59:59')).toEqual({ ok: true, tsMs: Date.parse('2026-10-24T23:59:59Z') });
    expect(read('2026-10-25T02:00:00')).toMatchObject({ ok: false, reason: 'ambiguous-timestamp' });
    expect(read('2026-10-25T02:59:59')).toMatchObject({ ok: false, reason: 'ambiguous-timestamp' });
    expect(read('2026-10-25T03:00:00')).toEqual({ ok: true, tsMs: Date.parse('2026-10-25T02:00:00Z') });
  });

  it('refuses the spring-forward gap and dates that do not exist; takes an offset as it is', () => {
    expect(read('2026-03-29T02:30:00')).toMatchObject({ ok: false, reason: 'invalid-timestamp', detail: expect.stringContaining('clocks go forward') });
    expect(read('2026-02-29T10:00:00')).toMatchObject({ ok: false, reason: 'invalid-timestamp', detail: expect.stringContaining('not a date that exists') });
    expect(read('2024-02-29T10:00:00')).toEqual({ ok: true, tsMs: Date.parse('2024-02-29T09:00:00Z') });
    expect(read('2026-11-30T10:00:00+01:00')).toEqual({ ok: true, tsMs: Date.parse('2026-11-30T09:00:00Z') });
    expect(read('2026-11-30 10:00:00')).toMatchObject({ ok: false, reason: 'invalid-timestamp' });
    expect(read(1764500000)).toMatchObject({ ok: false, reason: 'invalid-timestamp' });
    expect(read('2026-12-01T02:00:00')).toMatchObject({ ok: false, reason: 'future-timestamp' });
  });
});

describe('ISO instants (zigbee2mqtt last_seen, mapping iso8601)', () => {
  it('gives what timestamp.ts parseIsoWithOffset gives, faster forms and others alike', async () => {
    const { parseIsoInstant } = await import('../../../src/ingest/profiles/local-time.js');
    const { parseIsoWithOffset } = await import('../../../src/ingest/timestamp.js');
    for (const t of ['2026-11-30T10:00:00.010Z', '2026-11-30T10:00:00Z', '2026-11-30T10:00:00+01:00', '2026-11-30T10:00:00.5-03:30', '2026-11-30T10:00:00.123+0100', '2026-11-30T10:00Z', '2024-02-29T23:59:59.999Z']) {
      expect(parseIsoInstant(t), t).toBe(parseIsoWithOffset(t));
      expect(Number.isNaN(parseIsoInstant(t)), t).toBe(false);
    }
    for (const t of ['2026-02-29T10:00:00Z', '2026-11-30T10:00:00', 'yesterday', '2026-11-30T10:00:00.010Zx']) expect(parseIsoInstant(t), t).toBeNaN();
    // 24:00 is the next midnight for both (ISO 8601 §4.2.3; Date.parse agrees)
    expect(parseIsoInstant('2026-11-30T24:00:00Z')).toBe(parseIsoWithOffset('2026-11-30T24:00:00Z'));
  });
});
