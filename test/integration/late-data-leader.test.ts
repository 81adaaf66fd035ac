/**
 * Issue 9: late data stored by a follower reaches the leader's rules. Two whole services (in this
 * process, on clocks the test moves) share InfluxDB and PostgreSQL, each with its own embedded
 * broker: what the follower stores, only the follower's own `readingsStored` hears. A late reading
 * it stores completes a CO2 episode the leader has already judged; the leader takes the mark
 * (src/cluster/late-marks.ts) at its next cycle, judges the window again, and opens one alert.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { LateMarks } from '../../src/cluster/late-marks.js';
import { EventBus } from '../../src/events/event-bus.js';
import type { Reading } from '../../src/model/reading.js';
import { createLogger } from '../../src/observability/logger.js';
import { PgStateStore } from '../../src/storage/state/pg-state-store.js';
import { CO2_RULE, ClockedService, MIN } from '../helpers/rules-service.js';
import { startInfluxd, type InfluxdHandle } from '../helpers/influxd.js';
import { waitUntil } from '../helpers/mqtt.js';
import { startPostgres, type PostgresHandle } from '../helpers/postgres.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

describe('late data on a follower, judged by the leader', () => {
  let server: PostgresHandle | null = null;
  let influxd: InfluxdHandle | null = null;
  let db: pg.Client | null = null;
  const dirs: TempDir[] = [];
  const services: ClockedService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    await db?.end();
    await influxd?.stop();
    await server?.stop();
    for (const d of dirs) await d.remove();
  });

  it('the follower marks it in PostgreSQL, the leader opens the alert once and clears the mark', async () => {
    server = await startPostgres();
    const databaseUrl = await server.createDatabase('late_data');
    influxd = await startInfluxd();
    const T0 = Math.floor(Date.now() / MIN) * MIN - 4 * 24 * 60 * MIN;
    const make = async (instanceId: string) => {
      const dir = await createTempDir(`sbe-late-${instanceId}-`);
      dirs.push(dir);
      const svc = new ClockedService({ dataDir: dir.path, startMs: T0, rules: [CO2_RULE], databaseUrl, instanceId, influxUrl: influxd!.url });
      services.push(svc);
      return { svc, service: await svc.start() };
    };
    const leader = await make('leader');
    await waitUntil(() => leader.service.lease!.isLeader(), 30_000, 'the first instance leads');
    const follower = await make('follower');
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const marks = async () => (await db!.query('SELECT site, device, quantity, earliest_ms FROM late_readings')).rows as Array<Record<string, unknown>>;

    // Above 1,500 ppm from minute 0 to 14: 14 minutes, pending (the rule wants 15). Judged up to 25.
    await leader.svc.minutes(T0, 0, 14, () => 1800);
    leader.svc.nowMs = T0 + 25 * MIN;
    await leader.service.scheduler.run('minute');
    expect(await leader.service.state.read.alerts({})).toEqual([]);
    expect(follower.service.lease!.isLeader()).toBe(false);

    // A gateway's buffer reaches the follower: minutes 15 and 16, still above, ten minutes late.
    follower.svc.nowMs = T0 + 26 * MIN;
    await follower.svc.publish(T0 + 15 * MIN, 1800);
    await follower.svc.publish(T0 + 16 * MIN, 1900);
    await waitUntil(async () => (await marks()).length > 0, 20_000, 'the late mark in PostgreSQL');
    expect(await marks()).toEqual([{ site: 'site-a', device: 'salle', quantity: 'co2_ppm', earliest_ms: String(T0 + 15 * MIN) }]);

    leader.svc.nowMs = T0 + 27 * MIN;
    await leader.service.scheduler.run('minute');
    const alerts = await leader.service.state.read.alerts({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'open', startMs: T0, site: 'site-a', device: 'salle' });
    expect(await marks()).toEqual([]);

    // Later cycles (the leader's and a replay of the same mark) keep it one alert.
    leader.svc.nowMs = T0 + 28 * MIN;
    await leader.service.scheduler.run('minute');
    await db.query("INSERT INTO late_readings (site, device, quantity, earliest_ms) VALUES ('site-a', 'salle', 'co2_ppm', $1)", [T0 + 15 * MIN]);
    leader.svc.nowMs = T0 + 29 * MIN;
    await leader.service.scheduler.run('minute');
    expect(await leader.service.state.read.alerts({})).toMatchObject([{ state: 'open', startMs: T0 }]);
    expect(await marks()).toEqual([]);
  }, 240_000);

  it('a reading the follower stores in time, just after the leader read the store, is judged too (through the live relay)', async () => {
    const databaseUrl = await server!.createDatabase('in_time_follower');
    // Two days before the first case's readings: the same series in the same InfluxDB.
    const T1 = Math.floor(Date.now() / MIN) * MIN - 6 * 24 * 60 * MIN;
    const make = async (instanceId: string) => {
      const dir = await createTempDir(`sbe-intime-${instanceId}-`);
      dirs.push(dir);
      const svc = new ClockedService({ dataDir: dir.path, startMs: T1, rules: [CO2_RULE], databaseUrl, instanceId, influxUrl: influxd!.url, shareGroup: 'sbe' });
      services.push(svc);
      return { svc, service: await svc.start() };
    };
    const leader = await make('leader2');
    await waitUntil(() => leader.service.lease!.isLeader(), 30_000, 'the first instance leads');
    const follower = await make('follower2');
    await waitUntil(() => leader.service.liveRelay!.isListening() && follower.service.liveRelay!.isListening(), 20_000, 'both relays listening');

    await leader.svc.minutes(T1, 0, 14, () => 1800);
    // A cycle at 15:10 reads the store up to 15:10 (judging to 14:55): 14 min above, pending.
    leader.svc.nowMs = T1 + 15 * MIN + 10_000;
    await leader.service.scheduler.run('minute');
    expect(await leader.service.state.read.alerts({})).toEqual([]);
    // The follower then stores a reading of 15:08, seven seconds old: in time, so not marked late.
    follower.svc.nowMs = T1 + 15 * MIN + 15_000;
    const received = leader.service.liveRelay!.counts.received;
    await follower.svc.publish(T1 + 15 * MIN + 8_000, 1800);
    await waitUntil(() => leader.service.liveRelay!.counts.received > received, 20_000, 'the leader told of the follower\'s reading');
    leader.svc.nowMs = T1 + 15 * MIN + 40_000;
    await leader.service.scheduler.run('minute');
    expect(await leader.service.state.read.alerts({})).toMatchObject([{ state: 'open', startMs: T1 }]);
    const db2 = new pg.Client({ connectionString: databaseUrl });
    await db2.connect();
    expect((await db2.query('SELECT count(*)::int AS n FROM late_readings')).rows).toEqual([{ n: 0 }]);
    await db2.end();
  }, 240_000);

  it('marks only readings older than the settle delay, and keeps a mark moved earlier while the leader judged', async () => {
    const databaseUrl = await server!.createDatabase('late_marks_unit');
    // The state store's start migrates the schema; then the marks alone, on their own bus and clock.
    const state = new PgStateStore({ connectionString: databaseUrl });
    await state.start();
    await state.stop();
    const NOW = Date.UTC(2026, 11, 1, 12);
    const bus = new EventBus();
    const lm = new LateMarks({ connectionString: databaseUrl, events: bus, now: () => NOW, logger: createLogger('silent'), flushEveryMs: 3_600_000 });
    await lm.start();
    const co2 = (tsMs: number): Reading => ({ site: 'site-a', device: 'salle', quantity: 'co2_ppm', tsMs, value: 900 });
    try {
      bus.emit('readingsStored', { readings: [co2(NOW - 1_000), co2(NOW - 60_000), co2(NOW - 30_000)] });
      bus.emit('readingsStored', { readings: [{ ...co2(NOW - 2_000), device: 'other' }] });
      await lm.flush();
      const taken = await lm.take();
      expect(taken.readings).toEqual([{ ...co2(NOW - 60_000), value: Number.NaN }]);
      // While the leader judges, another instance stores earlier still: that mark survives `done`.
      bus.emit('readingsStored', { readings: [co2(NOW - 120_000)] });
      await lm.flush();
      await taken.done();
      expect((await lm.take()).readings.map((r) => r.tsMs)).toEqual([NOW - 120_000]);
      const again = await lm.take();
      await again.done();
      expect((await lm.take()).readings).toEqual([]);
    } finally {
      await lm.stop();
    }
  });
});
