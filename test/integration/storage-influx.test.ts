import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../src/model/reading.js';
import { StoreRejectedError, StoreUnavailableError } from '../../src/storage/errors.js';
import { InfluxStore } from '../../src/storage/influx/influx-store.js';
import { InfluxqlValueError, quoteString } from '../../src/storage/influx/influxql.js';
import type { InfluxStoreOptions } from '../../src/storage/influx/options.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { describeStorageContract } from '../storage/contract.js';

/**
 * The InfluxDB store against Debian's influxd 1.6.7 on random loopback ports:
 * the shared storage contract, then what only InfluxDB does (retention, outages, auth).
 */
const HOUR_MS = 3_600_000;
const T0 = Date.parse('2026-05-10T00:00:00.000Z');

describeStorageContract('influxdb', async () => {
  const influxd = await startInfluxd();
  const open = async () => {
    const store = new InfluxStore({ url: influxd.url, database: 'contract', retention: 'INF' });
    await store.start();
    return store;
  };
  let store = await open();
  return {
    store,
    // A real server restart (SIGTERM, then the same data dir), not only a new client.
    restart: async () => {
      await store.stop();
      await influxd.restart();
      store = await open();
      return store;
    },
    cleanup: async () => {
      await store.stop();
      await influxd.stop();
    },
  };
});

/** Raw InfluxQL, to look at the server without going through the adapter. */
async function influxql(url: string, q: string, db?: string, auth?: string): Promise<{ results: { series?: { values: unknown[][] }[]; error?: string }[] }> {
  const params = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
  const res = await fetch(`${url}/query`, { method: 'POST', body: params, headers: auth ? { authorization: auth } : {} });
  return (await res.json()) as { results: { series?: { values: unknown[][] }[]; error?: string }[] };
}

const databases = async (url: string, auth?: string) => ((await influxql(url, 'SHOW DATABASES', undefined, auth)).results[0]?.series?.[0]?.values ?? []).map((row) => row[0]);

const r = (site: string, device: string, tsMs: number, value: number): Reading => ({ site, device, quantity: 'power_w', tsMs, value });

async function rejection(promise: Promise<unknown>): Promise<StoreRejectedError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreRejectedError);
  return err as StoreRejectedError;
}

