import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { freePort } from './ports.js';

export interface ReceivedMail {
  from: string | null;
  to: string[];
  raw: string;
  /** The Message-ID header, with its angle brackets. */
  messageId: string | null;
}

export interface TestSmtpServer {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Answer the next `n` RCPT TO with this SMTP error (e.g. 451 "try again later"). */
  refuseNext(n: number, code: number, message: string): void;
  listen(): Promise<void>;
  /** Stops listening (the port stays reserved for a later `listen`). Safe twice. */
  close(): Promise<void>;
}

/**
 * A real SMTP server in the test process (smtp-server), on 127.0.0.1 and a random port, plain
 * text (STARTTLS disabled, as STACK-NOTES says). With `auth`, only that user and password log in
 * (a wrong one gets 535); without it, anyone may send.
 */
export async function createTestSmtpServer(options: { auth?: { user: string; pass: string }; port?: number } = {}): Promise<TestSmtpServer> {
  const port = options.port ?? (await freePort());
  const received: ReceivedMail[] = [];
  let refusals: { left: number; code: number; message: string } = { left: 0, code: 0, message: '' };
  let server: SMTPServer | null = null;

  const build = (): SMTPServer => {
    const config: SMTPServerOptions = {
      disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !options.auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
        const err = Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 });
        return callback(err);
      },
      onRcptTo(_address, _session, callback) {
        if (refusals.left > 0) {
          refusals.left--;
          return callback(Object.assign(new Error(refusals.message), { responseCode: refusals.code }));
        }
        return callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? null;
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
          received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, messageId });
          callback();
        });
      },
    };
    return new SMTPServer(config);
  };

  return {
    port,
    received,
    refuseNext(n, code, message) {
      refusals = { left: n, code, message };
    },
    async listen() {
      if (server) return;
      const s = build();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async close() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
