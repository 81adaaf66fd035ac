/**
 * Issue 9, point 4: live values reach viewers on every instance. Two whole service processes
 * share the MQTT load through mosquitto 2 (`$share/sbe/…`, round-robin) and the state on
 * PostgreSQL; each stores only its share (its own DuckDB here). A viewer of instance A sees the
 * values instance B stored, through LISTEN/NOTIFY (src/cluster/live-relay.ts), and none twice.
 */
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { startMosquitto, type MosquittoHandle } from '../helpers/mosquitto.js';
import { connectClient, endClient, publishQos1, waitUntil } from '../helpers/mqtt.js';
import { startPostgres, type PostgresHandle } from '../helpers/postgres.js';
import { adminToken, startServiceProcess, type ServiceProcess } from '../helpers/service-process.js';
import { openSse, type SseEvent, type SseStream } from '../helpers/sse.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

const EXAMPLE = loadConfigFile(fileURLToPath(new URL('../../config/sites.example.yaml', import.meta.url)), {});
const SERVICE = { username: 'sbe-service', password: 'live-instances-service-secret' };

interface LatestEvent {
  site: string;
  values: Array<{ device: string; quantity: string; value: number; tsMs: number }>;
}

/** Readings this instance wrote to its store (its /metrics counter). */
async function storedCount(s: ServiceProcess): Promise<number> {
  const text = await (await s.fetch('/metrics')).text();
  return Number(/^sbe_store_readings_written_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

describe('live values across two instances', () => {
  let pg: PostgresHandle | null = null;
  let mosquitto: MosquittoHandle | null = null;
  const services: ServiceProcess[] = [];
  const dirs: TempDir[] = [];
  let stream: SseStream | null = null;
  let device: MqttClient | null = null;
  afterAll(async () => {
    stream?.close();
    await endClient(device);
    for (const s of services) await s.terminate();
    await mosquitto?.stop();
    await pg?.stop();
    for (const d of dirs) await d.remove();
  });

  it('a viewer on A sees within 1 s the values B stored, and no value twice', async () => {
    pg = await startPostgres();
    const databaseUrl = await pg.createDatabase('live_instances');
    mosquitto = await startMosquitto({ config: EXAMPLE, service: SERVICE });
    const start = async (name: string) => {
      const dir = await createTempDir(`sbe-live-${name}-`);
      dirs.push(dir);
      const s = await startServiceProcess({
        readyTimeoutMs: 60_000,
        env: {
          DATA_DIR: dir.path, CONFIG: 'config/sites.example.yaml', DATABASE_URL: databaseUrl, INSTANCE_ID: `live-${name}`,
          MQTT_URL: `mqtt://${SERVICE.username}:${SERVICE.password}@127.0.0.1:${mosquitto!.port}`, MQTT_CLIENT_ID: `sbe-live-${name}`, MQTT_SHARE_GROUP: 'sbe',
        },
      });
      services.push(s);
      return s;
    };
    const [a, b] = [await start('a'), await start('b')];
    stream = await openSse(`${a.httpUrl}/api/sites/cleon-bureaux/live`, { authorization: `Bearer ${await adminToken(a.httpUrl, a.admin)}` });
    expect(stream.res.statusCode).toBe(200);
    await stream.next((e) => e.event === 'latest', 10_000, 'snapshot');
    device = await connectClient(mosquitto.url, { username: 'cleon-bureaux/tgbt', password: 'demo-cleon-tgbt' });

    const storedBy = { a: 0, b: 0 };
    const latencyOfB: number[] = [];
    const withPower = (powerW: number) => (e: SseEvent) => e.event === 'latest' && (e.data as LatestEvent).values.some((v) => v.quantity === 'power_w' && v.value === powerW);
    // The share is round-robin: publish until B has stored a few and A at least one.
    for (let i = 0; i < 40 && (storedBy.b < 3 || storedBy.a < 1); i++) {
      const powerW = 5_000 + i;
      const before = { a: await storedCount(a), b: await storedCount(b) };
      const sentMs = performance.now();
      await publishQos1(device, 'sites/cleon-bureaux/devices/tgbt', JSON.stringify({ ts: new Date().toISOString(), power_w: powerW, energy_kwh: 18_000 + i }));
      const shown = await stream.next(withPower(powerW), 10_000, `with ${powerW} W`);
      let by: 'a' | 'b' | null = null;
      await waitUntil(async () => {
        const now = { a: await storedCount(a), b: await storedCount(b) };
        if (now.a - before.a >= 2) by = 'a';
        else if (now.b - before.b >= 2) by = 'b';
        return by !== null;
      }, 10_000, `reading ${powerW} W stored by one instance`);
      storedBy[by!] += 1;
      if (by === 'b') latencyOfB.push(shown.atMs - sentMs);
    }
    console.log(`live across instances: stored by A ${storedBy.a}, by B ${storedBy.b}; publish -> A's viewer for B's readings, ms: ${latencyOfB.map((l) => l.toFixed(0)).join(', ')}`);
    expect(storedBy.b).toBeGreaterThanOrEqual(3);
    expect(storedBy.a).toBeGreaterThanOrEqual(1);
    // The requirement (issue 9 point 4 with issue 13's "within 1 s"), from the publish, which is before B stored it.
    for (const l of latencyOfB) expect(l).toBeLessThan(1000);

    // Nothing twice: each (quantity, time) reached the page once, whichever instance stored it.
    await new Promise((r) => setTimeout(r, 1_500));
    const seen = stream.events.slice(1).flatMap((e) => (e.data as LatestEvent).values.map((v) => `${v.device}/${v.quantity}/${v.tsMs}`));
    expect(seen.length).toBe(2 * (storedBy.a + storedBy.b));
    expect(new Set(seen).size).toBe(seen.length);
  }, 240_000);
});
