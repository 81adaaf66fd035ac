import { describe, expect, it } from 'vitest';
import { decodeRollup, encodeRollup } from '../../../src/energy/rollup-codec.js';

describe('rollup codec', () => {
  it('reads back every number exactly, non-finite ones included, with or without them in the text', () => {
    const finite = { v: [0.1 + 0.2, 1e-300, 123456.78901234567], c: Float64Array.from([3_600_000, 1_799_999.5]), label: 'a "$n" in a string' };
    const text = encodeRollup(finite);
    expect(text).not.toContain('{"$n"');
    expect(decodeRollup(text)).toEqual({ v: finite.v, c: [3_600_000, 1_799_999.5], label: finite.label });
    const mixed = { t: [NaN, Infinity, -Infinity, 4.5], nested: { x: NaN }, s: '$n' };
    const back = decodeRollup<typeof mixed>(encodeRollup(mixed));
    expect(back.t).toEqual([NaN, Infinity, -Infinity, 4.5]);
    expect(back.nested.x).toBeNaN();
    expect(back.s).toBe('$n');
  });
});
