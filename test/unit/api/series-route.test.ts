import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/model/reading.js';
import { FakeStore } from './fake-store.js';
import { NOW_MS, harness } from './helpers.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-02T00:00:00Z');
const tgbt = (quantity: Reading['quantity'], tsMs: number, value: number): Reading => ({ site: 'cleon-bureaux', device: 'tgbt', quantity, tsMs, value });

describe('GET /api/sites/:site/series, instantaneous quantities', () => {
  it('gives mean, min, max and count per bucket with ISO starts, unit, kind, timezone and every', async () => {
    const store = new FakeStore().add(tgbt('power_w', T0 + 60_000, 1000), tgbt('power_w', T0 + 120_000, 3000), tgbt('power_w', T0 + H + 5, 500));
    const h = await harness({}, store);
    const res = await h.app.inject({ url: `/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w&from=${T0}&to=${T0 + 2 * H}&every=1h` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      site: 'cleon-bureaux',
      device: 'tgbt',
      quantity: 'power_w',
      unit: 'W',
      kind: 'instantaneous',
      timezone: 'Europe/Paris',
      every: '1h',
      from: '2026-11-02T00:00:00.000Z',
      fromMs: T0,
      to: '2026-11-02T02:00:00.000Z',
      toMs: T0 + 2 * H,
      buckets: [
        { start: '2026-11-02T00:00:00.000Z', startMs: T0, count: 2, mean: 2000, min: 1000, max: 3000 },
        { start: '2026-11-02T01:00:00.000Z', startMs: T0 + H, count: 1, mean: 500, min: 500, max: 500 },
      ],
    });
  });

  it('defaults to the last 24 h with a width chosen from the span, aligned to bucket boundaries', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.every).toBe('5m');
    expect(body.toMs).toBe(NOW_MS);
    expect(body.fromMs).toBe(NOW_MS - 24 * H);
    const call = h.store.calls.find((c) => c.method === 'buckets');
    expect(call?.args).toEqual({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'power_w', fromMs: NOW_MS - 24 * H, toMs: NOW_MS, every: '5m', timezone: 'Europe/Paris' });
  });

  it('accepts ISO 8601 with an offset, and a bare date as local midnight of the site', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/sites/cleon-bureaux/series?device=tgbt&quantity=power_w&from=2026-11-01&to=2026-11-02T01:00:00%2B01:00&every=1h' });
    expect(res.statusCode).toBe(200);
    expect(res.json().from).toBe('2026-10-31T23:00:00.000Z');
    expect(res.json().to).toBe('2026-11-02T00:00:00.000Z');
  });
});

