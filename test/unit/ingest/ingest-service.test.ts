import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/schema.js';
import { IngestService } from '../../../src/ingest/ingest-service.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { buildTestConfig } from './fixture-config.js';
import { RecordingWriter } from './recording-writer.js';

const NOW = Date.parse('2026-11-22T10:20:00Z');
let config: AppConfig;
beforeAll(async () => {
  config = await buildTestConfig();
});

function build(writer = new RecordingWriter()) {
  const metrics = createMetrics();
  const service = new IngestService({
    config,
    settings: { MQTT_HOST: '127.0.0.1', MQTT_PORT: 0, MQTT_URL: undefined, MQTT_CLIENT_ID: 'sbe-test' },
    writer,
    metrics,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
  });
  return { service, writer, metrics };
}

describe('IngestService.handleMessage (no broker)', () => {
  it('writes the readings of one message in one call and counts them', async () => {
    const { service, writer, metrics } = build();
    await service.handleMessage('sites/site-a/devices/meter', Buffer.from('{"energy_kwh": 1, "power_w": 2}'));
    expect(writer.calls).toBe(1);
    expect(writer.readings).toHaveLength(2);
    expect((await metrics.messagesReceived.get()).values[0]?.value).toBe(1);
    expect((await metrics.readingsAccepted.get()).values[0]?.value).toBe(2);
    expect(service.status()).toMatchObject({ mode: 'embedded', connected: false, lastMessageMs: NOW });
  });
  it('records unknown site and device (reachable through an external broker) and does not write', async () => {
    const { service, writer } = build();
    await service.handleMessage('sites/nowhere/devices/meter', Buffer.from('{"power_w": 1}'));
    await service.handleMessage('sites/site-a/devices/ghost', Buffer.from('{"power_w": 1}'));
    expect(writer.calls).toBe(0);
    expect(service.rejections(10).map((r) => [r.reason, r.site, r.device])).toEqual([
      ['unknown-device', 'site-a', 'ghost'],
      ['unknown-site', 'nowhere', 'meter'],
    ]);
  });
  it('lets a failed write reject (so that the source does not acknowledge)', async () => {
    const writer = new RecordingWriter();
    writer.failNext(1);
    const { service } = build(writer);
    await expect(service.handleMessage('sites/site-a/devices/meter/power_w', Buffer.from('1'))).rejects.toThrow(/unavailable/);
    await expect(service.handleMessage('sites/site-a/devices/meter/power_w', Buffer.from('1'))).resolves.toBeUndefined();
  });
  it('does not throw on anything a device sends', async () => {
    const { service } = build();
    for (const payload of [Buffer.alloc(0), Buffer.from([0, 1, 2, 255]), Buffer.from('{"__proto__": {"power_w": 1}}'), Buffer.from('[{"n":"constructor","v":1}]')]) {
      await expect(service.handleMessage('sites/site-a/devices/meter', payload)).resolves.toBeUndefined();
    }
    expect(service.rejections().length).toBeGreaterThanOrEqual(4);
  });
  it('stop() before start() and twice is safe', async () => {
    const { service } = build();
    await service.stop();
    await service.stop();
  });
});
