import { FailureWindow } from './failure-window.js';

export interface LoginThrottleOptions {
  /** Failed logins from one address per window before its attempts are refused unchecked. Default 10. */
  failuresPerIp?: number;
  /** Failed logins for one configured username per window, from anywhere. Default 20. */
  failuresPerUsername?: number;
  /** Default 60 s. */
  windowMs?: number;
}

/**
 * Login attempts throttled per address and per username (issue 11). While either key is over
 * its limit, an attempt is refused with CONNACK 3 "server unavailable" (MQTT 3.1.1 §3.2.2.3), so
 * that a device retries later, and the password is not checked: a guessing client gets at most
 * `failuresPerIp` scrypt runs a minute out of us.
 *
 * The per-username limit is higher than the per-address one, and counts only configured
 * usernames (an unknown one costs no hash, and counting it would let a client fill the table).
 * Its price, stated in the README: someone guessing a device's secret from many addresses can
 * keep that device from reconnecting until one window after they stop. Connected devices are
 * not affected. An address over its limit still gets its attempts checked for usernames that
 * logged in from it before (devices behind one NAT with a misconfigured neighbour keep
 * reconnecting); a guesser there would have to share that NAT.
 */
export class LoginThrottle {
  private readonly byIp: FailureWindow;
  private readonly byUsername: FailureWindow;
  /** `ip\0username` pairs that logged in successfully, oldest dropped first beyond 10,000. */
  private readonly knownPairs = new Set<string>();

  constructor(options: LoginThrottleOptions = {}) {
    const windowMs = options.windowMs ?? 60_000;
    this.byIp = new FailureWindow(options.failuresPerIp ?? 10, windowMs);
    this.byUsername = new FailureWindow(options.failuresPerUsername ?? 20, windowMs);
  }

  /** The key that is over its limit ('ip' or 'username'), or null when the attempt may be checked. */
  blocked(ip: string, username: string | undefined, nowMs: number): 'ip' | 'username' | null {
    if (this.byIp.blocked(ip, nowMs) && (username === undefined || !this.knownPairs.has(`${ip}\u0000${username}`))) return 'ip';
    if (username !== undefined && this.byUsername.blocked(username, nowMs)) return 'username';
    return null;
  }

  succeeded(ip: string, username: string): void {
    const pair = `${ip}\u0000${username}`;
    if (this.knownPairs.has(pair)) return;
    if (this.knownPairs.size >= 10_000) this.knownPairs.delete(this.knownPairs.values().next().value as string);
    this.knownPairs.add(pair);
  }

  /** A failed login; `knownUsername` is true when the username is configured. */
  failed(ip: string, username: string | undefined, knownUsername: boolean, nowMs: number): void {
    this.byIp.fail(ip, nowMs);
    if (username !== undefined && knownUsername) this.byUsername.fail(username, nowMs);
  }
}
