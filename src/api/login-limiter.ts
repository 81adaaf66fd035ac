/**
 * Failed logins counted per client IP and per account over a sliding window (OWASP Authentication
 * cheat sheet, "Protect against automated attacks": throttle per account and per source, so that
 * neither one address trying many accounts nor many addresses trying one account get far).
 * In memory: one service process; a restart forgets, which costs an attacker a restart per window.
 */
export interface LoginLimits {
  windowMs: number;
  maxPerIp: number;
  maxPerAccount: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, maxPerIp: 20, maxPerAccount: 5 };
const MAX_KEYS = 10_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(
    private readonly now: () => number,
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds to wait and which limit was hit, or null when an attempt may be made. */
  blocked(ip: string, email: string): { retryAfterS: number; by: 'ip' | 'account' } | null {
    for (const [key, max, by] of [[`ip:${ip}`, this.limits.maxPerIp, 'ip'], [`account:${email.toLowerCase()}`, this.limits.maxPerAccount, 'account']] as const) {
      const list = this.recent(key);
      if (list.length >= max) return { retryAfterS: Math.max(1, Math.ceil((list[list.length - max]! + this.limits.windowMs - this.now()) / 1000)), by };
    }
    return null;
  }

  fail(ip: string, email: string): void {
    if (this.failures.size > MAX_KEYS) this.failures.clear();
    for (const key of [`ip:${ip}`, `account:${email.toLowerCase()}`]) this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeeded(email: string): void {
    this.failures.delete(`account:${email.toLowerCase()}`);
  }
}
