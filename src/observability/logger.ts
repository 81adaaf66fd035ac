import { pino, type Logger } from 'pino';

export type { Logger };

/** pino, pretty on a terminal, JSON elsewhere; secrets never reach the log. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    redact: { paths: ['*.password', '*.secret', '*.secretHash', '*.passwordHash', '*.token', '*.csrfToken', 'password', 'secret', 'token', 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'], censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  if (process.stdout.isTTY) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino(options);
}
