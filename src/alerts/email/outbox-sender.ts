import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { ServicePart } from '../../parts.js';
import type { OutboxMail } from '../model.js';
import type { StateStore, StateTx } from '../state-port.js';
import { ATTEMPTS_AT_MAX_BACKOFF, retryDelayMs } from './backoff.js';
import { threadParentOf } from './message-id.js';
import { credentialScrubber, parseSmtpUrl, type SmtpEndpoint } from './smtp-url.js';
import { nodemailerTransport, type MailTransport, type OutgoingMail, type TransportFactory } from './transport.js';

export interface OutboxSenderOptions {
  store: Pick<StateStore, 'read' | 'transaction'>;
  /** SMTP_URL; unset: mails stay in the outbox (nothing is lost) and the status says so. */
  smtpUrl: string | undefined;
  /** ALERT_EMAIL_FROM. */
  from: string;
  logger: Logger;
  metrics?: Pick<Metrics, 'mailOutboxDepth' | 'mailSent' | 'mailFailedAttempts' | 'mailRateLimited' | 'mailAtMaxBackoff'>;
  now?: () => number;
  random?: () => number;
  createTransport?: TransportFactory;
  /** How often the outbox is read when nothing kicks the sender, ms (default 15 s). */
  pollIntervalMs?: number;
  /** Mails read per pass (default 100). */
  batchSize?: number;
  /** Per-recipient limit: at most this many mails per recipient per hour (default 10); the excess waits. */
  maxPerRecipientPerHour?: number;
  /**
   * Several instances (issue 9): `store` is the leader's fenced view, and each mail is sent inside
   * its own fenced transaction, so a deposed leader cannot start a send and a new leader cannot
   * take over (hence resend) while one is in flight. Off for the embedded store, whose one
   * connection must not wait on SMTP.
   */
  sendInsideTransaction?: boolean;
}

export interface OutboxStatus {
  configured: boolean;
  /** SMTP_URL with the password masked, or null. */
  endpoint: string | null;
  outboxDepth: number;
  /** The last SMTP failure, credentials removed, and when it happened. */
  lastError: string | null;
  lastErrorMs: number | null;
  lastSuccessMs: number | null;
  /** Mails that failed ATTEMPTS_AT_MAX_BACKOFF times or more: still retried, every 30 min. */
  mailsAtMaxBackoff: number;
  /** Due mails held back by the per-recipient limit in the last pass. */
  rateLimited: number;
}

export interface PassResult {
  sent: number;
  failed: number;
  rateLimited: number;
}

const HOUR_MS = 3_600_000;

/** "Name <a@b>" or "a@b": ALERT_EMAIL_FROM must hold exactly one address. */
const FROM = /^(?:[^<>@\r\n]*<)?[^\s<>@]+@[^\s<>@]+>?$/;

/**
 * Sends the outbox. A mail is marked sent only once the server accepted its recipient, so an
 * outage loses nothing; each failure is stored on the row with its next attempt (backoff.ts).
 * Delivery is at least once: were the process to die between the server's 250 and the store's
 * commit, the mail goes again, with the same Message-ID for the receiver to spot.
 */
export class OutboxSender implements ServicePart {
  readonly name = 'outbox-sender';
  private transport: MailTransport | null = null;
  private endpoint: SmtpEndpoint | null = null;
  private scrub: (text: string) => string = (t) => t;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<PassResult> | null = null;
  private stopped = true;
  /** Accepted by the server but not yet recorded as sent (the store failed): recorded before anything is resent. */
  private readonly acceptedUnrecorded = new Map<number, number>();
  private readonly failing = new Map<number, number>();
  private state: Omit<OutboxStatus, 'configured' | 'endpoint' | 'mailsAtMaxBackoff'> = {
    outboxDepth: 0,
    lastError: null,
    lastErrorMs: null,
    lastSuccessMs: null,
    rateLimited: 0,
  };

  constructor(private readonly options: OutboxSenderOptions) {}

  private get now(): () => number {
    return this.options.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (!FROM.test(this.options.from)) throw new Error(`ALERT_EMAIL_FROM: not an e-mail address: ${JSON.stringify(this.options.from)}`);
    if (this.options.smtpUrl !== undefined) {
      this.endpoint = parseSmtpUrl(this.options.smtpUrl);
      this.scrub = credentialScrubber(this.endpoint);
      this.transport = (this.options.createTransport ?? nodemailerTransport)(this.endpoint);
      this.options.logger.info({ smtp: this.endpoint.masked }, 'alert e-mail: sending through SMTP');
    } else {
      this.options.logger.warn('alert e-mail: SMTP_URL is not set; mails are kept in the outbox until it is');
    }
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.chain;
    this.transport?.close();
    this.transport = null;
  }

