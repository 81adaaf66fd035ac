import { describe, expect, it } from 'vitest';
import { bucketEndMs, bucketStartMs, localDateToUtcMs, nextLocalDayMs, startOfLocalDayMs } from '../../../src/api/local-time.js';
import { utcOffsetMs } from '../../../src/energy/local-time.js';

const H = 3_600_000;
const PARIS = 'Europe/Paris';

describe('local days', () => {
  it('knows the offset of Paris in winter and in summer', () => {
    expect(utcOffsetMs(Date.parse('2026-01-15T12:00:00Z'), PARIS)).toBe(H);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), PARIS)).toBe(2 * H);
    expect(utcOffsetMs(Date.parse('2026-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * H);
  });

  it('starts a local day at local midnight', () => {
    expect(startOfLocalDayMs(Date.parse('2026-11-02T22:59:59.999Z'), PARIS)).toBe(Date.parse('2026-11-01T23:00:00Z'));
    expect(startOfLocalDayMs(Date.parse('2026-11-02T23:00:00Z'), PARIS)).toBe(Date.parse('2026-11-02T23:00:00Z'));
    expect(localDateToUtcMs('2026-07-14', PARIS)).toBe(Date.parse('2026-07-13T22:00:00Z'));
  });

  it('has a 23-hour day in March and a 25-hour day in October (EU summer time, Directive 2000/84/EC)', () => {
    const march = localDateToUtcMs('2026-03-29', PARIS);
    expect(nextLocalDayMs(march, PARIS) - march).toBe(23 * H);
    const october = localDateToUtcMs('2026-10-25', PARIS);
    expect(nextLocalDayMs(october, PARIS) - october).toBe(25 * H);
  });

  it('aligns sub-day buckets to the epoch and 1d buckets to local midnight', () => {
    const t = Date.parse('2026-11-02T10:17:00Z');
    expect(bucketStartMs(t, '15m', PARIS)).toBe(Date.parse('2026-11-02T10:15:00Z'));
    expect(bucketEndMs(t, '15m', PARIS)).toBe(Date.parse('2026-11-02T10:30:00Z'));
    expect(bucketEndMs(Date.parse('2026-11-02T10:30:00Z'), '15m', PARIS)).toBe(Date.parse('2026-11-02T10:30:00Z'));
    expect(bucketStartMs(t, '1d', PARIS)).toBe(Date.parse('2026-11-01T23:00:00Z'));
    expect(bucketEndMs(t, '1d', PARIS)).toBe(Date.parse('2026-11-02T23:00:00Z'));
  });
});
