/**
 * When a mail the SMTP server did not accept is tried again: 30 s after the first failure,
 * doubling to a ceiling of 30 min (30 s, 1, 2, 4, 8, 16, 30, 30 … min), each delay spread by a
 * random ±20 % so that mails failed together do not all come back in the same second (the
 * "jitter" of AWS's Exponential Backoff and Jitter note). A mail is never given up: from the
 * seventh failure on it is retried every 30 min (±20 %) and the health report says so.
 */
export const BACKOFF_BASE_MS = 30_000;
export const BACKOFF_MAX_MS = 30 * 60_000;
export const BACKOFF_JITTER = 0.2;
/** Failures after which the delay has reached its ceiling (30 s · 2⁶ > 30 min). */
export const ATTEMPTS_AT_MAX_BACKOFF = 7;

/** Delay before the next attempt after `failures` failed ones (1 after the first failure), in ms. */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(BACKOFF_BASE_MS * 2 ** exponent, BACKOFF_MAX_MS);
  return Math.round(base * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random()));
}