  /** A mail was enqueued: send now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), 0);
  }

  status(): OutboxStatus {
    let atMax = 0;
    for (const failures of this.failing.values()) if (failures >= ATTEMPTS_AT_MAX_BACKOFF) atMax++;
    return { configured: this.endpoint !== null, endpoint: this.endpoint?.masked ?? null, mailsAtMaxBackoff: atMax, ...this.state };
  }

  /**
   * One pass over the due mails. Passes never overlap: asked for while one runs, a pass is queued
   * after it (requests made meanwhile share that one), and its result is what the caller gets.
   */
  pass(): Promise<PassResult> {
    if (this.queued) return this.queued;
    const next = this.chain.then(() => {
      this.queued = null;
      return this.runPass();
    });
    this.queued = next;
    this.chain = next.then(
      () => this.schedulePoll(),
      () => this.schedulePoll(),
    );
    return next;
  }

  private schedulePoll(): void {
    if (this.stopped || this.queued) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pass(), this.options.pollIntervalMs ?? 15_000);
  }

  private async runPass(): Promise<PassResult> {
    const result: PassResult = { sent: 0, failed: 0, rateLimited: 0 };
    try {
      await this.recordAccepted();
      if (this.transport) {
        const nowMs = this.now();
        const due = await this.options.store.read.dueMails(nowMs, this.options.batchSize ?? 100);
        const sentLastHour = new Map<string, number>();
        const limit = this.options.maxPerRecipientPerHour ?? 10;
        for (const mail of due) {
          if (this.stopped || !this.transport) break;
          if (this.acceptedUnrecorded.has(mail.id)) continue;
          const key = mail.recipient.toLowerCase();
          const count = sentLastHour.get(key) ?? (await this.options.store.read.sentCount(mail.recipient, nowMs - HOUR_MS));
          sentLastHour.set(key, count);
          if (count >= limit) {
            // Held, not dropped: it stays due and goes once the hour's oldest mail leaves the window.
            result.rateLimited++;
            this.options.metrics?.mailRateLimited.inc();
            continue;
          }
          if (await this.sendOne(mail, this.transport)) {
            result.sent++;
            sentLastHour.set(key, count + 1);
          } else result.failed++;
        }
      }
      this.state.outboxDepth = await this.options.store.read.outboxDepth();
      this.options.metrics?.mailOutboxDepth.set(this.state.outboxDepth);
      this.options.metrics?.mailAtMaxBackoff.set(this.status().mailsAtMaxBackoff);
    } catch (err) {
      this.options.logger.error({ err }, 'alert e-mail: outbox pass failed (the store did not answer)');
    }
    this.state.rateLimited = result.rateLimited;
    return result;
  }

  private outgoing(mail: OutboxMail): OutgoingMail {
    const parent = threadParentOf(mail.messageId);
    return {
      from: this.options.from,
      to: mail.recipient,
      subject: mail.subject,
      text: mail.text,
      ...(mail.html !== null ? { html: mail.html } : {}),
      messageId: mail.messageId,
      date: new Date(mail.createdMs),
      ...(parent ? { inReplyTo: parent, references: parent } : {}),
      headers: {
        // RFC 3834 §5.1: machine-generated, so auto-responders (vacation replies) stay silent.
        'Auto-Submitted': 'auto-generated',
        // Exchange and Outlook ignore Auto-Submitted; this is their equivalent ([MS-OXCMAIL] §2.2.3.2.14).
        'X-Auto-Response-Suppress': 'All',
      },
    };
  }

  /** True when the server accepted the mail. */
  private async sendOne(mail: OutboxMail, transport: MailTransport): Promise<boolean> {
    if (this.options.sendInsideTransaction) return this.sendOneFenced(mail, transport);
    try {
      await this.deliver(mail, transport);
    } catch (err) {
      await this.recordFailure(mail, err);
      return false;
    }
    const sentMs = this.accepted(mail);
    try {
      await this.options.store.transaction((tx) => this.recordSent(tx, mail, sentMs));
    } catch (err) {
      this.unrecorded(mail, sentMs, err);
    }
    return true;
  }

  private async deliver(mail: OutboxMail, transport: MailTransport): Promise<void> {
    const info = await transport.sendMail(this.outgoing(mail));
    const addresses = info.accepted.map((a) => (typeof a === 'string' ? a : a.address).toLowerCase());
    if (!addresses.includes(mail.recipient.toLowerCase())) throw new Error(`recipient not accepted by the server${info.response ? `: ${info.response}` : ''}`);
  }

  private accepted(mail: OutboxMail): number {
    const sentMs = this.now();
    this.failing.delete(mail.id);
    this.state.lastSuccessMs = sentMs;
    this.options.metrics?.mailSent.inc();
    return sentMs;
  }

  private async recordSent(tx: StateTx, mail: OutboxMail, sentMs: number): Promise<void> {
    await tx.markMailSent(mail.id, sentMs);
    // The alert's history says "notified" once the SMTP server accepted the mail, not when queued.
    if (mail.alertId !== null) await tx.addAlertEvent({ alertId: mail.alertId, atMs: sentMs, kind: 'notified', by: null, detail: { recipient: mail.recipient, messageId: mail.messageId, kind: mail.kind } });
  }

  private unrecorded(mail: OutboxMail, sentMs: number, err: unknown): void {
    this.acceptedUnrecorded.set(mail.id, sentMs);
    this.options.logger.error({ err, messageId: mail.messageId }, 'alert e-mail: accepted by SMTP but not recorded; recording again before anything is resent');
  }

  /**
   * The send happens inside the fenced transaction that records it. Only a loss of the database
   * between the server's 250 and the COMMIT can still send a mail twice (the new leader finds it
   * unsent): at-least-once, with the same Message-ID, as with one instance.
   */
  private async sendOneFenced(mail: OutboxMail, transport: MailTransport): Promise<boolean> {
    let sentMs: number | null = null;
    let sendError: unknown = null;
    try {
      await this.options.store.transaction(
        async (tx) => {
          const fresh = await tx.mail(mail.messageId);
          if (!fresh || fresh.sentMs !== null) return;
          try {
            await this.deliver(fresh, transport);
          } catch (err) {
            sendError = err;
            return;
          }
          sentMs = this.accepted(fresh);
          await this.recordSent(tx, fresh, sentMs);
        },
        { serialized: false },
      );
    } catch (err) {
      if (sentMs === null) throw err;
      this.unrecorded(mail, sentMs, err);
      return true;
    }
    if (sendError !== null) {
      await this.recordFailure(mail, sendError);
      return false;
    }
    return sentMs !== null;
  }

  private async recordAccepted(): Promise<void> {
    for (const [id, sentMs] of this.acceptedUnrecorded) {
      await this.options.store.transaction((tx) => tx.markMailSent(id, sentMs));
      this.acceptedUnrecorded.delete(id);
    }
  }

  private async recordFailure(mail: OutboxMail, err: unknown): Promise<void> {
    const nowMs = this.now();
    const failures = mail.attempts + 1;
    const code = typeof (err as { responseCode?: unknown })?.responseCode === 'number' ? ` (SMTP ${(err as { responseCode: number }).responseCode})` : '';
    const text = this.scrub(`${err instanceof Error ? err.message : String(err)}${code}`).slice(0, 1000);
    const nextAttemptMs = nowMs + retryDelayMs(failures, this.options.random);
    this.failing.set(mail.id, failures);
    // Health shows a code, never the server's text (issue 11 point 4): the text goes to the log and the outbox row.
    this.state.lastError = smtpErrorCode(err);
    this.state.lastErrorMs = nowMs;
    this.options.metrics?.mailFailedAttempts.inc();
    const level = failures >= ATTEMPTS_AT_MAX_BACKOFF ? 'error' : 'warn';
    this.options.logger[level]({ messageId: mail.messageId, failures, nextAttempt: new Date(nextAttemptMs).toISOString(), error: text }, 'alert e-mail: not accepted, will retry');
    await this.options.store.transaction((tx) => tx.markMailFailed(mail.id, text, nextAttemptMs));
  }
}

/**
 * A stable code for an SMTP failure: the reply code when the server answered (smtp-reply-535),
 * else nodemailer's error code and the system error under it (smtp-esocket-econnrefused).
 */
export function smtpErrorCode(err: unknown): string {
  const e = (err ?? {}) as { responseCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e.responseCode === 'number') return `smtp-reply-${e.responseCode}`;
  const parts = ['smtp'];
  if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) parts.push(e.code.toLowerCase());
  const errno = typeof e.message === 'string' ? /\b(E[A-Z]{3,})\b/.exec(e.message)?.[1] : undefined;
  if (errno && errno.toLowerCase() !== parts[1]) parts.push(errno.toLowerCase());
  return parts.length > 1 ? parts.join('-') : 'smtp-error';
}