describe('influx store on its own influxd', () => {
  let influxd: InfluxdHandle;
  const stores: InfluxStore[] = [];
  const open = async (options: Partial<InfluxStoreOptions> = {}) => {
    const store = new InfluxStore({ url: influxd.url, database: 'energy', retention: 'INF', ...options });
    stores.push(store);
    await store.start();
    return store;
  };

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    for (const store of stores) await store.stop();
    await influxd?.stop();
  });

  it('creates the database on start, and starting again changes nothing', async () => {
    expect(await databases(influxd.url)).not.toContain('fresh_db');
    const store = await open({ database: 'fresh_db' });
    expect(await databases(influxd.url)).toContain('fresh_db');
    await store.write([r('s', 'd', T0, 1)]);
    await store.start();
    expect(await store.count()).toBe(1);
  });

  it('a database dropped under it: the next write is unavailable (spooled), the one after creates it again', async () => {
    const store = await open({ database: 'dropped_db', retention: '30d' });
    await store.write([r('s', 'd', Date.now() - 60_000, 1)]);
    expect((await influxql(influxd.url, 'DROP DATABASE "dropped_db"')).results[0]?.error).toBeUndefined();
    const err = await store.write([r('s', 'd', Date.now() - 30_000, 2)]).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    await store.write([r('s', 'd', Date.now() - 30_000, 2)]);
    expect(await databases(influxd.url)).toContain('dropped_db');
    const policies = await influxql(influxd.url, 'SHOW RETENTION POLICIES ON "dropped_db"');
    expect(policies.results[0]?.series?.[0]?.values.map((row) => row[0])).toContain('sbe_readings');
    expect(await store.count({ site: 's' })).toBe(1);
  });

  it('writes to a named retention policy; points beyond it are rejected with their count while the others land', async () => {
    const store = await open({ database: 'retention_db', retention: '1h' });
    const policies = await influxql(influxd.url, 'SHOW RETENTION POLICIES ON "retention_db"');
    expect(policies.results[0]?.series?.[0]?.values).toContainEqual(['sbe_readings', '1h0m0s', '1h0m0s', 1, false]);
    const now = Date.now();
    const batch = [r('s', 'd', now - 3 * HOUR_MS, 1), r('s', 'd', now - 60_000, 2), r('s', 'd', now - 2 * HOUR_MS, 3), r('s', 'd', now, 4)];
    const err = await rejection(store.write(batch));
    expect(err.rejectedCount).toBe(2);
    expect(err.message).toContain('points beyond retention policy');
    expect((await store.readings({ site: 's', device: 'd', quantity: 'power_w', fromMs: now - 4 * HOUR_MS, toMs: now + 1 })).map((x) => x.value)).toEqual([2, 4]);
    // A new duration alters the same policy: data stays where queries look.
    const longer = await open({ database: 'retention_db', retention: '2h' });
    const altered = await influxql(influxd.url, 'SHOW RETENTION POLICIES ON "retention_db"');
    expect(altered.results[0]?.series?.[0]?.values).toContainEqual(['sbe_readings', '2h0m0s', '1h0m0s', 1, false]);
    expect(await longer.count({ site: 's' })).toBe(2);
  });

  it('pages through a year of hourly readings and buckets it by local day and by minute', async () => {
    const store = await open({ database: 'year_db', queryPageSize: 1_000 });
    const from = Date.parse('2025-12-31T23:00:00Z'); // 2026-01-01 00:00 in Paris
    const to = Date.parse('2026-12-31T23:00:00Z');
    const year = Array.from({ length: (to - from) / HOUR_MS }, (_, i) => ({ ...r('year', 'm', from + i * HOUR_MS, i * 0.25), quantity: 'energy_kwh' as const }));
    expect(year).toHaveLength(8760);
    await store.write(year);
    const sel = { site: 'year', device: 'm', quantity: 'energy_kwh' as const, fromMs: from, toMs: to };
    const got = await store.readings(sel);
    expect(got).toHaveLength(8760);
    expect(got.every((x, i) => x.tsMs === year[i]!.tsMs && x.value === year[i]!.value)).toBe(true);
    // the whole site in one call: the series fills its first page, the rest is paged on
    const whole = await store.siteReadings({ site: 'year', fromMs: from, toMs: to });
    expect(whole).toHaveLength(8760);
    expect(whole.every((x, i) => x.tsMs === year[i]!.tsMs && x.value === year[i]!.value && x.device === 'm')).toBe(true);
    const days = await store.buckets({ ...sel, every: '1d', timezone: 'Europe/Paris' });
    expect(days).toHaveLength(365);
    expect(days[0]!.startMs).toBe(from);
    const hoursPerDay = days.map((d) => d.count);
    expect(hoursPerDay.filter((h) => h === 23)).toHaveLength(1);
    expect(hoursPerDay.filter((h) => h === 25)).toHaveLength(1);
    expect(days.find((d) => d.count === 23)!.startMs).toBe(Date.parse('2026-03-28T23:00:00Z'));
    // 1m buckets over a year: many windowed queries; every reading counted once.
    const minutes = await store.buckets({ ...sel, every: '1m', timezone: 'Europe/Paris' });
    expect(minutes).toHaveLength(8760);
    expect(minutes.map((b) => b.startMs)).toEqual(year.map((x) => x.tsMs));
  });

  describe('hostile site and device strings', () => {
    const hostile = ["' OR 1=1 --", '"; DROP DATABASE energy', 'O\'Brien "the" \\ back\\slash', 'semi;colon, comma = equals', 'literal \\n not a newline', ' spaced ', 'Cléon ☃'];
    let store: InfluxStore;

    beforeAll(async () => {
      store = await open();
      await store.write([r('victim', 'meter', T0, 42), r('victim', 'meter', T0 + 1, 43)]);
    });

    it('stores and queries them verbatim, leaving the database and other series alone', async () => {
      await store.write(hostile.flatMap((site, i) => hostile.map((device, j) => r(site, device, T0 + j, i * 100 + j))));
      for (const [i, site] of hostile.entries()) {
        expect(await store.count({ site })).toBe(hostile.length);
        expect((await store.latest(site)).map((l) => l.device).sort()).toEqual([...hostile].sort());
        for (const [j, device] of hostile.entries()) {
          const sel = { site, device, quantity: 'power_w' as const, fromMs: T0, toMs: T0 + HOUR_MS };
          expect(await store.readings(sel)).toEqual([{ ...r(site, device, T0 + j, i * 100 + j), tsFromServer: false }]);
          expect((await store.buckets({ ...sel, every: '1h', timezone: 'UTC' })).map((b) => b.last)).toEqual([i * 100 + j]);
          expect((await store.readingAtOrBefore({ site, device, quantity: 'power_w', atMs: T0 + HOUR_MS }))?.value).toBe(i * 100 + j);
        }
      }
      expect(await databases(influxd.url)).toContain('energy');
      expect(await store.readings({ site: 'victim', device: 'meter', quantity: 'power_w', fromMs: T0, toMs: T0 + 2 })).toEqual([
        { ...r('victim', 'meter', T0, 42), tsFromServer: false },
        { ...r('victim', 'meter', T0 + 1, 43), tsFromServer: false },
      ]);
      expect(await store.count()).toBe(2 + hostile.length ** 2);
    });

    it('matches nothing with injection attempts that were never written', async () => {
      for (const site of ["x' OR site =~ /.*/ --", "victim' OR '1'='1", 'victim\\', "victim\\' OR 1=1 --", 'victim\n', '\r\u0000victim']) {
        expect(await store.count({ site })).toBe(0);
        expect(await store.latest(site)).toEqual([]);
        expect(await store.readings({ site, device: 'meter', quantity: 'power_w', fromMs: 0, toMs: T0 + HOUR_MS })).toEqual([]);
      }
      expect(await store.count({ site: 'victim' })).toBe(2);
    });

    it('refuses strings InfluxDB cannot keep verbatim, naming them, and writes the rest', async () => {
      const bad = [r('multi\nline', 'd', T0, 1), r('s', 'trailing\\', T0, 2), r('s', 'tab\there', T0, 3), r('', 'd', T0, 4)];
      const good = r('fine-site', 'd', T0, 5);
      const err = await rejection(store.write([bad[0]!, good, ...bad.slice(1)]));
      expect(err.rejectedCount).toBe(4);
      expect(err.rejected).toEqual(bad);
      expect(await store.count({ site: 'fine-site' })).toBe(1);
    });

    it('refuses a time zone that is not an IANA name before it reaches InfluxQL', async () => {
      const sel = { site: 'victim', device: 'meter', quantity: 'power_w' as const, fromMs: T0, toMs: T0 + HOUR_MS, every: '1d' as const };
      await expect(store.buckets({ ...sel, timezone: "Europe/Paris'); DROP DATABASE \"energy\" --" })).rejects.toBeInstanceOf(InfluxqlValueError);
      await expect(store.buckets({ ...sel, timezone: 'Mars/Olympus_Mons' })).rejects.toBeInstanceOf(InfluxqlValueError);
      expect(await databases(influxd.url)).toContain('energy');
    });
  });
});

