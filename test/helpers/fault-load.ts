import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load.js';
import type { AppConfig } from '../../src/config/schema.js';

export const FAULT_SITE = 'faults';
export const FAULT_SECRET = 'fault-device-secret';
export const SERVICE_USER = { username: 'sbe-service', password: 'fault-service-secret' };

/** A one-site configuration with `devices` meters, written to `dir/sites.yaml`. */
export async function writeFaultConfig(dir: string, devices: number): Promise<{ path: string; config: AppConfig; deviceIds: string[] }> {
  const deviceIds = Array.from({ length: devices }, (_, i) => `m${i}`);
  const path = join(dir, 'sites.yaml');
  await writeFile(
    path,
    stringify({
      sites: [
        {
          id: FAULT_SITE,
          name: 'Fault tests',
          usage: 'industrial',
          floorAreaM2: 500,
          devices: deviceIds.map((id) => ({ id, kind: 'electricity-meter', quantities: ['energy_kwh', 'power_w'], secret: FAULT_SECRET })),
        },
      ],
    }),
  );
  return { path, config: loadConfigFile(path, {}), deviceIds };
}

export interface LoadOptions {
  url: string;
  deviceIds: string[];
  /** Messages in all; each carries two readings (energy_kwh and power_w) with its own timestamp. */
  messages: number;
  baseMs: number;
  /** Unacknowledged QoS 1 messages per device. */
  window?: number;
  /** Reconnect after a broker restart (mqtt.js resends what was not acknowledged). */
  reconnect?: boolean;
  onAcked?: (acked: number) => void;
}

/** The value of each reading of message `i`, so that a sum proves no reading was stored wrong. */
export function energyOf(i: number): number {
  return 1000 + i;
}

/**
 * Publishes `messages` at QoS 1 from one mqtt.js client per device and resolves with the number
 * acknowledged (all of them, or it rejects). Message i goes to device i % n with timestamp baseMs + i s.
 */
export async function publishLoad(options: LoadOptions): Promise<number> {
  const window = options.window ?? 20;
  const clients: MqttClient[] = await Promise.all(
    options.deviceIds.map((id, k) =>
      connectAsync(options.url, {
        username: `${FAULT_SITE}/${id}`,
        password: FAULT_SECRET,
        clientId: `fault-load-${process.pid}-${k}`,
        clean: false,
        reconnectPeriod: options.reconnect ? 200 : 0,
        connectTimeout: 5_000,
      }),
    ),
  );
  let acked = 0;
  try {
    await Promise.all(
      clients.map(
        (client, k) =>
          new Promise<void>((resolve, reject) => {
            const mine: number[] = [];
            for (let i = k; i < options.messages; i += clients.length) mine.push(i);
            let next = 0;
            let inFlight = 0;
            if (mine.length === 0) return resolve();
            const pump = () => {
              while (inFlight < window && next < mine.length) {
                const i = mine[next++]!;
                inFlight++;
                const payload = JSON.stringify({ ts: options.baseMs + i * 1000, energy_kwh: energyOf(i), power_w: energyOf(i) });
                client.publish(`sites/${FAULT_SITE}/devices/${options.deviceIds[k]}`, payload, { qos: 1 }, (err) => {
                  if (err) return reject(err);
                  inFlight--;
                  acked++;
                  options.onAcked?.(acked);
                  if (next >= mine.length && inFlight === 0) resolve();
                  else pump();
                });
              }
            };
            pump();
          }),
      ),
    );
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
  return acked;
}

/** COUNT and SUM of the fault site's readings in InfluxDB, straight from its HTTP API. */
export async function influxTotals(influxUrl: string, retentionPolicy?: string): Promise<{ count: number; sum: number }> {
  const db = 'energy';
  const from = retentionPolicy ? `"${retentionPolicy}".readings` : 'readings';
  const q = encodeURIComponent(`SELECT COUNT(value), SUM(value) FROM ${from} WHERE site = '${FAULT_SITE}'`);
  const response = await fetch(`${influxUrl}/query?db=${db}&q=${q}`);
  if (response.status !== 200) throw new Error(`InfluxDB query: HTTP ${response.status}`);
  const body = (await response.json()) as { results: Array<{ series?: Array<{ values: number[][] }> }> };
  const row = body.results[0]?.series?.[0]?.values[0];
  return { count: row?.[1] ?? 0, sum: row?.[2] ?? 0 };
}

/** Sum of every reading of messages 0 … n-1 (two readings each, both energyOf(i)). */
export function expectedSum(messages: number): number {
  let sum = 0;
  for (let i = 0; i < messages; i++) sum += 2 * energyOf(i);
  return sum;
}

/** Points per (device, quantity) series of the fault site, keyed `device/quantity`: a reading stored under the wrong series shows here. */
export async function influxSeriesCounts(influxUrl: string): Promise<Map<string, number>> {
  const q = encodeURIComponent(`SELECT COUNT(value) FROM readings WHERE site = '${FAULT_SITE}' GROUP BY device, quantity`);
  const response = await fetch(`${influxUrl}/query?db=energy&q=${q}`);
  if (response.status !== 200) throw new Error(`InfluxDB query: HTTP ${response.status}`);
  const body = (await response.json()) as { results: Array<{ series?: Array<{ tags: Record<string, string>; values: number[][] }> }> };
  const counts = new Map<string, number>();
  for (const s of body.results[0]?.series ?? []) counts.set(`${s.tags.device}/${s.tags.quantity}`, s.values[0]?.[1] ?? 0);
  return counts;
}

/** What influxSeriesCounts must return after publishLoad(messages) on `deviceIds`: message i goes to device i % n. */
export function expectedSeriesCounts(deviceIds: string[], messages: number): Map<string, number> {
  const counts = new Map<string, number>();
  deviceIds.forEach((id, k) => {
    const perDevice = Math.floor(messages / deviceIds.length) + (k < messages % deviceIds.length ? 1 : 0);
    for (const quantity of ['energy_kwh', 'power_w']) counts.set(`${id}/${quantity}`, perDevice);
  });
  return counts;
}

/** Value of an unlabelled sample in a Prometheus text exposition; throws when it is absent. */
export function metricValue(metricsText: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(metricsText);
  if (!match) throw new Error(`metric ${name} not in /metrics`);
  return Number(match[1]);
}