describe('GET /api/sites/:site/series, cumulative indexes', () => {
  it('gives the consumption per bucket from the index before the range, and flags a counter reset as 0', async () => {
    const store = new FakeStore().add(
      tgbt('energy_kwh', T0 - 10 * 60_000, 1000), // the index before the range
      tgbt('energy_kwh', T0 + 10 * 60_000, 1004),
      tgbt('energy_kwh', T0 + 50 * 60_000, 1010),
      tgbt('energy_kwh', T0 + H + 30 * 60_000, 1025),
      tgbt('energy_kwh', T0 + 3 * H + 10 * 60_000, 3), // meter replaced: index restarts
      tgbt('energy_kwh', T0 + 4 * H + 10 * 60_000, 8),
    );
    const h = await harness({}, store);
    const res = await h.app.inject({ url: `/api/sites/cleon-bureaux/series?device=tgbt&quantity=energy_kwh&from=${T0}&to=${T0 + 5 * H}&every=1h` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ unit: 'kWh', kind: 'cumulative', totalConsumption: 30 });
    expect(body.buckets.map((b: { consumption: number; counterReset: boolean; incomplete: boolean; index: number }) => [b.consumption, b.counterReset, b.incomplete, b.index])).toEqual([
      [10, false, false, 1010],
      [15, false, false, 1025],
      [0, true, false, 3],
      [5, false, false, 8],
    ]);
    expect(store.calls.find((c) => c.method === 'readingAtOrBefore')?.args).toEqual({ site: 'cleon-bureaux', device: 'tgbt', quantity: 'energy_kwh', atMs: T0 - 1 });
  });

  it('uses local days of the site timezone for 1d, including the 25-hour day of the October DST change', async () => {
    // Europe/Paris: 2026-10-25 03:00 CEST -> 02:00 CET, so that local day lasts 25 h.
    const dayStart = Date.parse('2026-10-24T22:00:00Z');
    const nextDay = Date.parse('2026-10-25T23:00:00Z');
    const store = new FakeStore().add(
      tgbt('energy_kwh', dayStart - 1, 500),
      tgbt('energy_kwh', dayStart, 501),
      tgbt('energy_kwh', nextDay - 1, 600),
      tgbt('energy_kwh', nextDay, 601),
      tgbt('energy_kwh', nextDay + 20 * H, 650),
    );
    const h = await harness({}, store);
    const res = await h.app.inject({ url: '/api/sites/cleon-bureaux/series?device=tgbt&quantity=energy_kwh&from=2026-10-25&to=2026-10-27&every=1d' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.timezone).toBe('Europe/Paris');
    expect(body.fromMs).toBe(dayStart);
    expect(body.buckets).toEqual([
      { start: '2026-10-24T22:00:00.000Z', startMs: dayStart, count: 2, consumption: 100, index: 600, counterReset: false, incomplete: false },
      { start: '2026-10-25T23:00:00.000Z', startMs: nextDay, count: 2, consumption: 50, index: 650, counterReset: false, incomplete: false },
    ]);
    expect(store.calls.find((c) => c.method === 'buckets')?.args).toMatchObject({ every: '1d', timezone: 'Europe/Paris' });
  });
});

describe('GET /api/sites/:site/series, every 400 names its parameter', () => {
  const base = '/api/sites/cleon-bureaux/series';
  const cases: Array<[string, string, RegExp]> = [
    ['device=nope&quantity=power_w', 'device', /^querystring\.device: unknown device "nope" for site cleon-bureaux/],
    ['device=Bad_Id&quantity=power_w', 'device', /^querystring\.device: /],
    ['quantity=power_w', 'device', /^querystring\.device: /],
    ['device=tgbt&quantity=powr_w', 'quantity', /^querystring\.quantity: unknown quantity "powr_w" for device tgbt of site cleon-bureaux/],
    ['device=tgbt&quantity=gas_m3', 'quantity', /^querystring\.quantity: unknown quantity "gas_m3" for device tgbt/],
    ['device=tgbt', 'quantity', /^querystring\.quantity: /],
    ['device=tgbt&quantity=power_w&from=yesterday', 'from', /^querystring\.from: must be an ISO 8601/],
    ['device=tgbt&quantity=power_w&from=2026-02-30', 'from', /^querystring\.from: "2026-02-30" is not a valid date/],
    ['device=tgbt&quantity=power_w&from=2026-11-01T08:00:00', 'from', /^querystring\.from: must be an ISO 8601 date-time with offset/],
    ['device=tgbt&quantity=power_w&to=99999999999999', 'to', /^querystring\.to: must be between 1970 and 2100/],
    ['device=tgbt&quantity=power_w&from=2026-11-02&to=2026-11-01', 'from', /^querystring\.from: must be before to/],
    ['device=tgbt&quantity=power_w&every=2h', 'every', /^querystring\.every: must be one of 1m, 5m/],
    ['device=tgbt&quantity=power_w&from=2025-01-01&to=2026-01-01&every=1m', 'every', /^querystring\.every: 525600 buckets of 1m requested; at most 10000/],
    ['device=tgbt&quantity=power_w&from=1990-01-01&to=2099-01-01', 'from', /^querystring\.from: \d+ buckets of 1d requested/],
    ['device=tgbt&quantity=power_w&colour=red', 'colour', /^querystring\.colour: unknown parameter "colour"/],
  ];
  it.each(cases)('%s -> 400 on %s', async (query, field, message) => {
    const h = await harness();
    const res = await h.app.inject({ url: `${base}?${query}` });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', field });
    expect(body.message).toMatch(message);
    expect(h.store.calls).toEqual([]);
  });

  it('404 names an unknown site before looking at the query', async () => {
    const h = await harness();
    const res = await h.app.inject({ url: '/api/sites/le-havre/series?device=tgbt&quantity=power_w' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ field: 'site', message: 'unknown site "le-havre"' });
  });
});
