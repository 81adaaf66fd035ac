import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AppConfig } from '../config/schema.js';
import { topicMatches } from './profiles/topic-filter.js';
import type { ProfileRouter } from './profiles/router.js';
import { isWithinDeviceTree } from './topic.js';
import { ConcurrencyGate } from './broker/concurrency-gate.js';
import { NATIVE_TOPIC_LEVELS, topicLevels } from './broker/topic-limits.js';

export { GateFullError as HashingBusyError } from './broker/concurrency-gate.js';

/**
 * Device authentication and topic permissions (README quotes them):
 *
 * - Username `{site}/{device}`, password the device's `secret` (compared in constant time)
 *   or checked against its `secretHash` (`scrypt$<salt b64>$<key b64>`, see `hashSecret`).
 * - Anonymous clients (no username) are refused.
 * - A device may publish only to `sites/{its site}/devices/{itself}` and below, and subscribe
 *   only within that subtree.
 * - A device with a profile (Tasmota, Shelly…) authenticates the same way and may publish only
 *   its profile's topics; a bridge (zigbee2mqtt) authenticates as `{site}/{bridge id}` and may
 *   publish only in its base topic, i.e. for the devices configured under it (TopicPermissions).
 */
export interface DeviceIdentity {
  site: string;
  /** The device id, or the bridge id. */
  device: string;
  /** True for the native contract (the hot path: a prefix test, no lookup). */
  native?: boolean;
}

interface Credentials {
  secret?: string | undefined;
  secretHash?: string | undefined;
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
  private readonly devices = new Map<string, { identity: DeviceIdentity; device: Credentials }>();
  /**
   * Successful scrypt verifications, keyed by username and a keyed digest of the password
   * (never the password itself), so that a reconnect storm of hundreds of devices costs
   * one hash each, not one scrypt (~50 ms of a libuv thread) each.
   */
  private readonly verified = new Map<string, string>();
  private readonly cacheKey = randomBytes(32);
  /**
   * One scrypt at a time, at most 32 waiting (then HashingBusyError): the libuv thread pool
   * also runs the spool's fsync (concurrency-gate.ts). ~50 ms each, so 32 is under 2 s of wait.
   */
  private readonly hashing = new ConcurrencyGate(1, 32);

  constructor(config: AppConfig) {
    for (const site of config.sites) {
      for (const device of site.devices) {
        if (device.bridge !== undefined) continue; // its bridge connects for it
        const identity: DeviceIdentity = { site: site.id, device: device.id };
        if (device.profile === 'native') identity.native = true;
        this.devices.set(`${site.id}/${device.id}`, { identity, device });
      }
      for (const bridge of site.bridges) this.devices.set(`${site.id}/${bridge.id}`, { identity: { site: site.id, device: bridge.id }, device: bridge });
    }
  }

  /** True for a configured device or bridge username (login throttling counts only those per username). */
  knows(username: string): boolean {
    return this.devices.has(username);
  }

  /**
   * The device, or null for anonymous, unknown or wrong credentials. Rejects only with
   * HashingBusyError, when too many secret hashes are already waiting (the caller answers
   * "server unavailable" and the device retries).
   */
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
    const ok = await this.hashing.run(() => verifySecret(text, secretHash).catch(() => false));
    if (!ok) return null;
    if (this.verified.size >= MAX_CACHE_ENTRIES) this.verified.clear();
    this.verified.set(key, secretHash);
    return entry.identity;
  }
}

/** Publish permission of a native device: its own subtree only. */
export function mayPublish(identity: DeviceIdentity, topic: string): boolean {
  return isWithinDeviceTree(topic, identity.site, identity.device);
}

/** True when `filter` is `allowed`, or lies below an allowed `…/#` (MQTT 3.1.1 §4.7.1.2). */
function filterWithin(filter: string, allowed: string): boolean {
  if (filter === allowed) return true;
  if (!allowed.endsWith('/#')) return false;
  const base = allowed.slice(0, -2);
  return filter === base || filter.startsWith(`${base}/`);
}

/**
 * Topic permissions for every profile: the native subtree, or the topics the profile router
 * gives the identity (profiles/router.ts: the same table decodes them, so what a device may
 * publish is exactly what is decoded for it).
 */
export class TopicPermissions {
  constructor(private readonly router: ProfileRouter) {}

  mayPublish(identity: DeviceIdentity, topic: string): boolean {
    // Deeper than the contract would only be rejected later as unknown-topic: refuse it here.
    if (identity.native) return isWithinDeviceTree(topic, identity.site, identity.device) && topicLevels(topic) <= NATIVE_TOPIC_LEVELS;
    const owner = `${identity.site}/${identity.device}`;
    const routed = this.router.route(topic);
    if (routed !== undefined) return routed.owner === owner;
    return this.router.ownedBy(owner).some((d) => d.tolerated?.some((f) => topicMatches(f.split('/'), topic)) ?? false);
  }

  maySubscribe(identity: DeviceIdentity, filter: string): boolean {
    if (identity.native) return isWithinDeviceTree(filter, identity.site, identity.device);
    for (const device of this.router.ownedBy(`${identity.site}/${identity.device}`)) {
      if (device.subscribe.some((allowed) => filterWithin(filter, allowed))) return true;
    }
    return false;
  }
}

/**
 * Subscribe permission: filters inside the device's own subtree only. A filter with a
 * wildcard before the device level (`sites/+/devices/#`) does not start with the subtree
 * and is refused.
 */
export function maySubscribe(identity: DeviceIdentity, filter: string): boolean {
  return isWithinDeviceTree(filter, identity.site, identity.device);
}
