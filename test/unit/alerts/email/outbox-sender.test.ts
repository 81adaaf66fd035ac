import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ATTEMPTS_AT_MAX_BACKOFF, retryDelayMs } from '../../../../src/alerts/email/backoff.js';
import { OutboxSender, smtpErrorCode } from '../../../../src/alerts/email/outbox-sender.js';
import type { MailTransport, OutgoingMail } from '../../../../src/alerts/email/transport.js';
import type { NewMail } from '../../../../src/alerts/state-port.js';
import { createMetrics } from '../../../../src/observability/metrics.js';
import { SqliteStateStore } from '../../../../src/storage/state/sqlite-state-store.js';

const T0 = Date.UTC(2026, 10, 23, 9, 0);

function mail(n: number, recipient: string, createdMs = T0): NewMail {
  return { messageId: `<m-${n}@test>`, kind: 'alert-opened', alertId: null, recipient, subject: `s${n}`, text: `t${n}`, html: null, createdMs, nextAttemptMs: createdMs };
}

/** A transport that records what it is given and fails while `failing` is set (a narrow fake of the SMTP side). */
function recordingTransport() {
  const sent: OutgoingMail[] = [];
  const t = {
    sent,
    failing: null as Error | null,
    transport: {
      async sendMail(m: OutgoingMail) {
        if (t.failing) throw t.failing;
        sent.push(m);
        return { accepted: [m.to], rejected: [] };
      },
      close() {},
    } satisfies MailTransport,
  };
  return t;
}

describe('backoff schedule', () => {
  it('is 30 s doubling to 30 min, never more, never given up', () => {
    const mid = () => 0.5;
    const delays = Array.from({ length: 10 }, (_, i) => retryDelayMs(i + 1, mid) / 1000);
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1800, 1800, 1800, 1800]);
    expect(retryDelayMs(ATTEMPTS_AT_MAX_BACKOFF, mid)).toBe(1_800_000);
    expect(retryDelayMs(500, mid)).toBe(1_800_000);
  });

  it('spreads each delay by ±20 %', () => {
    expect(retryDelayMs(1, () => 0)).toBe(24_000);
    expect(retryDelayMs(1, () => 1)).toBe(36_000);
    expect(retryDelayMs(9, () => 0.999_999)).toBeLessThanOrEqual(2_160_000);
  });
});

