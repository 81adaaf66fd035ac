import { describe, expect, it } from 'vitest';
import { ConcurrencyGate, GateFullError } from '../../../../src/ingest/broker/concurrency-gate.js';
import { FailureWindow } from '../../../../src/ingest/broker/failure-window.js';
import { PacketLengthGuard } from '../../../../src/ingest/broker/packet-length-guard.js';
import { truncateForLog } from '../../../../src/ingest/broker/throttled-log.js';

describe('PacketLengthGuard', () => {
  it('passes packets up to the limit, split anywhere, and refuses one announcing more', () => {
    const guard = new PacketLengthGuard(200);
    // PINGREQ (0xC0 0x00), then a PUBLISH of Remaining Length 200 (0xC8 0x01), fed one byte at a time.
    const stream = Buffer.concat([Buffer.from([0xc0, 0x00, 0x30, 0xc8, 0x01]), Buffer.alloc(200, 0x41), Buffer.from([0xc0, 0x00])]);
    for (const byte of stream) expect(guard.feed(Buffer.from([byte]))).toBe(true);
    expect(guard.feed(Buffer.from([0x30, 0xc9, 0x01]))).toBe(false); // 201
    expect(guard.refusal).toMatch(/201\+ bytes/);
    expect(guard.feed(Buffer.from([0xc0, 0x00]))).toBe(false); // stays refused
  });

  it('refuses a fifth length byte (MQTT 3.1.1 §2.2.3) and a 256 MB announcement at its first bytes', () => {
    expect(new PacketLengthGuard(Number.MAX_SAFE_INTEGER).feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]))).toBe(false);
    const guard = new PacketLengthGuard(128 * 1024);
    expect(guard.feed(Buffer.from([0x30, 0x80, 0x80, 0x80]))).toBe(true); // still a lower bound of 0
    expect(guard.feed(Buffer.from([0x01]))).toBe(false); // 2^21 > 128 KiB
  });
});

describe('FailureWindow', () => {
  it('blocks a key after `limit` failures until its window ends, and stays bounded', () => {
    const w = new FailureWindow(3, 1000, 100);
    for (let i = 0; i < 3; i++) w.fail('ip', 0);
    expect(w.blocked('ip', 999)).toBe(true);
    expect(w.retryAfterMs('ip', 400)).toBe(600);
    expect(w.blocked('ip', 1000)).toBe(false);
    for (let i = 0; i < 1000; i++) w.fail(`k${i}`, 5000);
    expect(w.size).toBeLessThanOrEqual(100);
  });
});

describe('ConcurrencyGate', () => {
  it('runs one at a time, queues up to maxQueued, refuses beyond', async () => {
    const gate = new ConcurrencyGate(1, 2);
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const op = () =>
      gate.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => release.push(r));
        running -= 1;
      });
    const runs = [op(), op(), op()];
    await expect(op()).rejects.toBeInstanceOf(GateFullError);
    while (runs.length > 0 && (release.length > 0 || gate.active > 0)) {
      await new Promise((r) => setImmediate(r));
      release.shift()?.();
      if (gate.active === 0 && gate.queued === 0) break;
    }
    await Promise.all(runs);
    expect(peak).toBe(1);
  });
});

describe('truncateForLog', () => {
  it('cuts client-chosen text to 64 characters and says how long it was', () => {
    expect(truncateForLog('x'.repeat(10_000))).toBe(`${'x'.repeat(64)}…(10000 chars)`);
    expect(truncateForLog('site-a/meter')).toBe('site-a/meter');
  });
});
