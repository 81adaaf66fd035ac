import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/schema.js';
import { PayloadDecoder } from '../../../src/ingest/decoder.js';
import { buildTestConfig } from './fixture-config.js';

const NOW = Date.parse('2026-11-22T10:20:00Z');
const A = 'sites/site-a/devices/meter';
const ENV = 'sites/site-a/devices/env';
let config: AppConfig;
let decoder: PayloadDecoder;

beforeAll(async () => {
  config = await buildTestConfig();
  decoder = new PayloadDecoder(config, 1024);
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const decode = (topic: string, payload: Buffer | string) => decoder.decode(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, NOW);
const reasons = (topic: string, payload: Buffer | string) => decode(topic, payload).rejections.map((r) => r.reason);

describe('JSON object payloads', () => {
  it('decodes the contract example', () => {
    const r = decode(A, json({ ts: '2026-11-22T10:15:00+01:00', energy_kwh: 18234.6, power_w: 5120 }));
    expect(r.rejections).toEqual([]);
    expect(r.readings).toEqual([
      { site: 'site-a', device: 'meter', quantity: 'energy_kwh', tsMs: Date.parse('2026-11-22T09:15:00Z'), value: 18234.6 },
      { site: 'site-a', device: 'meter', quantity: 'power_w', tsMs: Date.parse('2026-11-22T09:15:00Z'), value: 5120 },
    ]);
  });
  it('takes epoch milliseconds', () => {
    expect(decode(A, json({ ts: NOW - 1000, power_w: 1 })).readings[0]).toMatchObject({ tsMs: NOW - 1000, value: 1 });
    expect(decode(A, json({ ts: NOW - 1000, power_w: 1 })).readings[0]?.tsFromServer).toBeUndefined();
  });
  it('uses the receive time when ts is absent, and flags it', () => {
    expect(decode(A, json({ power_w: 42 })).readings).toEqual([{ site: 'site-a', device: 'meter', quantity: 'power_w', tsMs: NOW, value: 42, tsFromServer: true }]);
  });
  it('keeps good keys beside bad ones', () => {
    const r = decode(A, json({ power_w: 'abc', energy_kwh: 10, voltage_v: 230, co2_ppm: 400 }));
    expect(r.readings.map((x) => x.quantity)).toEqual(['energy_kwh']);
    expect(r.rejections.map((x) => [x.reason, x.field])).toEqual([
      ['invalid-value', 'power_w'],
      ['unknown-quantity', 'voltage_v'],
      ['undeclared-quantity', 'co2_ppm'],
    ]);
  });
  it('refuses null, strings, booleans and non-finite values', () => {
    expect(reasons(A, '{"power_w": null}')).toEqual(['invalid-value']);
    expect(reasons(A, '{"power_w": "5120"}')).toEqual(['invalid-value']);
    expect(reasons(A, '{"power_w": true}')).toEqual(['invalid-value']);
    expect(reasons(A, '{"power_w": 1e999}')).toEqual(['invalid-value']);
  });
  it('rejects the whole message on a bad ts', () => {
    expect(reasons(A, json({ ts: 'noon', power_w: 1 }))).toEqual(['invalid-timestamp']);
    expect(reasons(A, json({ ts: NOW + 600_000, power_w: 1, energy_kwh: 2 }))).toEqual(['future-timestamp']);
    expect(decode(A, json({ ts: 'noon', power_w: 1 })).readings).toEqual([]);
  });
  it('rejects malformed JSON, scalars and empty objects', () => {
    expect(reasons(A, '{"power_w": ')).toEqual(['malformed-payload']);
    expect(reasons(A, '42')).toEqual(['malformed-payload']);
    expect(reasons(A, 'null')).toEqual(['malformed-payload']);
    expect(reasons(A, '{}')).toEqual(['malformed-payload']);
    expect(reasons(A, '[]')).toEqual(['malformed-payload']);
    expect(reasons(A, Buffer.from([0xff, 0xfe, 0x00]))).toEqual(['malformed-payload']);
  });
  it('survives deep nesting up to the default 64 KiB limit', () => {
    const big = new PayloadDecoder(config);
    const depth = 32_000;
    expect(big.decode(A, Buffer.from('['.repeat(depth) + ']'.repeat(depth)), NOW).rejections.map((r) => r.reason)).toEqual(['malformed-payload']);
    const nested = Buffer.from('{"power_w":' + '['.repeat(depth) + ']'.repeat(depth) + ',"energy_kwh":1}');
    const r = big.decode(A, nested, NOW);
    expect(r.rejections.map((x) => x.reason)).toEqual(['invalid-value']);
    expect(r.readings.map((x) => x.quantity)).toEqual(['energy_kwh']);
  });
});

describe('topic checks', () => {
  it('rejects unknown topics, sites, devices and quantities', () => {
    expect(reasons('foo/bar', '1')).toEqual(['unknown-topic']);
    expect(reasons('sites/nowhere/devices/meter', '{"power_w":1}')).toEqual(['unknown-site']);
    expect(reasons('sites/site-a/devices/ghost', '{"power_w":1}')).toEqual(['unknown-device']);
    expect(reasons('sites/site-a/devices/meter/voltage_v', '230')).toEqual(['unknown-quantity']);
    expect(reasons('sites/site-a/devices/meter/co2_ppm', '400')).toEqual(['undeclared-quantity']);
  });
  it('keeps site and device in the result for the rejection record', () => {
    expect(decode('sites/site-a/devices/ghost', '{}')).toMatchObject({ site: 'site-a', device: 'ghost' });
  });
  it('rejects oversized payloads', () => {
    const r = decode(A, Buffer.alloc(1025, 0x20));
    expect(r.rejections).toMatchObject([{ reason: 'oversized-payload' }]);
    expect(decode(A, json({ power_w: 1, pad: 'x'.repeat(900) })).rejections.map((x) => x.reason)).toEqual(['unknown-quantity']);
  });
});

describe('plain numbers on quantity topics', () => {
  it('stamps them with the receive time', () => {
    expect(decode(`${A}/power_w`, ' 5120.5 ').readings).toEqual([{ site: 'site-a', device: 'meter', quantity: 'power_w', tsMs: NOW, value: 5120.5, tsFromServer: true }]);
    expect(decode(`${A}/energy_kwh`, '-1e3').readings[0]?.value).toBe(-1000);
  });
  it.each(['', 'abc', 'NaN', 'Infinity', '0x10', '1,5', '1e999', '{"v":1}'])('refuses %j', (text) => {
    expect(reasons(`${A}/power_w`, text)).toEqual(['invalid-value']);
  });
});

describe('SenML packs (RFC 8428)', () => {
  it('resolves bn + n, base time and units', () => {
    const t = 1795338900; // 2026-11-22T09:15:00Z in seconds
    const r = decode(A, json([
      { bn: 'urn:dev:meter:', bt: t, n: 'energy_kwh', u: 'kWh', v: 18234.6 },
      { n: 'power', u: 'kW', v: 5.12, t: 60 },
      { n: 'energy', u: 'Wh', v: 18234700, t: 60 },
    ]));
    expect(r.rejections).toEqual([]);
    expect(r.readings).toEqual([
      { site: 'site-a', device: 'meter', quantity: 'energy_kwh', tsMs: t * 1000, value: 18234.6 },
      { site: 'site-a', device: 'meter', quantity: 'power_w', tsMs: (t + 60) * 1000, value: 5120 },
      { site: 'site-a', device: 'meter', quantity: 'energy_kwh', tsMs: (t + 60) * 1000, value: 18234.7 },
    ]);
  });
  it('treats small times as relative to now (seconds), flagged tsFromServer', () => {
    const r = decode(ENV, json([{ bn: 'env/', n: 'temperature', u: 'Cel', v: 21.5, t: -120 }, { n: 'env/humidity_pct', v: 40 }]));
    expect(r.readings).toEqual([
      { site: 'site-a', device: 'env', quantity: 'temperature_c', tsMs: NOW - 120_000, value: 21.5, tsFromServer: true },
      { site: 'site-a', device: 'env', quantity: 'humidity_pct', tsMs: NOW, value: 40, tsFromServer: true },
    ]);
  });
  it('applies bu, bv and uses s for cumulative quantities', () => {
    const r = decode(A, json([{ bn: 'm:', bu: 'Wh', bv: 1000, bt: 1795338900, n: 'energy', v: 500 }, { n: 'energy_kwh', u: 'kWh', s: 12, bs: 0 }]));
    expect(r.readings.map((x) => x.value)).toEqual([1.5, 12]);
  });
  it('skips base-only records', () => {
    const r = decode(A, json([{ bn: 'meter/', bt: 1795338900 }, { n: 'power_w', v: 1 }]));
    expect(r.rejections).toEqual([]);
    expect(r.readings).toHaveLength(1);
  });
  it('keeps good records beside bad ones, with a reason per bad record', () => {
    const r = decode(A, json([
      { n: 'power_w', v: 1 },
      { n: 'power_w', v: 'abc' },
      { n: 'voltage', v: 230 },
      { n: 'co2', v: 400 },
      { n: 'power', u: 'Cel', v: 3 },
      { n: 'power_w', v: 2, t: 'later' },
      { n: 'power_w', v: 3, t: 3600 },
      { n: 'power_w', vs: 'on' },
      'not a record',
      { n: 7, v: 1 },
      { n: 'energy_kwh', v: 4 },
    ]));
    expect(r.readings.map((x) => x.value)).toEqual([1, 4]);
    expect(r.rejections.map((x) => [x.field, x.reason])).toEqual([
      ['entry 1', 'invalid-value'],
      ['entry 2', 'unknown-quantity'],
      ['entry 3', 'undeclared-quantity'],
      ['entry 4', 'unsupported-unit'],
      ['entry 5', 'invalid-timestamp'],
      ['entry 6', 'future-timestamp'],
      ['entry 7', 'invalid-value'],
      ['entry 8', 'malformed-payload'],
      ['entry 9', 'malformed-payload'],
    ]);
    expect(r.rejections[0]?.detail).toContain('"power_w"');
  });
  it('rejects the following records after an invalid bt', () => {
    const r = decode(A, json([{ n: 'power_w', v: 1 }, { bt: 'x', n: 'power_w', v: 2 }, { n: 'power_w', v: 3 }]));
    expect(r.readings).toHaveLength(1);
    expect(r.rejections.map((x) => x.reason)).toEqual(['invalid-timestamp', 'invalid-timestamp']);
  });
  it('refuses s for an instantaneous quantity', () => {
    expect(reasons(A, json([{ n: 'power_w', s: 3 }]))).toEqual(['invalid-value']);
  });
});
