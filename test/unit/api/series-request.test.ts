import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/api/errors.js';
import { chooseWidth, parseInstant } from '../../../src/api/series-request.js';

const H = 3_600_000;

describe('parseInstant', () => {
  it('reads epoch ms, RFC 3339 date-times with offset and bare dates (local midnight)', () => {
    expect(parseInstant('1793613600000', 'from', 'Europe/Paris')).toBe(1_793_613_600_000);
    expect(parseInstant('2026-11-02T08:00:00+01:00', 'from', 'Europe/Paris')).toBe(Date.parse('2026-11-02T07:00:00Z'));
    expect(parseInstant('2026-11-02T07:00Z', 'to', 'Europe/Paris')).toBe(Date.parse('2026-11-02T07:00:00Z'));
    expect(parseInstant('2026-11-02', 'to', 'Europe/Paris')).toBe(Date.parse('2026-11-01T23:00:00Z'));
  });

  it.each(['', 'now', '2026-11-02T08:00:00', '2026-13-01T00:00Z', '2026-02-29', '1e12', '-5', '2026-11-02T25:00Z'])('refuses %j naming the field', (value) => {
    let caught: unknown;
    try {
      parseInstant(value, 'to', 'Europe/Paris');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HttpError);
    expect((caught as HttpError).field).toBe('to');
    expect((caught as HttpError).statusCode).toBe(400);
  });
});

describe('chooseWidth', () => {
  it('picks the narrowest width that keeps a chart under 500 points', () => {
    expect(chooseWidth(H)).toBe('1m');
    expect(chooseWidth(24 * H)).toBe('5m');
    expect(chooseWidth(7 * 24 * H)).toBe('30m');
    expect(chooseWidth(20 * 24 * H)).toBe('1h');
    expect(chooseWidth(365 * 24 * H)).toBe('1d');
  });
});
