import { describe, expect, it } from 'vitest';
import { OrderedAcks } from '../../../src/ingest/ordered-acks.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OrderedAcks', () => {
  it('acknowledges in arrival order, each only after its own write', async () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id), () => undefined);
    const [a, b, c] = [deferred(), deferred(), deferred()];
    acks.track(1, a.promise);
    acks.track(2, b.promise);
    acks.track(3, c.promise);
    b.resolve();
    await tick();
    expect(sent).toEqual([]);
    a.resolve();
    await tick();
    expect(sent).toEqual([1, 2]);
    c.resolve();
    await tick();
    expect(sent).toEqual([1, 2, 3]);
    expect(acks.pending).toBe(0);
  });

  it('stops at a failed write, reports it once, and acknowledges nothing after it', async () => {
    const sent: number[] = [];
    const failures: unknown[] = [];
    const acks = new OrderedAcks((id) => sent.push(id), (err) => failures.push(err));
    const [a, b, c, d] = [deferred(), deferred(), deferred(), deferred()];
    acks.track(1, a.promise);
    acks.track(2, b.promise);
    acks.track(3, c.promise);
    acks.track(4, d.promise);
    a.resolve();
    b.reject(new Error('down'));
    c.reject(new Error('down again'));
    d.resolve();
    await tick();
    expect(sent).toEqual([1]);
    expect(failures).toHaveLength(1);
  });

  it('forgets the old connection on reset', async () => {
    const sent: number[] = [];
    const acks = new OrderedAcks((id) => sent.push(id), () => undefined);
    const old = deferred();
    acks.track(1, old.promise);
    acks.reset();
    acks.track(1, Promise.resolve());
    old.resolve();
    await tick();
    expect(sent).toEqual([1]);
  });
});
