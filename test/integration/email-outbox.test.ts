import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { alertMails, createMailComposer } from '../../src/alerts/email/notifier.js';
import { OutboxSender } from '../../src/alerts/email/outbox-sender.js';
import { recipientSchema } from '../../src/alerts/email/recipients.js';
import type { NewAlert } from '../../src/alerts/state-port.js';
import { SqliteStateStore } from '../../src/storage/state/sqlite-state-store.js';
import { createTestSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';
import { createTempDir, type TempDir } from '../helpers/tmp.js';

const T0 = Date.UTC(2026, 10, 23, 9, 15);
const SITE = { id: 'cleon-bureaux', name: 'Bureaux – Cléon', timezone: 'Europe/Paris', devices: [{ id: 'tgbt', name: 'TGBT principal' }] };
const composer = createMailComposer({ publicUrl: 'https://energie.example.fr' });

const newAlert: NewAlert = {
  site: 'cleon-bureaux', device: 'tgbt', rule: 'hors-horaires', ruleType: 'out-of-hours', quantity: 'energy_kwh', severity: 'critical',
  startMs: T0, openedMs: T0 + 1_800_000, updatedMs: T0 + 1_800_000, measured: 1234.5, expected: 800, unit: 'kWh', summary: 'hors horaires',
};

/**
 * The outbox end to end: the notifier's mails enqueued in the transaction that opens the alert
 * (the real SQLite store, on disk), sent by nodemailer to a real smtp-server on loopback.
 */
describe('e-mail outbox over SQLite and a real SMTP server', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(smtp: TestSmtpServer, smtpUrl: string) {
    const dir: TempDir = await createTempDir('sbe-email-');
    let store = new SqliteStateStore({ dataDir: dir.path });
    await store.start();
    let nowMs = T0 + 1_800_000;
    const logLines: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) }));
    const makeSender = () =>
      new OutboxSender({ store, smtpUrl, from: 'alertes@energie.example.fr', logger, now: () => nowMs, random: () => 0.5, pollIntervalMs: 3_600_000 });
    let sender = makeSender();
    cleanups.push(async () => {
      await sender.stop();
      await store.stop();
      await smtp.close();
      await dir.remove();
    });
    const openAlert = () =>
      store.transaction(async (tx) => {
        const alert = await tx.insertAlert(newAlert);
        const { mails } = alertMails(composer, {
          alert, transition: 'opened', site: SITE, silences: [], nowMs,
          recipients: [recipientSchema.parse({ email: 'gestion@cleon.example.fr' })],
        });
        for (const m of mails) await tx.enqueueMail(m);
        return mails.map((m) => m.messageId);
      });
    return {
      get store() { return store; },
      get sender() { return sender; },
      logLines,
      openAlert,
      advance: (ms: number) => (nowMs += ms),
      /** Closes and reopens the store file, with a new sender, as a restart would. */
      restart: async () => {
        await sender.stop();
        await store.stop();
        store = new SqliteStateStore({ dataDir: dir.path });
        await store.start();
        sender = makeSender();
        await sender.start();
      },
    };
  }

  it('keeps a mail through an SMTP outage and a restart, then delivers it exactly once', async () => {
    const smtp = await createTestSmtpServer();
    const env = await setup(smtp, `smtp://127.0.0.1:${smtp.port}`);
    const [messageId] = await env.openAlert();
    await env.sender.start();

    // Server down: nothing listens on the port.
    await env.sender.pass();
    const failed = (await env.store.read.mail(messageId!))!;
    expect(failed).toMatchObject({ attempts: 1, sentMs: null });
    expect(failed.lastError).toMatch(/ECONNREFUSED|connect/i);
    expect(env.sender.status()).toMatchObject({ outboxDepth: 1, lastSuccessMs: null });
    expect(env.sender.status().lastError).toMatch(/ECONNREFUSED|connect/i);

    // The row survives closing and reopening the store file.
    await env.restart();
    expect(await env.store.read.mail(messageId!)).toMatchObject({ attempts: 1, sentMs: null, nextAttemptMs: failed.nextAttemptMs });

    // Server back, but answering 451 (greylisting) once: a second failure, 60 s backoff.
    await smtp.listen();
    smtp.refuseNext(1, 451, '4.7.1 Greylisted, try again later');
    env.advance(30_000);
    await env.sender.pass();
    expect(await env.store.read.mail(messageId!)).toMatchObject({ attempts: 2, sentMs: null });
    expect(env.sender.status().lastError).toBe('smtp-reply-451');
    expect(smtp.received).toHaveLength(0);

    env.advance(60_000);
    // A pass asked for runs after any pass in flight (the start-up kick), so what it leaves is checked, not which pass sent it.
    await env.sender.pass();
    expect(smtp.received).toHaveLength(1);
    env.advance(3_600_000);
    await env.sender.pass();
    env.sender.kick();
    await env.sender.pass();

    expect(smtp.received).toHaveLength(1);
    const [delivered] = smtp.received;
    expect(delivered!.messageId).toBe(messageId);
    expect(delivered!.to).toEqual(['gestion@cleon.example.fr']);
    expect(delivered!.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
    expect(delivered!.raw).toMatch(/^Subject: .*Critique/m);
    expect(await env.store.read.mail(messageId!)).toMatchObject({ sentMs: expect.any(Number), attempts: 3 });
    expect(env.sender.status()).toMatchObject({ outboxDepth: 0 });

    // The same transition replayed (a retried transaction) enqueues nothing new.
    const again = await env.store.transaction(async (tx) => {
      const alert = (await tx.activeAlert(newAlert))!;
      const { mails } = alertMails(composer, { alert, transition: 'opened', site: SITE, silences: [], nowMs: T0, recipients: [recipientSchema.parse({ email: 'gestion@cleon.example.fr' })] });
      return tx.enqueueMail(mails[0]!);
    });
    expect(again).toBe(false);
  });

  it('reports a 535 authentication failure in its status and logs, never the password', async () => {
    const password = 'Tr0ub4dor&3-s3cret';
    const smtp = await createTestSmtpServer({ auth: { user: 'alerts', pass: 'the-right-one' } });
    await smtp.listen();
    const env = await setup(smtp, `smtp://alerts:${encodeURIComponent(password)}@127.0.0.1:${smtp.port}`);
    const [messageId] = await env.openAlert();
    await env.sender.start();
    await env.sender.pass();

    const status = env.sender.status();
    expect(status.lastError).toBe('smtp-reply-535');
    expect(status.endpoint).toBe(`smtp://alerts:***@127.0.0.1:${smtp.port}`);
    const row = (await env.store.read.mail(messageId!))!;
    expect(row.lastError).toContain('535');
    expect(row.sentMs).toBeNull();
    const everything = [JSON.stringify(status), row.lastError, ...env.logLines].join('\n');
    for (const form of [password, encodeURIComponent(password), Buffer.from(`\u0000alerts\u0000${password}`).toString('base64')]) {
      expect(everything).not.toContain(form);
    }
    expect(env.logLines.join('')).toContain('smtp://alerts:***@127.0.0.1');
    expect(smtp.received).toHaveLength(0);
  });
});
