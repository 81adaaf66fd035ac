import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { startSimulator, type SimulatorRun } from '../../src/simulator/simulator.js';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * The simulator against the real service (embedded broker, DuckDB), as a demo would drive it:
 * two weeks of history for the four example sites, every device with its own credentials, then
 * live readings in the three payload shapes. Everything acknowledged is stored, nothing is
 * rejected, and the analytics have degree days from the simulated weather stations.
 */
const EXAMPLE = fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url));
let dir: TempDir;
let service: ServiceProcess;
let run: SimulatorRun;

beforeAll(async () => {
  dir = await createTempDir('sbe-sim-');
  service = await startServiceProcess({ env: { DATA_DIR: join(dir.path, 'data'), CONFIG: EXAMPLE } });
  const config = loadConfigFile(EXAMPLE, {});
  run = await startSimulator({ config, url: `mqtt://127.0.0.1:${service.mqttPort}`, backfillDays: 14, anomalies: true, seed: 3, intervalS: 1, clientIdPrefix: 'sim-it' });
}, 60_000);

afterAll(async () => {
  await run?.stop();
  await service?.terminate();
  await dir?.remove();
});

describe('simulator -> service', () => {
  it('publishes two weeks of history that the service acknowledges and stores, with no rejection', async () => {
    const report = await run.backfillDone;
    const stats = run.stats();
    expect(stats.failed).toBe(0);
    // Live readings follow at once: everything of the history is acknowledged, live ones may be in flight.
    expect(stats.acked).toBeGreaterThanOrEqual(report.messages);
    // Two weeks of 15-minute steps for 15 devices: at least one reading each, sent in packs of at
    // most 8 steps (src/simulator: history goes as SenML packs).
    expect(report.readings).toBeGreaterThan(14 * 96 * 15 * 0.95);
    expect(report.messages).toBeGreaterThan((14 * 96 * 15 * 0.95) / 8);
    const metrics = await (await service.fetch(`/metrics`)).text();
    const written = Number(/^sbe_store_readings_written_total (\S+)/m.exec(metrics)?.[1]);
    expect(written).toBeGreaterThanOrEqual(report.readings);
    const rejections = (await (await service.fetch(`/api/ingest/rejections?limit=5`)).json()) as { rejections?: unknown[] } | unknown[];
    expect(Array.isArray(rejections) ? rejections : (rejections.rejections ?? [])).toEqual([]);
  }, 120_000);

  it('gives the analytics degree days from the simulated weather station', async () => {
    const to = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const from = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    // The service's analytics may have read November before the history arrived (the warm-up at
    // start): stored readings drop what they touch within a second (events/stored-span.ts), so
    // the answer is asked again until then rather than once at once.
    let text = '';
    await expect
      .poll(async () => {
        const response = await service.fetch(`/api/sites/cleon-bureaux/degree-days?from=${from}&to=${to}`);
        expect(response.status).toBe(200);
        text = JSON.stringify(await response.json());
        return /"hddC":\d/.test(text);
      }, { timeout: 20_000, interval: 500 })
      .toBe(true);
    expect(text).toMatch(/"daysUsed":(9|10)\b/);
  }, 60_000);

  it('goes on live, plain topics included, and logs nothing it did not plan', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    const latest = (await (await service.fetch(`/api/sites/rouen-formation/latest`)).json()) as { values: { device: string; quantity: string; tsMs: number }[] };
    const co2 = latest.values.find((v) => v.device === 'salle-b12' && v.quantity === 'co2_ppm');
    expect(co2).toBeDefined();
    expect(Date.now() - co2!.tsMs).toBeLessThan(10_000);
    expect(run.injections.length + run.skipped.length).toBe(7);
  }, 30_000);
});