describe('influx store through influxd outages', () => {
  const TIMEOUT_MS = 1_000;
  let influxd: InfluxdHandle;
  let store: InfluxStore;

  beforeAll(async () => {
    influxd = await startInfluxd();
    store = new InfluxStore({ url: influxd.url, database: 'energy', retention: 'INF', requestTimeoutMs: TIMEOUT_MS });
    await store.start();
  });
  afterAll(async () => {
    await store?.stop();
    await influxd?.stop();
  });

  const batchOf = (site: string, n: number, startMs: number) => Array.from({ length: n }, (_, i) => r(site, 'd', startMs + i, i * 0.5));

  it('kill -9: write() fails fast as unavailable, health says so, and works again after restart with acknowledged data kept', async () => {
    await store.write(batchOf('before', 1_000, T0));
    await influxd.kill9();
    const started = Date.now();
    const err = await store.write(batchOf('during', 10, T0)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
    expect((await store.health()).ok).toBe(false);
    await influxd.restart();
    await store.write(batchOf('after', 10, T0));
    expect(await store.count({ site: 'before' })).toBe(1_000);
    expect(await store.count({ site: 'after' })).toBe(10);
    expect((await store.health()).ok).toBe(true);
  });

  it('down when the service starts: start() fails, and the first write once it is up creates the database and its retention policy', async () => {
    await influxd.kill9();
    const late = new InfluxStore({ url: influxd.url, database: 'created_late', retention: '30d', requestTimeoutMs: TIMEOUT_MS });
    await expect(late.start()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(late.write(batchOf('late', 5, Date.now() - 60_000))).rejects.toBeInstanceOf(StoreUnavailableError);
    await influxd.restart();
    await late.write(batchOf('late', 5, Date.now() - 60_000));
    expect(await databases(influxd.url)).toContain('created_late');
    const policies = await influxql(influxd.url, 'SHOW RETENTION POLICIES ON "created_late"');
    expect(policies.results[0]?.series?.[0]?.values.map((row) => row[0])).toContain('sbe_readings');
    expect(await late.count({ site: 'late' })).toBe(5);
    await late.stop();
  });

  it('kill -9 in the middle of a load loses no acknowledged batch', async () => {
    const site = 'load';
    let acknowledged = 0;
    let failure: unknown = null;
    for (let i = 0; failure === null && i < 10_000; i += 1) {
      // The kill is not awaited: it lands while later batches are in flight.
      if (acknowledged === 20) void influxd.kill9();
      try {
        await store.write(batchOf(site, 500, T0 + i * 500));
        acknowledged += 1;
      } catch (err) {
        failure = err;
      }
    }
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(acknowledged).toBeGreaterThanOrEqual(20);
    await influxd.restart();
    // influxd fsyncs its WAL before answering 204 (`[data] wal-fsync-delay = "0s"`, the default).
    // Every acknowledged batch is whole (batch i holds timestamps T0 + i*500 ...).
    const stored = await store.readings({ site, device: 'd', quantity: 'power_w', fromMs: T0, toMs: T0 + acknowledged * 500 });
    expect(stored).toHaveLength(acknowledged * 500);
  });

  it('a frozen server (SIGSTOP) makes write() time out within the request timeout', async () => {
    const pid = influxd.pid();
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGSTOP');
    try {
      const started = Date.now();
      const err = await store.write(batchOf('frozen', 10, T0)).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as Error).message).toMatch(/timed out after 1000 ms/);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1_000);
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    await store.write(batchOf('thawed', 10, T0));
    expect(await store.count({ site: 'thawed' })).toBe(10);
  });
});

