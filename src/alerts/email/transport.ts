import nodemailer from 'nodemailer';
import type { SmtpEndpoint } from './smtp-url.js';

/** One message as the outbox sender hands it to SMTP. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** RFC 5322 §3.6.4, with its angle brackets. */
  messageId: string;
  /** The mail's origination date (RFC 5322 §3.6.1): when it was enqueued, the same on every retry. */
  date: Date;
  inReplyTo?: string;
  references?: string;
  headers: Record<string, string>;
}

export interface SendResult {
  /** Addresses the server accepted (RCPT TO answered 250). Only these count as sent. */
  accepted: readonly (string | { address: string })[];
  rejected: readonly (string | { address: string })[];
  response?: string;
}

/** The SMTP side of the outbox sender (narrow, so a test or another channel can stand in). */
export interface MailTransport {
  sendMail(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

export type TransportFactory = (endpoint: SmtpEndpoint) => MailTransport;

/**
 * nodemailer over SMTP_URL, one connection per mail (a pool would hold a connection open to a
 * server that mails a few times a day). Timeouts are short so a dead server fails an attempt
 * within seconds rather than holding the sender for nodemailer's default 2 min greeting wait.
 */
export const nodemailerTransport: TransportFactory = (endpoint) => {
  const transporter = nodemailer.createTransport({ url: endpoint.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    async sendMail(mail) {
      const info = await transporter.sendMail(mail);
      return { accepted: info.accepted, rejected: info.rejected, response: info.response };
    },
    close: () => transporter.close(),
  };
};
