import { afterAll, describe, expect, it } from 'vitest';
import { CO2_RULE, ClockedService, MIN, RECIPIENT } from '../helpers/rules-service.js';
import { waitUntil } from '../helpers/mqtt.js';
import { startPostgres, type PostgresHandle } from '../helpers/postgres.js';
import { createTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Two whole services (in this process, on a clock the test moves) on one PostgreSQL state store
 * with a real SMTP server: one leader opens the alert and sends its one e-mail; the other is
 * refused as a writer of alerts; when the leader stops, the other takes over.
 */
describe('two services on PostgreSQL, one leader', () => {
  let pg: PostgresHandle | null = null;
  let smtp: TestSmtpServer | null = null;
  const dirs: TempDir[] = [];
  const services: ClockedService[] = [];
  afterAll(async () => {
    for (const s of services) await s.stop();
    await smtp?.close();
    await pg?.stop();
    for (const d of dirs) await d.remove();
  });

  it('one alert and one e-mail per condition, and the follower takes over when the leader stops', async () => {
    pg = await startPostgres();
    const databaseUrl = await pg.createDatabase('service_leader');
    smtp = await createTestSmtpServer();
    await smtp.listen();
    const T0 = Math.floor(Date.now() / MIN) * MIN - 4 * 24 * 60 * MIN;
    const make = async (instanceId: string) => {
      const dir = await createTempDir(`sbe-pg-service-${instanceId}-`);
      dirs.push(dir);
      const svc = new ClockedService({ dataDir: dir.path, startMs: T0, rules: [{ ...CO2_RULE, cooldown: '1h' }], smtpUrl: `smtp://127.0.0.1:${smtp!.port}`, databaseUrl, instanceId });
      services.push(svc);
      return { svc, service: await svc.start() };
    };
    const a = await make('a');
    expect(a.service.state.kind).toBe('postgres');
    await waitUntil(() => a.service.lease!.isLeader(), 30_000, 'a leads');
    const b = await make('b');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(b.service.lease!.isLeader()).toBe(false);

    await a.svc.minutes(T0, 0, 16, () => 1800);
    const alerts = await a.service.state.read.alerts({});
    expect(alerts).toHaveLength(1);
    await a.service.mail.pass();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual([RECIPIENT]);

    // The follower sees the same readings condition (its own store here) but may not write alerts.
    await b.svc.minutes(T0, 0, 16, () => 1800);
    expect(await b.service.state.read.alerts({})).toHaveLength(1);
    await b.service.mail.pass();
    expect(smtp.received).toHaveLength(1);

    // The leader stops (an upgrade): it hands the lease over, the follower takes it at its next attempt.
    const stoppedAt = performance.now();
    await a.svc.stop();
    await waitUntil(() => b.service.lease!.isLeader(), 30_000, 'b takes over');
    console.log(`leader handover after a clean stop: ${Math.round(performance.now() - stoppedAt)} ms`);
    await b.svc.minutes(T0, 17, 20, () => 1800);
    await b.service.mail.pass();
    expect(await b.service.state.read.alerts({})).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
    // Nothing waits in the outbox: the one mail was recorded as sent, by the leader that sent it.
    expect((await b.service.state.read.outboxDepth())).toBe(0);
  });
});