describe('outbox sender (over a fake transport and the real SQLite store in memory)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function setup(opts: { limit?: number } = {}) {
    const store = new SqliteStateStore({ dataDir: ':memory:' });
    await store.start();
    let nowMs = T0;
    const t = recordingTransport();
    const metrics = createMetrics();
    const sender = new OutboxSender({
      store,
      smtpUrl: 'smtp://alerts:hunter2-secret@127.0.0.1:2525',
      from: 'Smart Building <alertes@energie.example.fr>',
      logger: pino({ level: 'silent' }),
      metrics,
      now: () => nowMs,
      random: () => 0.5,
      createTransport: () => t.transport,
      pollIntervalMs: 3_600_000,
      ...(opts.limit !== undefined ? { maxPerRecipientPerHour: opts.limit } : {}),
    });
    cleanups.push(async () => {
      await sender.stop();
      await store.stop();
    });
    const enqueue = (...mails: NewMail[]) => store.transaction(async (tx) => { for (const m of mails) await tx.enqueueMail(m); });
    return { store, sender, t, metrics, enqueue, advance: (ms: number) => (nowMs += ms), now: () => nowMs };
  }

  it('holds mails over the per-recipient hourly limit and sends them once the hour has passed, never dropping one', async () => {
    const { sender, t, store, enqueue, advance } = await setup({ limit: 10 });
    await enqueue(...Array.from({ length: 12 }, (_, i) => mail(i + 1, 'a@example.fr')), mail(100, 'b@example.fr'));
    await sender.start();
    const first = await sender.pass();
    expect(first).toEqual({ sent: 11, failed: 0, rateLimited: 2 });
    expect(t.sent.filter((m) => m.to === 'a@example.fr')).toHaveLength(10);
    expect(t.sent.map((m) => m.to)).toContain('b@example.fr');
    expect(sender.status()).toMatchObject({ outboxDepth: 2, rateLimited: 2 });

    advance(30 * 60_000);
    expect((await sender.pass()).rateLimited).toBe(2);
    advance(30 * 60_000 + 1);
    expect(await sender.pass()).toEqual({ sent: 2, failed: 0, rateLimited: 0 });
    expect(t.sent.map((m) => m.messageId).filter((id) => id === '<m-11@test>' || id === '<m-12@test>')).toEqual(['<m-11@test>', '<m-12@test>']);
    expect(await store.read.outboxDepth()).toBe(0);
  });

  it('retries a failed mail on the backoff schedule, keeps its Message-ID and Date, and marks it sent once', async () => {
    const { sender, t, store, enqueue, advance, metrics } = await setup();
    await enqueue(mail(1, 'a@example.fr'));
    await sender.start();
    t.failing = Object.assign(new Error('Connection refused'), { responseCode: undefined });
    await sender.pass();
    let row = await store.read.mail('<m-1@test>');
    expect(row).toMatchObject({ attempts: 1, sentMs: null, lastError: 'Connection refused', nextAttemptMs: T0 + 30_000 });
    advance(29_999);
    expect((await sender.pass()).failed).toBe(0); // not due yet
    advance(1);
    await sender.pass();
    row = await store.read.mail('<m-1@test>');
    expect(row).toMatchObject({ attempts: 2, nextAttemptMs: T0 + 30_000 + 60_000 });
    expect(sender.status().lastErrorMs).toBe(T0 + 30_000);

    t.failing = null;
    advance(60_000);
    await sender.pass();
    await sender.pass();
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]).toMatchObject({ messageId: '<m-1@test>', date: new Date(T0), from: 'Smart Building <alertes@energie.example.fr>' });
    expect(t.sent[0]!.headers['Auto-Submitted']).toBe('auto-generated');
    expect((await store.read.mail('<m-1@test>'))!.sentMs).toBe(T0 + 90_000);
    expect(sender.status()).toMatchObject({ outboxDepth: 0, lastSuccessMs: T0 + 90_000 });
    expect((await metrics.registry.getSingleMetricAsString('sbe_mail_failed_attempts_total'))).toMatch(/ 2$/m);
    expect((await metrics.registry.getSingleMetricAsString('sbe_mail_sent_total'))).toMatch(/ 1$/m);
  });

  it('says in its status when a mail has failed so often it is retried at the longest interval', async () => {
    const { sender, t, enqueue, advance } = await setup();
    await enqueue(mail(1, 'a@example.fr'));
    await sender.start();
    t.failing = new Error('451 4.3.0 try again later');
    for (let i = 0; i < ATTEMPTS_AT_MAX_BACKOFF; i++) {
      expect(sender.status().mailsAtMaxBackoff).toBe(0);
      await sender.pass();
      advance(1_800_000);
    }
    expect(sender.status()).toMatchObject({ mailsAtMaxBackoff: 1, outboxDepth: 1 });
  });

  it('threads a resolution under its opening (In-Reply-To) and strips the password from the status', async () => {
    const { sender, t, enqueue, advance } = await setup();
    await enqueue({ ...mail(1, 'a@example.fr'), messageId: '<alert-42-resolved-0123456789abcdef@energie.example.fr>', kind: 'alert-resolved' });
    await sender.start();
    t.failing = new Error('auth failed for smtp://alerts:hunter2-secret@127.0.0.1:2525 with hunter2-secret');
    await sender.pass();
    // the status carries a code, never the server's text; the password is nowhere in it
    expect(sender.status().lastError).toBe('smtp-error');
    expect(JSON.stringify(sender.status())).not.toContain('hunter2');
    expect(sender.status().endpoint).toBe('smtp://alerts:***@127.0.0.1:2525');
    t.failing = null;
    advance(30_000);
    await sender.pass();
    expect(t.sent[0]).toMatchObject({ inReplyTo: '<alert-42-opened-0123456789abcdef@energie.example.fr>', references: '<alert-42-opened-0123456789abcdef@energie.example.fr>' });
  });

  it('wakes up when kicked instead of waiting for the next poll', async () => {
    const { sender, t, enqueue } = await setup();
    await sender.start();
    await sender.pass();
    await enqueue(mail(7, 'a@example.fr'));
    sender.kick();
    await expect.poll(() => t.sent.length, { timeout: 2_000, interval: 5 }).toBe(1);
  });

  it('refuses a bad ALERT_EMAIL_FROM or SMTP_URL at start, naming the variable and not echoing a password', async () => {
    const store = new SqliteStateStore({ dataDir: ':memory:' });
    const base = { store, logger: pino({ level: 'silent' }), from: 'alertes@example.fr' };
    await expect(new OutboxSender({ ...base, smtpUrl: undefined, from: 'not an address' }).start()).rejects.toThrow('ALERT_EMAIL_FROM: not an e-mail address: "not an address"');
    await expect(new OutboxSender({ ...base, smtpUrl: 'http://u:pw@host' }).start()).rejects.toThrow('SMTP_URL: scheme must be smtp: or smtps:, not http:');
    const err = await new OutboxSender({ ...base, smtpUrl: 'smtp://u:s3cret@' }).start().catch((e: Error) => e);
    expect(String(err)).toMatch(/^SmtpUrlError: SMTP_URL: /);
    expect(String(err)).not.toContain('s3cret');
  });
});

describe('smtpErrorCode', () => {
  it('names the reply code, or nodemailer’s code and the system error under it, never the text', () => {
    expect(smtpErrorCode(Object.assign(new Error('Invalid login: 535 5.7.8 bad credentials for alerts:secret'), { code: 'EAUTH', responseCode: 535 }))).toBe('smtp-reply-535');
    expect(smtpErrorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' }))).toBe('smtp-esocket-econnrefused');
    expect(smtpErrorCode(Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }))).toBe('smtp-etimedout');
    expect(smtpErrorCode(new Error('auth failed for smtp://alerts:hunter2@host'))).toBe('smtp-error');
    expect(smtpErrorCode('weird')).toBe('smtp-error');
  });
});
