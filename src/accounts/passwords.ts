import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt at OWASP's current parameters (Password Storage cheat sheet:
 * "scrypt with a minimum CPU/memory cost parameter of (2^17), a minimum block size of 8 (1024
 * bytes), and a parallelization parameter of 1"). scrypt is in node:crypto: no native add-on and
 * no per-platform optional packages in the lockfile (@node-rs/argon2 ships one per platform), and
 * it is memory-hard, which is what the issue asks. 128 MiB per hash, off the JS heap.
 */
const N = 2 ** 17;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const MAXMEM = 256 * 1024 * 1024;

/** NIST SP 800-63B §5.1.1.2 and the issue: at least 12; a cap keeps a 1 MB "password" from costing a hash. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The problem with a password, or null when acceptable. Says why, never echoes the password. */
export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

/** `scrypt$N$r$p$salt$key` (base64url), the parameters stored so that they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P, maxmem: MAXMEM });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** A valid hash of nothing anyone knows: verified against when the e-mail is unknown, so timing does not tell which accounts exist. */
let decoy: Promise<string> | undefined;

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const hash = stored ?? (await (decoy ??= hashPassword(randomBytes(24).toString('base64url'))));
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (password.length > PASSWORD_MAX_LENGTH || expected.length !== KEY_BYTES) return false;
  const key = await derive(password, salt, { N: n, r, p, maxmem: MAXMEM });
  return timingSafeEqual(key, expected) && stored !== null;
}
