import { describe, expect, it } from 'vitest';
import { settledWithin } from '../../../src/lib/settled-within.js';

describe('settledWithin', () => {
  it('waits for work that settles in time, resolved or rejected', async () => {
    let done = false;
    const work = new Promise<void>((resolve) => setTimeout(() => { done = true; resolve(); }, 30));
    expect(await settledWithin(work, 5_000)).toBe('settled');
    expect(done).toBe(true);
    expect(await settledWithin(Promise.reject(new Error('write failed')), 5_000)).toBe('settled');
  });

  it('gives up on work that hangs, after the time given', async () => {
    const started = performance.now();
    expect(await settledWithin(new Promise(() => undefined), 60)).toBe('timed-out');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
