import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { RejectionLog } from '../../../src/ingest/rejection-log.js';
import { createMetrics } from '../../../src/observability/metrics.js';

function setup(options: { capacity?: number; logWindowMs?: number } = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  const metrics = createMetrics();
  return { log: new RejectionLog(metrics, logger, options), lines, metrics };
}

const ctx = (receivedMs: number, device = 'meter') => ({ topic: `sites/s/devices/${device}`, site: 's', device, payload: Buffer.from('{"power_w":"x"}'), receivedMs });

async function rejectedCount(metrics: ReturnType<typeof createMetrics>, reason: string): Promise<number> {
  const { values } = await metrics.readingsRejected.get();
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('RejectionLog', () => {
  it('keeps the latest N records, newest first', () => {
    const { log } = setup({ capacity: 3 });
    for (let i = 0; i < 5; i++) log.record({ reason: 'invalid-value', detail: `d${i}` }, ctx(i));
    expect(log.latest(10).map((r) => r.detail)).toEqual(['d4', 'd3', 'd2']);
    expect(log.latest(2).map((r) => r.detail)).toEqual(['d4', 'd3']);
    expect(log.latest(0)).toEqual([]);
    expect(log.latest(1)[0]).toMatchObject({ topic: 'sites/s/devices/meter', site: 's', device: 'meter', receivedMs: 4, payloadExcerpt: '{"power_w":"x"}' });
  });

  it('counts every rejection by reason', async () => {
    const { log, metrics } = setup();
    for (let i = 0; i < 4; i++) log.record({ reason: 'invalid-value', detail: 'x' }, ctx(i));
    log.record({ reason: 'unknown-site', detail: 'x' }, ctx(5));
    expect(await rejectedCount(metrics, 'invalid-value')).toBe(4);
    expect(await rejectedCount(metrics, 'unknown-site')).toBe(1);
  });

  it('cuts the payload excerpt at 200 characters', () => {
    const { log } = setup();
    log.record({ reason: 'oversized-payload', detail: 'x' }, { ...ctx(0), payload: Buffer.alloc(70_000, 0x61) });
    expect(log.latest(1)[0]?.payloadExcerpt).toHaveLength(200);
  });

  it('logs the first rejection, then at most one line per window per (device, reason) with the suppressed count', () => {
    const { log, lines } = setup({ logWindowMs: 10_000 });
    for (let t = 0; t < 10_000; t += 1000) log.record({ reason: 'invalid-value', detail: 'bad' }, ctx(t));
    expect(lines).toHaveLength(1);
    log.record({ reason: 'invalid-value', detail: 'bad' }, ctx(0, 'other'));
    log.record({ reason: 'unknown-quantity', detail: 'bad' }, ctx(0));
    expect(lines).toHaveLength(3);
    log.record({ reason: 'invalid-value', detail: 'bad' }, ctx(10_000));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ suppressed: 9, reason: 'invalid-value', topic: 'sites/s/devices/meter' });
    log.record({ reason: 'invalid-value', detail: 'bad' }, ctx(10_001));
    expect(lines).toHaveLength(4);
  });
});
