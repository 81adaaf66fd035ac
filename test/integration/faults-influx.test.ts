import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedSeriesCounts, expectedSum, influxSeriesCounts, influxTotals, metricValue, publishLoad, writeFaultConfig, FAULT_SECRET, FAULT_SITE } from '../helpers/fault-load.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

interface Health {
  status: string;
  store: { ok: boolean; detail: string | null };
  writePath: {
    storeUp: boolean; replayedReadings: number; spoolReadings: number; spoolBytes: number; replaying: boolean;
    deadLetters: number; acknowledging: boolean; lastWriteLatencyMs: number | null; lastError: string | null;
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function health(service: ServiceProcess): Promise<Health> {
  return (await (await service.fetch(`/api/health`)).json()) as Health;
}

async function metrics(service: ServiceProcess): Promise<string> {
  return (await service.fetch(`/metrics`)).text();
}

async function setup(env: Record<string, string> = {}, options: { influxDownAtStart?: boolean } = {}): Promise<{ dir: TempDir; influx: InfluxdHandle; service: ServiceProcess; deviceIds: string[] }> {
  const dir = await createTempDir('sbe-faults-influx-');
  cleanups.push(() => dir.remove());
  const influx = await startInfluxd();
  cleanups.push(() => influx.stop());
  if (options.influxDownAtStart) await influx.kill9();
  const { path, deviceIds } = await writeFaultConfig(dir.path, 5);
  const service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), CONFIG: path, INFLUX_URL: influx.url, ...env } });
  cleanups.push(() => service.kill9());
  return { dir, influx, service, deviceIds };
}

describe('InfluxDB killed during a load (issue 3, fault a)', () => {
  it('stores all 50,000 acknowledged readings exactly once after kill -9 and restart of influxd', async () => {
    const { influx, service, deviceIds } = await setup();
    const messages = 25_000;
    let acked = 0;
    let ackedAtKill = -1;
    let ackedAtRestart = -1;
    let outage: Promise<void> | null = null;
    const seenDuringOutage: Health[] = [];
    let metricsDuringOutage = '';
    const published = publishLoad({
      url: `mqtt://127.0.0.1:${service.mqttPort}`,
      deviceIds,
      messages,
      baseMs: Date.now() - 86_400_000,
      onAcked: (n) => {
        acked = n;
        if (outage || n < messages / 5) return;
        outage = (async () => {
          ackedAtKill = acked;
          await influx.kill9();
          // Acknowledgements go on: the service spools to disk while the store is gone.
          await waitUntil(async () => {
            const h = await health(service);
            seenDuringOutage.push(h);
            return !h.writePath.storeUp && h.writePath.spoolReadings > 0 && !h.store.ok;
          }, 20_000, 'the spool to fill while influxd is down');
          // The gauges follow the writer's status when a batch settles: poll rather than sample once.
          await waitUntil(async () => {
            metricsDuringOutage = await metrics(service);
            return metricValue(metricsDuringOutage, 'sbe_store_up') === 0 && metricValue(metricsDuringOutage, 'sbe_spool_readings') > 0;
          }, 10_000, 'the metrics to show the outage');
          // A few seconds of outage while the publishers go on.
          await new Promise((r) => setTimeout(r, 3_000));
          ackedAtRestart = acked;
          await influx.restart();
        })();
      },
    });
    const total = await published;
    await outage;
    expect(total).toBe(messages);
    // The outage really was mid-stream, and PUBACKs kept coming while influxd was dead (spooled, fsynced).
    expect(ackedAtKill).toBeGreaterThan(0);
    expect(ackedAtKill).toBeLessThan(messages);
    expect(ackedAtRestart).toBeGreaterThan(ackedAtKill);
    const down = seenDuringOutage[seenDuringOutage.length - 1]!;
    expect(down.store.ok).toBe(false);
    expect(down.writePath.storeUp).toBe(false);
    expect(down.writePath.lastError).not.toBeNull();
    expect(down.writePath.spoolReadings).toBeGreaterThan(0);
    expect(down.writePath.spoolBytes).toBeGreaterThan(0);
    expect(down.writePath.acknowledging).toBe(true);
    expect(down.status).toBe('degraded');
    expect(metricValue(metricsDuringOutage, 'sbe_store_up')).toBe(0);
    expect(metricValue(metricsDuringOutage, 'sbe_spool_readings')).toBeGreaterThan(0);
    expect(metricValue(metricsDuringOutage, 'sbe_spool_bytes')).toBeGreaterThan(0);

    await waitUntil(async () => (await influxTotals(influx.url)).count >= 2 * messages, 60_000, 'every reading in InfluxDB');
    await waitUntil(async () => (await health(service)).writePath.spoolReadings === 0, 30_000, 'the spool to drain');
    // Exactly once: InfluxDB keeps one point per (series, ts), so the count of each series and the
    // sum of the distinct values show that no reading was lost, doubled under another series, or altered.
    const totals = await influxTotals(influx.url);
    expect(totals.count).toBe(2 * messages);
    expect(totals.sum).toBe(expectedSum(messages));
    expect(await influxSeriesCounts(influx.url)).toEqual(expectedSeriesCounts(deviceIds, messages));
    const after = await health(service);
    expect(after.status).toBe('ok');
    expect(after.writePath.storeUp).toBe(true);
    expect(after.writePath.spoolBytes).toBe(0);
    expect(after.writePath.deadLetters).toBe(0);
    expect(after.writePath.lastWriteLatencyMs).toBeGreaterThanOrEqual(0);
    // Replay progress: what was spooled during the outage went through the replay.
    expect(after.writePath.replayedReadings).toBeGreaterThanOrEqual(down.writePath.spoolReadings);
    const text = await metrics(service);
    expect(metricValue(text, 'sbe_store_up')).toBe(1);
    expect(metricValue(text, 'sbe_spool_readings')).toBe(0);
    expect(metricValue(text, 'sbe_spool_bytes')).toBe(0);
    expect(metricValue(text, 'sbe_spool_replayed_readings_total')).toBe(after.writePath.replayedReadings);
    expect(metricValue(text, 'sbe_store_write_seconds_count')).toBeGreaterThan(0);
    expect(metricValue(text, 'sbe_store_readings_written_total')).toBeGreaterThanOrEqual(2 * messages);
  });
});

