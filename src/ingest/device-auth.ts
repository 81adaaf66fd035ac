import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AppConfig, DeviceConfig } from '../config/schema.js';
import { isWithinDeviceTree } from './topic.js';

/**
 * Device authentication and topic permissions (README quotes them):
 *
 * - Username `{site}/{device}`, password the device's `secret` (compared in constant time)
 *   or checked against its `secretHash` (`scrypt$<salt b64>$<key b64>`, see `hashSecret`).
 * - Anonymous clients (no username) are refused.
 * - A device may publish only to `sites/{its site}/devices/{itself}` and below, and subscribe
 *   only within that subtree.
 */
export interface DeviceIdentity {
  site: string;
  device: string;
}

/** scrypt cost: N=2^14, r=8, p=1 (the parameters of RFC 7914 §2's interactive-login example, ~50 ms here). */
const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scrypt(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(secret, salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$<salt b64>$<key b64>`: what `secretHash:` in the site configuration holds. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(secret, salt);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `secret` matches a `hashSecret` output. A malformed hash is simply no match. */
export async function verifySecret(secret: string, secretHash: string): Promise<boolean> {
  const parts = secretHash.split('$');
  if (parts.length !== 3 || parts[0] !== 'scrypt') return false;
  const salt = Buffer.from(parts[1] as string, 'base64');
  const expected = Buffer.from(parts[2] as string, 'base64');
  if (salt.length === 0 || expected.length !== KEY_BYTES) return false;
  const key = await scrypt(secret, salt);
  return timingSafeEqual(key, expected);
}

/** Constant-time comparison of two strings of any length (digests have equal length). */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

const MAX_CACHE_ENTRIES = 10_000;

export class DeviceAuthenticator {
  private readonly devices = new Map<string, { identity: DeviceIdentity; device: DeviceConfig }>();
  /**
   * Successful scrypt verifications, keyed by username and a keyed digest of the password
   * (never the password itself), so that a reconnect storm of hundreds of devices costs
   * one hash each, not one scrypt (~50 ms of a libuv thread) each.
   */
  private readonly verified = new Map<string, string>();
  private readonly cacheKey = randomBytes(32);

  constructor(config: AppConfig) {
    for (const site of config.sites) {
      for (const device of site.devices) this.devices.set(`${site.id}/${device.id}`, { identity: { site: site.id, device: device.id }, device });
    }
  }

  /** The device, or null for anonymous, unknown or wrong credentials. Never throws. */
  async authenticate(username: string | undefined, password: Buffer | string | undefined): Promise<DeviceIdentity | null> {
    if (username === undefined || username === '' || password === undefined) return null;
    const entry = this.devices.get(username);
    const text = typeof password === 'string' ? password : password.toString('utf8');
    if (!entry) return null;
    if (entry.device.secret !== undefined) return safeEqual(text, entry.device.secret) ? entry.identity : null;
    const secretHash = entry.device.secretHash;
    if (secretHash === undefined) return null;
    const key = `${username}\u0000${createHash('sha256').update(this.cacheKey).update(text).digest('base64')}`;
    if (this.verified.get(key) === secretHash) return entry.identity;
    let ok: boolean;
    try {
      ok = await verifySecret(text, secretHash);
    } catch {
      ok = false;
    }
    if (!ok) return null;
    if (this.verified.size >= MAX_CACHE_ENTRIES) this.verified.clear();
    this.verified.set(key, secretHash);
    return entry.identity;
  }
}

/** Publish permission: the device's own subtree only. */
export function mayPublish(identity: DeviceIdentity, topic: string): boolean {
  return isWithinDeviceTree(topic, identity.site, identity.device);
}

/**
 * Subscribe permission: filters inside the device's own subtree only. A filter with a
 * wildcard before the device level (`sites/+/devices/#`) does not start with the subtree
 * and is refused.
 */
export function maySubscribe(identity: DeviceIdentity, filter: string): boolean {
  return isWithinDeviceTree(filter, identity.site, identity.device);
}
