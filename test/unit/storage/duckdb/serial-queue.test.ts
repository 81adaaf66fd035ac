import { describe, expect, it } from 'vitest';
import { SerialQueue } from '../../../../src/storage/duckdb/serial-queue.js';

describe('SerialQueue', () => {
  it('runs jobs one at a time in call order, a failure not stopping the next', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.run(async () => {
      log.push('1 start');
      await gate;
      log.push('1 end');
      return 1;
    });
    const second = queue.run(async () => {
      log.push('2');
      throw new Error('boom');
    });
    const third = queue.run(async () => {
      log.push('3');
      return 3;
    });
    await Promise.resolve();
    expect(log).toEqual(['1 start']);
    release();
    await expect(first).resolves.toBe(1);
    await expect(second).rejects.toThrow('boom');
    await expect(third).resolves.toBe(3);
    expect(log).toEqual(['1 start', '1 end', '2', '3']);
  });

  it('drain() waits for queued jobs, failed ones included', async () => {
    const queue = new SerialQueue();
    let done = false;
    void queue.run(async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('x');
    }).catch(() => undefined);
    void queue.run(async () => {
      done = true;
    });
    await queue.drain();
    expect(done).toBe(true);
  });
});
