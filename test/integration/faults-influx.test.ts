import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedSum, influxTotals, publishLoad, writeFaultConfig, FAULT_SECRET, FAULT_SITE } from '../helpers/fault-load.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

interface Health {
  status: string;
  store: { ok: boolean };
  writePath: { storeUp: boolean; replayedReadings: number; spoolReadings: number; spoolBytes: number; replaying: boolean; deadLetters: number; acknowledging: boolean };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function health(service: ServiceProcess): Promise<Health> {
  return (await (await fetch(`${service.httpUrl}/api/health`)).json()) as Health;
}

async function setup(env: Record<string, string> = {}): Promise<{ dir: TempDir; influx: InfluxdHandle; service: ServiceProcess; deviceIds: string[] }> {
  const dir = await createTempDir('sbe-faults-influx-');
  cleanups.push(() => dir.remove());
  const influx = await startInfluxd();
  cleanups.push(() => influx.stop());
  const { path, deviceIds } = await writeFaultConfig(dir.path, 5);
  const service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), CONFIG: path, INFLUX_URL: influx.url, ...env } });
  cleanups.push(() => service.kill9());
  return { dir, influx, service, deviceIds };
}

describe('InfluxDB killed during a load (issue 3, fault a)', () => {
  it('stores all 50,000 acknowledged readings exactly once after kill -9 and restart of influxd', async () => {
    const { influx, service, deviceIds } = await setup();
    const messages = 25_000;
    let killed = false;
    let outage: Promise<void> | null = null;
    const seenDuringOutage: Health[] = [];
    const acked = await publishLoad({
      url: `mqtt://127.0.0.1:${service.mqttPort}`,
      deviceIds,
      messages,
      baseMs: Date.now() - 86_400_000,
      onAcked: (n) => {
        if (killed || n < messages / 5) return;
        killed = true;
        outage = (async () => {
          await influx.kill9();
          // Acknowledgements go on: the service spools to disk while the store is gone.
          await waitUntil(async () => {
            const h = await health(service);
            seenDuringOutage.push(h);
            return !h.writePath.storeUp && h.writePath.spoolReadings > 0;
          }, 20_000, 'the spool to fill while influxd is down');
          await new Promise((r) => setTimeout(r, 1_000));
          await influx.restart();
        })();
      },
    });
    await outage;
    expect(acked).toBe(messages);
    const down = seenDuringOutage[seenDuringOutage.length - 1]!;
    expect(down.writePath.storeUp).toBe(false);
    expect(down.writePath.spoolBytes).toBeGreaterThan(0);
    expect(down.status).not.toBe('ok');

    await waitUntil(async () => (await influxTotals(influx.url)).count >= 2 * messages, 60_000, 'every reading in InfluxDB');
    await waitUntil(async () => (await health(service)).writePath.spoolReadings === 0, 30_000, 'the spool to drain');
    const totals = await influxTotals(influx.url);
    expect(totals.count).toBe(2 * messages);
    expect(totals.sum).toBe(expectedSum(messages));
    const after = await health(service);
    expect(after.writePath.storeUp).toBe(true);
    expect(after.writePath.deadLetters).toBe(0);
    // Replay progress: what was spooled during the outage went through the replay.
    expect(after.writePath.replayedReadings).toBeGreaterThanOrEqual(down.writePath.spoolReadings);
    const metrics = await (await fetch(`${service.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^sbe_spool_readings 0$/m);
    expect(metrics).toMatch(/^sbe_store_write_seconds_count \d+$/m);
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
    expect(JSON.stringify(letter)).toContain(String(oldMs));
    expect(JSON.stringify(letter)).toMatch(/retention/i);
    // A finite INFLUX_RETENTION writes to the named policy (src/storage/influx/schema.ts).
    await waitUntil(async () => (await influxTotals(influx.url, 'sbe_readings')).count === 3, 10_000, 'the three other readings');
    expect((await influxTotals(influx.url, 'sbe_readings')).sum).toBe(10 + 11 + 500);
    expect((await health(service)).writePath.storeUp).toBe(true);
  });
});
