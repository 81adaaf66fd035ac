import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../../src/model/reading.js';
import { SeriesHighWater } from '../../../../src/storage/duckdb/series-high-water.js';

const r = (device: string, tsMs: number): Reading => ({ site: 's', device, quantity: 'power_w', tsMs, value: 0 });

describe('SeriesHighWater', () => {
  it('says a batch of strictly newer readings cannot replace anything', () => {
    const marks = new SeriesHighWater();
    expect(marks.mayReplace([r('a', 1)])).toBe(false);
    marks.record([r('a', 10), r('a', 5), r('b', 3)]);
    expect(marks.size).toBe(2);
    expect(marks.mayReplace([r('a', 11), r('b', 4), r('c', 0)])).toBe(false);
  });

  it('flags a reading at or before its own series mark, and only its own', () => {
    const marks = new SeriesHighWater();
    marks.seed({ site: 's', device: 'a', quantity: 'power_w' }, 10);
    expect(marks.mayReplace([r('a', 11), r('a', 10)])).toBe(true);
    expect(marks.mayReplace([r('a', 2)])).toBe(true);
    expect(marks.mayReplace([r('b', 2)])).toBe(false);
    expect(marks.mayReplace([{ ...r('a', 2), quantity: 'energy_kwh' }])).toBe(false);
  });

  it('never lowers a mark', () => {
    const marks = new SeriesHighWater();
    marks.record([r('a', 10)]);
    marks.record([r('a', 4)]);
    marks.seed({ site: 's', device: 'a', quantity: 'power_w' }, 1);
    expect(marks.mayReplace([r('a', 9)])).toBe(true);
  });

  it('keeps the same device id on two sites apart, whatever order the readings come in', () => {
    const marks = new SeriesHighWater();
    marks.record([r('a', 10), { ...r('a', 3), site: 't' }]);
    expect(marks.size).toBe(2);
    expect(marks.mayReplace([{ ...r('a', 5), site: 't' }])).toBe(false);
    expect(marks.mayReplace([{ ...r('a', 5), site: 't' }, r('a', 5)])).toBe(true);
    expect(marks.mayReplace([r('a', 11), { ...r('a', 3), site: 't' }])).toBe(true);
    expect(marks.mayReplace([{ ...r('a', 4), site: 'u' }])).toBe(false);
  });
});
