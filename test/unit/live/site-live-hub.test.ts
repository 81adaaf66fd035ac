import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../../src/events/event-bus.js';
import type { LiveBatch } from '../../../src/live/live-batch.js';
import { SiteLiveHub } from '../../../src/live/site-live-hub.js';
import type { Reading } from '../../../src/model/reading.js';

const T0 = Date.parse('2026-11-02T12:00:00Z');
const power = (site: string, tsMs: number, value: number): Reading => ({ site, device: 'tgbt', quantity: 'power_w', tsMs, value });

afterEach(() => {
  vi.useRealTimers();
});

async function startedHub(coalesceMs = 200) {
  vi.useFakeTimers();
  const events = new EventBus();
  const hub = new SiteLiveHub({ events, coalesceMs });
  await hub.start();
  return { events, hub };
}

describe('SiteLiveHub', () => {
  it('subscribes to readingsStored once, whatever the number of viewers and sites', async () => {
    const { events, hub } = await startedHub();
    expect(events.listenerCount('readingsStored')).toBe(1);
    const offs = [hub.subscribe('a', () => undefined), hub.subscribe('a', () => undefined), hub.subscribe('b', () => undefined)];
    expect(events.listenerCount('readingsStored')).toBe(1);
    expect([hub.viewerCount('a'), hub.viewerCount('b'), hub.viewerCount()]).toEqual([2, 1, 3]);
    offs.forEach((off) => off());
    expect(hub.viewerCount()).toBe(0);
    await hub.stop();
    await hub.stop();
    expect(events.listenerCount('readingsStored')).toBe(0);
  });

  it('folds the readings of a window into one batch per site, newest per series, the same batch for every viewer', async () => {
    const { events, hub } = await startedHub(200);
    const seenA1: LiveBatch[] = [];
    const seenA2: LiveBatch[] = [];
    const seenB: LiveBatch[] = [];
    hub.subscribe('a', (b) => seenA1.push(b));
    hub.subscribe('a', (b) => seenA2.push(b));
    hub.subscribe('b', (b) => seenB.push(b));
    events.emit('readingsStored', { readings: [power('a', T0, 1000), power('a', T0 + 1000, 2000), power('c', T0, 5)] });
    events.emit('readingsStored', { readings: [{ ...power('a', T0 + 500, 1500) }, { site: 'a', device: 'tgbt', quantity: 'energy_kwh', tsMs: T0, value: 42 }] });
    expect(seenA1).toHaveLength(0);
    vi.advanceTimersByTime(200);
    expect(seenA1).toHaveLength(1);
    // An older reading stored after a newer one (a replayed history) does not replace it.
    expect(seenA1[0]!.values).toEqual([
      { site: 'a', device: 'tgbt', quantity: 'power_w', tsMs: T0 + 1000, value: 2000 },
      { site: 'a', device: 'tgbt', quantity: 'energy_kwh', tsMs: T0, value: 42 },
    ]);
    expect(seenA2[0]).toBe(seenA1[0]);
    let encodings = 0;
    const text = seenA1[0]!.encoded(() => `n${(encodings += 1)}`);
    expect(seenA2[0]!.encoded(() => `n${(encodings += 1)}`)).toBe(text);
    expect(encodings).toBe(1);
    expect(seenB).toHaveLength(0);
    vi.advanceTimersByTime(1000);
    expect(seenA1).toHaveLength(1);
  });

  it('never sends a series back before what a viewer snapshot or an earlier batch showed', async () => {
    const { events, hub } = await startedHub(50);
    const seen: LiveBatch[] = [];
    hub.subscribe('a', (b) => seen.push(b));
    hub.noteSnapshot('a', [{ device: 'tgbt', quantity: 'power_w', tsMs: T0 + 10_000, value: 9 }]);
    events.emit('readingsStored', { readings: [power('a', T0, 1)] });
    vi.advanceTimersByTime(50);
    expect(seen).toHaveLength(0);
    // The same instant with another value is a correction: the store keeps the later write, so does the page.
    events.emit('readingsStored', { readings: [power('a', T0 + 10_000, 10)] });
    vi.advanceTimersByTime(50);
    expect(seen.map((b) => b.values.map((v) => v.value))).toEqual([[10]]);
  });

  it('costs nothing for a site nobody watches, and forgets a site with its last viewer', async () => {
    const { events, hub } = await startedHub(50);
    events.emit('readingsStored', { readings: [power('a', T0, 1)] });
    expect(vi.getTimerCount()).toBe(0);
    const seen: LiveBatch[] = [];
    const off = hub.subscribe('a', (b) => seen.push(b));
    events.emit('readingsStored', { readings: [power('a', T0 + 1, 2)] });
    off();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(seen).toHaveLength(0);
  });

  it('a throwing viewer does not keep the others from their batch', async () => {
    const { events, hub } = await startedHub(10);
    const seen: number[] = [];
    hub.subscribe('a', () => {
      throw new Error('broken page');
    });
    hub.subscribe('a', (b) => seen.push(b.values.length));
    events.emit('readingsStored', { readings: [power('a', T0, 1)] });
    vi.advanceTimersByTime(10);
    expect(seen).toEqual([1]);
  });
});