describe('influx store with authentication enabled', () => {
  const ADMIN_PASSWORD = `adm'in:"pw\\`;
  let influxd: InfluxdHandle;
  const stores: InfluxStore[] = [];
  const open = async (options: Partial<InfluxStoreOptions>) => {
    const store = new InfluxStore({ url: influxd.url, database: 'energy', retention: 'INF', ...options });
    stores.push(store);
    await store.start();
    return store;
  };
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    influxd = await startInfluxd({ auth: true });
    // InfluxDB lets the first user be created without credentials, and only an admin.
    const created = await influxql(influxd.url, `CREATE USER "admin" WITH PASSWORD ${quoteString(ADMIN_PASSWORD)} WITH ALL PRIVILEGES`);
    expect(created.results[0]?.error).toBeUndefined();
  });
  afterAll(async () => {
    for (const store of stores) await store.stop();
    await influxd?.stop();
  });

  it('an admin user creates the database and writes', async () => {
    const store = await open({ username: 'admin', password: ADMIN_PASSWORD });
    expect(await databases(influxd.url, basic('admin', ADMIN_PASSWORD))).toContain('energy');
    await store.write([r('auth', 'd', T0, 1)]);
    expect(await store.count({ site: 'auth' })).toBe(1);
  });

  it('a non-admin user with ALL on the database works once the database exists', async () => {
    const admin = basic('admin', ADMIN_PASSWORD);
    for (const q of [`CREATE USER "sbe" WITH PASSWORD 'sbe-pw'`, 'GRANT ALL ON "energy" TO "sbe"']) {
      expect((await influxql(influxd.url, q, undefined, admin)).results[0]?.error).toBeUndefined();
    }
    const store = await open({ username: 'sbe', password: 'sbe-pw' });
    await store.write([r('auth', 'd', T0 + 1, 2)]);
    expect(await store.count({ site: 'auth' })).toBe(2);
  });

  it('a wrong password or no credentials is "unavailable" (retry once fixed), never a rejection of the readings', async () => {
    await expect(open({ username: 'admin', password: 'wrong' })).rejects.toBeInstanceOf(StoreUnavailableError);
    const anonymous = new InfluxStore({ url: influxd.url, database: 'energy', retention: 'INF' });
    await expect(anonymous.write([r('auth', 'd', T0 + 2, 3)])).rejects.toThrow(/HTTP 401/);
    await expect(anonymous.count()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
