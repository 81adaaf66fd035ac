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

  it('holds a waiter until enough messages are acknowledged, then resumes it once', async () => {
    const acks = new OrderedAcks(() => undefined, () => undefined);
    const [a, b] = [deferred(), deferred()];
    acks.track(1, a.promise);
    acks.track(2, b.promise);
    let resumed = 0;
    acks.whenBelow(2, () => resumed++);
    expect(resumed).toBe(0);
    b.resolve(); // done but not acknowledgeable before 1: still two pending
    await tick();
    expect(resumed).toBe(0);
    a.resolve();
    await tick();
    expect(acks.pending).toBe(0);
    expect(resumed).toBe(1);
    acks.track(3, Promise.resolve());
    await tick();
    expect(resumed).toBe(1);
  });

  it('resumes at once when there is already room', () => {
    const acks = new OrderedAcks(() => undefined, () => undefined);
    let resumed = false;
    acks.whenBelow(1, () => (resumed = true));
    expect(resumed).toBe(true);
  });

  it('re-checks a condition that depends on something outside the queue only when asked', () => {
    const acks = new OrderedAcks(() => undefined, () => undefined);
    let room = false;
    const order: string[] = [];
    acks.whenReady(() => room, () => order.push('first'));
    acks.whenReady(() => room, () => order.push('second'));
    acks.recheck();
    expect(order).toEqual([]);
    room = true;
    expect(order).toEqual([]);
    acks.recheck();
    expect(order).toEqual(['first', 'second']);
    acks.recheck();
    expect(order).toEqual(['first', 'second']);
  });

  it('lets every waiter go when the connection is reset', () => {
    const acks = new OrderedAcks(() => undefined, () => undefined);
    acks.track(1, new Promise(() => undefined));
    let resumed = 0;
    acks.whenBelow(1, () => resumed++);
    acks.whenReady(() => false, () => resumed++);
    acks.reset();
    expect(resumed).toBe(2);
    expect(acks.pending).toBe(0);
  });
});
