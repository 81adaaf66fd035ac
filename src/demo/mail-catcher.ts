import { mkdir, readdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../observability/logger.js';
import type { ServicePart } from '../parts.js';

export interface CaughtMail {
  file: string;
  to: string[];
  subject: string;
}

/**
 * The demo's SMTP catcher (smtp-server, in process, 127.0.0.1 and a free port): every mail the
 * service sends is written as it came, `<n>.eml` in `dir` (numbered on from the files already
 * there, so a second demo run keeps the first one's mails), and a log line names the file. No
 * authentication and no TLS: it only ever listens on the loopback interface.
 */
export class MailCatcher implements ServicePart {
  readonly name = 'mail-catcher';
  private server: SMTPServer | null = null;
  private next = 1;
  private port = 0;
  readonly caught: CaughtMail[] = [];

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** smtp://127.0.0.1:PORT, once started. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    await mkdir(this.dir, { recursive: true });
    const numbers = (await readdir(this.dir)).map((f) => /^(\d+)\.eml$/.exec(f)?.[1]).filter((n): n is string => n !== undefined).map(Number);
    this.next = numbers.length > 0 ? Math.max(...numbers) + 1 : 1;
    const server = new SMTPServer({
      // Plain text on the loopback (STACK-NOTES: smtp-server in process needs STARTTLS disabled).
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', (err) => callback(err));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const file = join(this.dir, `${this.next++}.eml`);
          const to = session.envelope.rcptTo.map((r) => r.address);
          const subject = decodeSubject(/^Subject:\s*(.*(?:\r?\n[ \t].*)*)/im.exec(raw.toString('utf8'))?.[1] ?? '');
          writeFile(file, raw).then(
            () => {
              this.caught.push({ file, to, subject });
              this.logger.info({ file, to, subject }, 'alert e-mail caught');
              callback();
            },
            (err: Error) => callback(err),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A subject as a person reads it: RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) decoded, folding removed. */
export function decodeSubject(header: string): string {
  return header
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    )
    .trim();
}
