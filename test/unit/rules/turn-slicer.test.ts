import { describe, expect, it } from 'vitest';
import { TurnSlicer } from '../../../src/rules/turn-slicer.js';

describe('TurnSlicer', () => {
  it('keeps the turn within a slice and gives it away once the slice has run, I/O callbacks first', async () => {
    let nowMs = 0;
    const slicer = new TurnSlicer(8, () => nowMs);
    const order: string[] = [];
    // A callback already due: it runs only if the slicer leaves this turn.
    setImmediate(() => order.push('io'));
    nowMs = 7.9;
    await slicer.pause();
    order.push('within slice');
    nowMs = 8;
    await slicer.pause();
    order.push('after slice');
    expect(order).toEqual(['within slice', 'io', 'after slice']);
    // A new slice starts after the pause: 7 ms more keeps the turn again.
    setImmediate(() => order.push('io 2'));
    nowMs = 15;
    await slicer.pause();
    order.push('new slice');
    expect(order.at(-1)).toBe('new slice');
    expect(order).not.toContain('io 2');
  });
});
