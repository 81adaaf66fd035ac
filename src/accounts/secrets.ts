import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session ids and API tokens: 256 random bits (OWASP Session Management cheat sheet asks for at
 * least 64 bits of entropy). Stored as SHA-256 only: a value this random needs no slow hash
 * (unlike a password), and a copy of the database gives no working session or token.
 */
export function randomSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** API tokens carry a recognisable prefix so that secret scanners find a leaked one. */
export const TOKEN_PREFIX = 'sbe_';