describe('a point the store refuses for good (issue 3, fault d)', () => {
  it('dead-letters the point beyond the retention policy with the reason, and stores the rest', async () => {
    const { dir, influx, service } = await setup({ INFLUX_RETENTION: '24h' });
    const client = await connectClient(`mqtt://127.0.0.1:${service.mqttPort}`, { username: `${FAULT_SITE}/m0`, password: FAULT_SECRET });
    cleanups.push(() => endClient(client));
    const nowMs = Date.now();
    const oldMs = nowMs - 3 * 86_400_000;
    // One message with a reading three days old (beyond the 24 h policy) among recent ones.
    await Promise.all([
      publishQos1(client, `sites/${FAULT_SITE}/devices/m0`, JSON.stringify({ ts: nowMs - 60_000, energy_kwh: 10 })),
      publishQos1(client, `sites/${FAULT_SITE}/devices/m0`, JSON.stringify({ ts: oldMs, energy_kwh: 7 })),
      publishQos1(client, `sites/${FAULT_SITE}/devices/m0`, JSON.stringify({ ts: nowMs - 30_000, energy_kwh: 11, power_w: 500 })),
    ]);
    await waitUntil(async () => (await health(service)).writePath.deadLetters === 1, 10_000, 'one dead letter');
    const lines = (await readFile(join(dir.path, 'data', 'dead-letter.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    const letter = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(letter).toMatchObject({ reading: { site: FAULT_SITE, device: 'm0', quantity: 'energy_kwh', tsMs: oldMs, value: 7 } });
    expect(String(letter.reason)).toMatch(/retention/i);
    // A finite INFLUX_RETENTION writes to the named policy (src/storage/influx/schema.ts).
    await waitUntil(async () => (await influxTotals(influx.url, 'sbe_readings')).count === 3, 10_000, 'the three other readings');
    expect((await influxTotals(influx.url, 'sbe_readings')).sum).toBe(10 + 11 + 500);
    const after = await health(service);
    expect(after.writePath.storeUp).toBe(true);
    expect(after.writePath.spoolReadings).toBe(0);
    expect(metricValue(await metrics(service), 'sbe_store_dead_letters_total')).toBe(1);
  });
});

describe('InfluxDB down when the service starts (a first deployment where the database comes up last)', () => {
  it('starts, acknowledges from the spool, then creates the database and stores every reading once InfluxDB answers', async () => {
    const { influx, service, deviceIds } = await setup({}, { influxDownAtStart: true });
    expect(service.logs().some((line) => line.includes('InfluxDB unreachable at start'))).toBe(true);
    const messages = 2_000;
    expect(await publishLoad({ url: `mqtt://127.0.0.1:${service.mqttPort}`, deviceIds, messages, baseMs: Date.now() - 86_400_000 })).toBe(messages);
    // Every acknowledged reading is on disk, none in InfluxDB: there is no database yet.
    const down = await health(service);
    expect(down.writePath.spoolReadings).toBe(2 * messages);
    expect(down.status).toBe('degraded');
    await influx.restart();
    await waitUntil(async () => (await influxTotals(influx.url)).count >= 2 * messages, 60_000, 'every reading in InfluxDB');
    const totals = await influxTotals(influx.url);
    expect(totals.count).toBe(2 * messages);
    expect(totals.sum).toBe(expectedSum(messages));
    expect(await influxSeriesCounts(influx.url)).toEqual(expectedSeriesCounts(deviceIds, messages));
    await waitUntil(async () => (await health(service)).writePath.spoolReadings === 0, 30_000, 'the spool to drain');
    expect((await health(service)).writePath).toMatchObject({ storeUp: true, deadLetters: 0, spoolBytes: 0 });
  });
});
