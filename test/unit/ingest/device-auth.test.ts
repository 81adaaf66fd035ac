import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/schema.js';
import { DeviceAuthenticator, hashSecret, mayPublish, maySubscribe, safeEqual, verifySecret } from '../../../src/ingest/device-auth.js';
import { buildTestConfig, SECRETS } from './fixture-config.js';

let config: AppConfig;
beforeAll(async () => {
  config = await buildTestConfig();
});

describe('hashSecret / verifySecret', () => {
  it('round-trips and matches the configuration format', async () => {
    const hash = await hashSecret('correct horse');
    expect(hash).toMatch(/^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifySecret('correct horse', hash)).toBe(true);
    expect(await verifySecret('correct horsf', hash)).toBe(false);
  });
  it('salts: the same secret hashes differently', async () => {
    expect(await hashSecret('same')).not.toBe(await hashSecret('same'));
  });
  it('treats malformed hashes as no match', async () => {
    expect(await verifySecret('x', 'scrypt$$')).toBe(false);
    expect(await verifySecret('x', 'bcrypt$abc$def')).toBe(false);
    expect(await verifySecret('x', 'scrypt$YWJj$YWJj')).toBe(false);
  });
  it('safeEqual compares strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('DeviceAuthenticator', () => {
  it('accepts a device secret', async () => {
    const auth = new DeviceAuthenticator(config);
    expect(await auth.authenticate('site-a/meter', Buffer.from(SECRETS['site-a/meter']))).toEqual({ site: 'site-a', device: 'meter', native: true });
  });
  it('accepts a secret against secretHash, and caches the verification', async () => {
    const auth = new DeviceAuthenticator(config);
    const first = performance.now();
    expect(await auth.authenticate('site-a/env', Buffer.from(SECRETS['site-a/env']))).toEqual({ site: 'site-a', device: 'env', native: true });
    const scryptMs = performance.now() - first;
    const second = performance.now();
    for (let i = 0; i < 20; i++) expect(await auth.authenticate('site-a/env', SECRETS['site-a/env'])).toEqual({ site: 'site-a', device: 'env', native: true });
    const cachedMs = (performance.now() - second) / 20;
    expect(cachedMs).toBeLessThan(scryptMs / 5);
  });
  it('refuses wrong passwords, other devices secrets, unknown users and anonymous clients', async () => {
    const auth = new DeviceAuthenticator(config);
    expect(await auth.authenticate('site-a/meter', Buffer.from('wrong'))).toBeNull();
    expect(await auth.authenticate('site-a/env', Buffer.from('wrong'))).toBeNull();
    expect(await auth.authenticate('site-a/env', Buffer.from('wrong'))).toBeNull();
    expect(await auth.authenticate('site-b/meter', Buffer.from(SECRETS['site-a/meter']))).toBeNull();
    expect(await auth.authenticate('site-a/ghost', Buffer.from('whatever'))).toBeNull();
    expect(await auth.authenticate(undefined, undefined)).toBeNull();
    expect(await auth.authenticate('', Buffer.from(''))).toBeNull();
    expect(await auth.authenticate('site-a/meter', undefined)).toBeNull();
  });
});

describe('topic permissions', () => {
  const me = { site: 'site-a', device: 'meter' };
  it('lets a device publish to its own topic and below only', () => {
    expect(mayPublish(me, 'sites/site-a/devices/meter')).toBe(true);
    expect(mayPublish(me, 'sites/site-a/devices/meter/power_w')).toBe(true);
    expect(mayPublish(me, 'sites/site-b/devices/meter')).toBe(false);
    expect(mayPublish(me, 'sites/site-a/devices/env')).toBe(false);
    expect(mayPublish(me, 'sites/site-a/devices/meter2')).toBe(false);
    expect(mayPublish(me, '$SYS/broker')).toBe(false);
  });
  it('lets a device subscribe within its own subtree only', () => {
    expect(maySubscribe(me, 'sites/site-a/devices/meter/#')).toBe(true);
    expect(maySubscribe(me, 'sites/site-a/devices/meter/+')).toBe(true);
    expect(maySubscribe(me, 'sites/+/devices/#')).toBe(false);
    expect(maySubscribe(me, 'sites/site-a/devices/#')).toBe(false);
    expect(maySubscribe(me, '#')).toBe(false);
  });
});
