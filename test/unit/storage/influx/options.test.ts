import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../../../src/config/env.js';
import { goDurationMs, influxStoreOptionsFromEnv, retentionMs } from '../../../../src/storage/influx/options.js';

describe('influxStoreOptionsFromEnv', () => {
  it('maps the INFLUX_* settings, with the defaults of env.ts', () => {
    const env = parseEnv({ INFLUX_URL: 'http://influxdb:8086', INFLUX_USERNAME: 'sbe', INFLUX_PASSWORD: 'pw' });
    expect(influxStoreOptionsFromEnv(env, { requestTimeoutMs: 2_000 })).toEqual({
      url: 'http://influxdb:8086',
      database: 'energy',
      username: 'sbe',
      password: 'pw',
      retention: 'INF',
      requestTimeoutMs: 2_000,
    });
    const withToken = parseEnv({ INFLUX_URL: 'https://x', INFLUX_TOKEN: 't0k', INFLUX_DB: 'b', INFLUX_RETENTION: '720d' });
    expect(influxStoreOptionsFromEnv(withToken)).toEqual({ url: 'https://x', database: 'b', token: 't0k', retention: '720d' });
  });

  it('refuses to build options without INFLUX_URL', () => {
    expect(() => influxStoreOptionsFromEnv(parseEnv({}))).toThrow(/INFLUX_URL/);
  });
});

describe('retentionMs and goDurationMs', () => {
  it('reads INF and h/d/w durations, refusing less than InfluxDB minimum of 1h', () => {
    expect(retentionMs('INF')).toBeNull();
    expect(retentionMs('1h')).toBe(3_600_000);
    expect(retentionMs('720d')).toBe(720 * 86_400_000);
    expect(retentionMs('2w')).toBe(14 * 86_400_000);
    for (const bad of ['0h', '1m', 'inf', '7d; DROP DATABASE energy', '']) expect(() => retentionMs(bad)).toThrow(/INFLUX_RETENTION/);
  });

  it('reads durations as SHOW RETENTION POLICIES prints them', () => {
    expect(goDurationMs('0s')).toBe(0);
    expect(goDurationMs('1h0m0s')).toBe(3_600_000);
    expect(goDurationMs('17280h0m0s')).toBe(retentionMs('720d'));
  });
});
