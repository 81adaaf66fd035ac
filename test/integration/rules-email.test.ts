import { afterEach, describe, expect, it } from 'vitest';
import { CO2_RULE, ClockedService, MIN, RECIPIENT } from '../helpers/rules-service.js';
import { createTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Alert e-mail through the whole service (in this process, on a clock the test moves) and a real
 * SMTP server (smtp-server on loopback): what the site manager receives, counted by the server.
 */
describe('alert e-mail through the service and a real SMTP server', () => {
  let dir: TempDir | null = null;
  let svc: ClockedService | null = null;
  let smtp: TestSmtpServer | null = null;
  afterEach(async () => {
    await svc?.stop();
    await smtp?.close();
    await dir?.remove();
  });

  async function setup() {
    dir = await createTempDir('sbe-rules-email-');
    smtp = await createTestSmtpServer();
    const T0 = Math.floor(Date.now() / MIN) * MIN - 4 * 24 * 60 * MIN;
    svc = new ClockedService({ dataDir: dir.path, startMs: T0, rules: [{ ...CO2_RULE, cooldown: '1h' }], smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
    return { T0, service: await svc.start(), smtp, svc };
  }

  it('an SMTP outage during an alert: the e-mail arrives once, after recovery, with its Message-ID', async () => {
    const { T0, service, smtp, svc } = await setup();
    // The server is down (nothing listens) when the alert opens.
    await svc.minutes(T0, 0, 16, () => 1800);
    const [alert] = await service.state.read.alerts({});
    expect(alert).toMatchObject({ state: 'open', startMs: T0 });
    await service.mail.pass();
    const [queued] = await service.state.read.dueMails(Number.MAX_SAFE_INTEGER, 10);
    expect(queued).toMatchObject({ kind: 'alert-opened', recipient: RECIPIENT, alertId: alert!.id, sentMs: null });
    expect(queued!.attempts).toBeGreaterThanOrEqual(1);
    expect(service.mail.status().lastError).toMatch(/ECONNREFUSED|connect/i);

    // Back, but greylisting (451) once: still not delivered, retried later.
    await smtp.listen();
    smtp.refuseNext(1, 451, '4.7.1 Greylisted, try again later');
    svc.nowMs += 5 * MIN;
    await service.mail.pass();
    expect(smtp.received).toHaveLength(0);
    expect(service.mail.status().lastError).toContain('451');

    // Recovery: the next due pass delivers it; more passes, more minutes of the condition: nothing more.
    svc.nowMs += 5 * MIN;
    await service.mail.pass();
    expect(smtp.received).toHaveLength(1);
    await svc.minutes(T0, 30, 60, () => 1900, 5);
    for (let i = 0; i < 3; i += 1) {
      svc.nowMs += 10 * MIN;
      await service.mail.pass();
    }
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual([RECIPIENT]);
    expect(mail!.messageId).toBe(queued!.messageId);
    expect(await service.state.read.mail(queued!.messageId)).toMatchObject({ sentMs: expect.any(Number) });
    expect(await service.state.read.outboxDepth()).toBe(0);
  });

  it('a condition that persists three days: one alert, one e-mail (then one on resolve)', async () => {
    const { T0, service, smtp, svc } = await setup();
    await smtp.listen();
    // a reading every 15 min for three days, with peaks and dips between 1,200 and 1,500 (never clear)
    await svc.minutes(T0, 0, 3 * 24 * 60, (m) => (m % 60 < 40 ? 1600 + (m % 7) * 50 : 1300), 15);
    await service.mail.pass();
    const alerts = await service.state.read.alerts({});
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'open', startMs: T0, flapCount: 0 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toMatch(/^Subject: /m);
    // it ends: one more mail, the resolution, in the same thread
    await svc.minutes(T0, 3 * 24 * 60 + 5, 3 * 24 * 60 + 30, () => 900, 5);
    await service.mail.pass();
    expect(await service.state.read.alerts({})).toMatchObject([{ state: 'resolved' }]);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.raw).toContain(smtp.received[0]!.messageId!);
  }, 240_000);
});
