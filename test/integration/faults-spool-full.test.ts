import { afterEach, describe, expect, it } from 'vitest';
import { expectedSeriesCounts, expectedSum, influxSeriesCounts, influxTotals, metricValue, publishLoad } from '../helpers/fault-load.js';
import { startFaultStack } from '../helpers/fault-stack.js';
import { waitUntil } from '../helpers/mqtt.js';
import type { ServiceProcess } from '../helpers/service-process.js';

// SPOOL_MAX_MB reached during an InfluxDB outage: the service stops acknowledging, Mosquitto keeps
// what the service has not taken, and everything arrives once InfluxDB is back (issue 3, point 3).
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Health {
  status: string;
  writePath: { storeUp: boolean; acknowledging: boolean; pendingReadings: number; spoolReadings: number; spoolBytes: number; spoolMaxBytes: number; deadLetters: number };
}

async function health(service: ServiceProcess): Promise<Health> {
  return (await (await service.fetch(`/api/health`)).json()) as Health;
}

function logMessages(service: ServiceProcess): string[] {
  return service.logs().flatMap((line) => {
    try {
      return [(JSON.parse(line) as { msg: string }).msg];
    } catch {
      return [];
    }
  });
}

describe('spool full during an InfluxDB outage, behind Mosquitto', () => {
  it('stops acknowledging, leaves the rest with the broker, and stores everything once InfluxDB is back', async () => {
    const { influx, mosquitto, deviceIds, start } = await startFaultStack(cleanups, { prefix: 'sbe-faults-spool-', env: { SPOOL_MAX_MB: '0.2' } });
    const service = await start();
    await waitUntil(async () => (await (await service.fetch(`/api/health`)).json() as { broker: { connected: boolean } }).broker.connected, 15_000, 'the service subscribed');
    await influx.kill9();

    // Devices publish to Mosquitto, which acknowledges them itself: 60,000 readings, far more than the spool holds.
    const messages = 30_000;
    expect(await publishLoad({ url: mosquitto.url, deviceIds, messages, baseMs: Date.now() - 86_400_000 })).toBe(messages);

    await waitUntil(async () => !(await health(service)).writePath.acknowledging, 90_000, 'the spool to fill');
    expect(logMessages(service).some((m) => m.startsWith('spool full'))).toBe(true);
    // Small batches may still fit into the last bytes for a moment ("room again", then full again):
    // wait for a state that holds, then check that it does hold.
    let full = await health(service);
    await waitUntil(async () => {
      await new Promise((r) => setTimeout(r, 500));
      const now = await health(service);
      const settled = !now.writePath.acknowledging && now.writePath.spoolReadings === full.writePath.spoolReadings && now.writePath.pendingReadings === full.writePath.pendingReadings;
      full = now;
      return settled;
    }, 20_000, 'the spool to stay full');
    expect(full.status).toBe('down'); // store down and nothing more acknowledged: the probe answers 503
    expect(full.writePath.storeUp).toBe(false);
    expect(full.writePath.spoolMaxBytes).toBe(0.2 * 1024 * 1024);
    expect(full.writePath.spoolReadings).toBeGreaterThan(0);
    expect(metricValue(await (await service.fetch(`/metrics`)).text(), 'sbe_spool_acknowledging')).toBe(0);

    // A while later nothing more has been taken: the spool is bounded and the service holds only
    // its unacknowledged window; the rest of the 60,000 readings waits at Mosquitto.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await health(service);
    expect(later.writePath.acknowledging).toBe(false);
    expect(later.writePath.spoolReadings).toBe(full.writePath.spoolReadings);
    expect(later.writePath.spoolBytes).toBe(full.writePath.spoolBytes);
    expect(later.writePath.pendingReadings).toBeLessThanOrEqual(10_002);
    expect(later.writePath.spoolReadings + later.writePath.pendingReadings).toBeLessThan(messages); // under half of the readings

    await influx.restart();
    await waitUntil(async () => (await influxTotals(influx.url)).count >= 2 * messages, 90_000, 'every reading stored');
    const totals = await influxTotals(influx.url);
    expect(totals.count).toBe(2 * messages);
    expect(totals.sum).toBe(expectedSum(messages));
    expect(await influxSeriesCounts(influx.url)).toEqual(expectedSeriesCounts(deviceIds, messages));
    await waitUntil(async () => (await health(service)).writePath.spoolReadings === 0, 15_000, 'the spool replayed');
    const after = await health(service);
    expect(after.writePath).toMatchObject({ acknowledging: true, storeUp: true, spoolReadings: 0, deadLetters: 0 });
    expect(logMessages(service)).toContain('spool has room again: acknowledging messages again');
  }, 180_000);
});
