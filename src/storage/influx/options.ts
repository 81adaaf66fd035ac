import type { EnvSettings } from '../../config/env.js';
import type { Logger } from '../../observability/logger.js';

export interface InfluxStoreOptions {
  /** Base URL of the InfluxDB HTTP API, e.g. http://influxdb:8086 (INFLUX_URL). */
  url: string;
  /** INFLUX_DB; created on start() when missing. */
  database: string;
  /** INFLUX_USERNAME / INFLUX_PASSWORD, sent as HTTP Basic auth. */
  username?: string;
  password?: string;
  /** INFLUX_TOKEN, sent as `Authorization: Token …`; wins over username/password. */
  token?: string;
  /** INFLUX_RETENTION: `INF` (the database's default policy) or a duration such as `720d`, `12w`, `24h`. */
  retention: string;
  /** Bound on each HTTP request, body included. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Lines per POST /write. Default 5 000 (InfluxDB 1.x docs: "5,000 to 10,000 points" per batch). */
  maxLinesPerRequest?: number;
  /** Rows per query page for readings(). Default 10 000 (under any max-row-limit a server may set). */
  queryPageSize?: number;
  logger?: Logger;
}

/** The options main.ts passes when INFLUX_URL is set. */
export function influxStoreOptionsFromEnv(
  env: EnvSettings,
  extra: Pick<InfluxStoreOptions, 'logger' | 'requestTimeoutMs'> = {},
): InfluxStoreOptions {
  if (!env.INFLUX_URL) throw new Error('INFLUX_URL is not set: the InfluxDB store is not configured');
  return {
    url: env.INFLUX_URL,
    database: env.INFLUX_DB,
    ...(env.INFLUX_USERNAME !== undefined ? { username: env.INFLUX_USERNAME } : {}),
    ...(env.INFLUX_PASSWORD !== undefined ? { password: env.INFLUX_PASSWORD } : {}),
    ...(env.INFLUX_TOKEN !== undefined ? { token: env.INFLUX_TOKEN } : {}),
    retention: env.INFLUX_RETENTION,
    ...extra,
  };
}

const RETENTION = /^(INF|(\d+)([hdw]))$/;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Retention in ms, or null for INF. InfluxDB's minimum duration is 1h. */
export function retentionMs(retention: string): number | null {
  const match = RETENTION.exec(retention);
  if (!match) throw new Error(`INFLUX_RETENTION must be INF or a duration such as 720d, got ${JSON.stringify(retention)}`);
  if (match[1] === 'INF') return null;
  const ms = Number(match[2]) * UNIT_MS[match[3] as keyof typeof UNIT_MS];
  if (ms < UNIT_MS.h) throw new Error('INFLUX_RETENTION must be at least 1h (InfluxDB minimum)');
  return ms;
}

/** Go duration text as InfluxDB shows it (`720h0m0s`, `0s` for INF) in ms. */
export function goDurationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(h|m|s)/g)) {
    total += Number(amount) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 1_000);
  }
  return total;
}
