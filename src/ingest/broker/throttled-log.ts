import type { Logger } from '../../observability/logger.js';

/** Longest text taken from a client (username, client id, topic) into a log line. */
export const MAX_LOGGED_CHARS = 64;

/** `text` cut to MAX_LOGGED_CHARS with a marker: clients choose these strings and their length. */
export function truncateForLog(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= MAX_LOGGED_CHARS ? text : `${text.slice(0, MAX_LOGGED_CHARS)}…(${text.length} chars)`;
}

/**
 * At most `perWindow` lines per window for one kind of event (failed logins, refused
 * connections); the rest are counted and the count is carried by the next line logged, so a
 * flood costs a few lines, and the log still says how many were left out.
 */
export class ThrottledLog {
  private windowStartMs = -Infinity;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  warn(fields: Record<string, unknown>, message: string): void {
    const nowMs = this.now();
    if (nowMs - this.windowStartMs >= this.windowMs) {
      this.windowStartMs = nowMs;
      this.logged = 0;
    }
    if (this.logged >= this.perWindow) {
      this.suppressed += 1;
      return;
    }
    this.logged += 1;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.log.warn(suppressed > 0 ? { ...fields, suppressedSinceLastLine: suppressed } : fields, message);
  }
}
