import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../../src/model/reading.js';
import { IdentityIndex } from '../../../../src/storage/influx/identity-index.js';

const r = (device: string, tsMs: number, value: number, site = 's'): Reading => ({ site, device, quantity: 'power_w', tsMs, value });

describe('IdentityIndex', () => {
  it('keeps the last reading of a repeated identity and leaves a batch without repeats as it is', () => {
    const clean = [r('a', 1, 1), r('a', 2, 2), r('b', 1, 3)];
    const index = new IdentityIndex(clean);
    expect(index.hasDuplicates).toBe(false);
    expect(index.lastOfEach()).toBe(clean);
    const repeated = new IdentityIndex([r('a', 1, 1), r('b', 1, 2), r('a', 1, 9)]);
    expect(repeated.hasDuplicates).toBe(true);
    expect(repeated.lastOfEach()).toEqual([r('b', 1, 2), r('a', 1, 9)]);
  });

  it('overlaps another batch only when they share a whole identity', () => {
    const index = new IdentityIndex([r('a', 1, 1), r('b', 2, 2)]);
    expect(index.overlaps(new IdentityIndex([r('a', 2, 0), r('b', 1, 0), r('a', 1, 0, 'other site')]))).toBe(false);
    expect(index.overlaps(new IdentityIndex([{ ...r('a', 1, 0), quantity: 'energy_kwh' }]))).toBe(false);
    expect(index.overlaps(new IdentityIndex([r('c', 5, 0), r('b', 2, 7)]))).toBe(true);
  });
});
