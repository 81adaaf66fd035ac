import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, decodeLiveChunk, encodeLiveChunks, type LiveReading } from '../../../src/cluster/live-wire.js';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const reading = (i: number, site = 'cleon-bureaux'): LiveReading => ({ site, device: `compteur-${i}`, quantity: 'power_w', tsMs: T0 + i, value: 1000 + i / 10 });

describe('live values between instances, on the NOTIFY wire', () => {
  it('round-trips readings of several sites, in payloads under the limit in UTF-8 bytes', () => {
    const readings = [...Array.from({ length: 400 }, (_, i) => reading(i)), ...Array.from({ length: 300 }, (_, i) => reading(i, 'élancourt-école'))];
    const { payloads, dropped } = encodeLiveChunks('instance-a', readings);
    expect(dropped).toBe(0);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThan(MAX_PAYLOAD_BYTES);
    const back = payloads.map((p) => decodeLiveChunk(p)!);
    expect(back.every((b) => b.instance === 'instance-a')).toBe(true);
    const all = back.flatMap((b) => b.readings);
    expect(all).toHaveLength(readings.length);
    expect(new Set(all.map((r) => `${r.site}/${r.device}`)).size).toBe(readings.length);
    expect(all).toEqual(expect.arrayContaining([readings[0], readings[699]]));
  });

  it('fills each payload close to the limit (no payload per reading)', () => {
    const { payloads } = encodeLiveChunks('a', Array.from({ length: 1000 }, (_, i) => reading(i)), 2_000);
    for (const p of payloads.slice(0, -1)) expect(Buffer.byteLength(p)).toBeGreaterThan(1_900);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(2_000);
  });

  it('leaves out and counts a value that alone would not fit', () => {
    const huge: LiveReading = { ...reading(1), device: 'x'.repeat(9_000) };
    const { payloads, dropped } = encodeLiveChunks('a', [reading(0), huge, reading(2)]);
    expect(dropped).toBe(1);
    expect(payloads.flatMap((p) => decodeLiveChunk(p)!.readings).map((r) => r.device)).toEqual(['compteur-0', 'compteur-2']);
  });

  it('sends nothing for nothing', () => {
    expect(encodeLiveChunks('a', [])).toEqual({ payloads: [], dropped: 0 });
  });

  it('refuses what is not a live batch: not JSON, an unknown quantity, a value that is not finite', () => {
    expect(decodeLiveChunk('not json')).toBeNull();
    expect(decodeLiveChunk(JSON.stringify({ i: 'b', s: { site: [['d', 'rubbish', T0, 1]] } }))).toBeNull();
    expect(decodeLiveChunk('{"i":"b","s":{"site":[["d","power_w",1,null]]}}')).toBeNull();
    expect(decodeLiveChunk(JSON.stringify({ s: {} }))).toBeNull();
  });
});
