import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveViewer } from '../../../src/live/live-viewer.js';
import { LiveBatch, type LiveValue } from '../../../src/live/live-batch.js';

const T0 = Date.parse('2026-11-02T12:00:00Z');
const v = (quantity: LiveValue['quantity'], tsMs: number, value: number): LiveValue => ({ device: 'tgbt', quantity, tsMs, value });
const encode = (values: readonly LiveValue[]) => `${JSON.stringify(values.map((x) => [x.quantity, x.value]))}\n`;

/** A real Writable with a 16-byte buffer whose reader (the "client") is paused until `release()`. */
function slowClient() {
  const written: string[] = [];
  const held: Array<() => void> = [];
  const socket = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _enc, callback) {
      written.push(chunk.toString());
      held.push(callback);
    },
  });
  return {
    socket,
    written,
    /** Lets the client read everything written so far. */
    release: async () => {
      while (held.length > 0) held.shift()!();
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe('LiveViewer back-pressure', () => {
  it('stops writing while the client does not read, keeps one newest value per series, and sends them once it drains', async () => {
    const client = slowClient();
    const viewer = new LiveViewer(client.socket, encode, () => T0);
    viewer.sendSnapshot([v('power_w', T0, 1000)]);
    expect(viewer.congestedSince()).toBe(T0);
    // 1,000 batches while the client is stuck: nothing more is written, nothing queues up.
    for (let i = 1; i <= 1000; i += 1) viewer.onBatch(new LiveBatch([v('power_w', T0 + i, 1000 + i), ...(i % 2 ? [v('energy_kwh', T0 + i, i)] : [])]));
    viewer.keepAlive();
    expect(client.written).toHaveLength(1);
    expect(client.socket.writableLength).toBeLessThan(100);
    await client.release();
    expect(client.written).toEqual([encode([v('power_w', T0, 1000)]), encode([v('power_w', T0 + 1000, 2000), v('energy_kwh', T0 + 999, 999)])]);
    await client.release();
    expect(viewer.congestedSince()).toBeNull();
    viewer.onBatch(new LiveBatch([v('power_w', T0 + 2000, 7)]));
    expect(client.written.at(-1)).toBe(encode([v('power_w', T0 + 2000, 7)]));
  });

  it('holds what is stored while the snapshot is read, and sends only what is newer than the snapshot after it', () => {
    const client = slowClient();
    client.socket.write = ((chunk: string) => {
      client.written.push(chunk);
      return true;
    }) as Writable['write'];
    const viewer = new LiveViewer(client.socket, encode, () => T0);
    viewer.onBatch(new LiveBatch([v('power_w', T0 - 5000, 1), v('co2_ppm', T0, 800)]));
    expect(client.written).toEqual([]);
    viewer.sendSnapshot([v('power_w', T0, 1000)]);
    expect(client.written).toEqual([encode([v('power_w', T0, 1000)]), encode([v('co2_ppm', T0, 800)])]);
    viewer.end();
    viewer.onBatch(new LiveBatch([v('power_w', T0 + 1, 2)]));
    expect(client.written).toHaveLength(2);
  });
});
