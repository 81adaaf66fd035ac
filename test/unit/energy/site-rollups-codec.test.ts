import { describe, expect, it } from 'vitest';
import { dailyTemperatures } from '../../../src/energy/degree-days.js';
import { localDays } from '../../../src/energy/local-time.js';
import { decodeMeterDay, decodeTemperatureDay, encodeMeterDay, encodeTemperatureDay } from '../../../src/energy/site-rollups.js';

const HOUR_MS = 3_600_000;

describe('stored day payloads (site-rollups.ts, ROLLUP_FORMAT r8)', () => {
  it('reads a meter day back bit for bit, the usual covered and estimated slots left out', () => {
    const v = Float64Array.from({ length: 24 }, (_, i) => 0.1 * i + 1e-13 * i);
    v[7] = Number.MIN_VALUE;
    v[8] = 1 / 3;
    const usual = { v, c: new Float64Array(24).fill(HOUR_MS), e: new Float64Array(24) };
    const text = encodeMeterDay(usual);
    expect(text).not.toContain(',');
    expect(text).not.toContain('"');
    expect(decodeMeterDay(text)).toEqual(usual);
    const partial = { v: v.slice(), c: usual.c.slice(), e: usual.e.slice() };
    partial.c[2] = 1_800_000;
    expect(decodeMeterDay(encodeMeterDay(partial))).toEqual(partial);
    const estimated = { v: v.slice(), c: usual.c.slice(), e: usual.e.slice() };
    estimated.e[23] = HOUR_MS;
    const both = { v: v.slice(), c: partial.c.slice(), e: estimated.e.slice() };
    for (const d of [estimated, both]) {
      const back = decodeMeterDay(encodeMeterDay(d));
      expect(back).toEqual(d);
      expect(Buffer.from(back.v.buffer).equals(Buffer.from(d.v.buffer))).toBe(true);
    }
    // 23- and 25-hour days (DST) keep their length.
    const short = { v: v.slice(0, 23), c: usual.c.slice(0, 23), e: usual.e.slice(0, 23) };
    expect(decodeMeterDay(encodeMeterDay(short)).v.length).toBe(23);
  });

  it('refuses a meter day that is not one or three fields of doubles', () => {
    expect(() => decodeMeterDay('AAAAAAAAAAA=,')).toThrow(/fields/);
    expect(() => decodeMeterDay('AAAAAAAAAAA=,,,')).toThrow(/fields/);
    expect(() => decodeMeterDay('AAAA')).toThrow(/not a list of doubles/);
  });

  it('reads a day of temperatures back as the very object dailyTemperatures gave, NaN and reasons included', () => {
    const days = localDays('2016-03-26', '2016-03-29', 'Europe/Paris');
    const points = [
      // 26th: every hour; 27th (23 h, DST): three readings only; 28th: none; 29th: full but no afternoon reading.
      ...Array.from({ length: 24 }, (_, h) => ({ tsMs: days[0]!.startMs + h * HOUR_MS, value: 5 + h / 7 })),
      ...[1, 2, 3].map((h) => ({ tsMs: days[1]!.startMs + h * HOUR_MS, value: -0.1 * h })),
      ...Array.from({ length: 24 }, (_, h) => h).filter((h) => h < 12 || h >= 18).map((h) => ({ tsMs: days[3]!.startMs + h * HOUR_MS, value: 0.3 * h })),
    ];
    const daily = dailyTemperatures(points, days, 'Europe/Paris');
    expect(daily.map((d) => d.sufficient)).toEqual([true, false, false, false]);
    expect(Number.isNaN(daily[2]!.tMeanC)).toBe(true);
    const back = daily.map((d, i) => decodeTemperatureDay(encodeTemperatureDay(d), days[i]!));
    expect(back).toEqual(daily);
    // Same properties in the same order: an answer that serialises them is the same text.
    expect(JSON.stringify(back)).toBe(JSON.stringify(daily));
    expect(encodeTemperatureDay(daily[0]!).length).toBeLessThan(JSON.stringify(daily[0]).length / 2);
  });

  it('refuses a stored temperature day of another shape', () => {
    const day = localDays('2016-01-01', '2016-01-01', 'UTC')[0]!;
    for (const text of ['{"date":"2016-01-01"}', '[1,2,3]', '[1,2,3,4,"5"]', '[1,2,3,4,5,6]']) expect(() => decodeTemperatureDay(text, day)).toThrow(/2016-01-01/);
  });
});
