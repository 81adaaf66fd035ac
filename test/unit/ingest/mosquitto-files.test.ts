import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeSkipped, generateMosquittoFiles, mosquittoPasswordHash } from '../../../src/ingest/mosquitto-files.js';
import { buildTestConfig, SECRETS } from './fixture-config.js';

/** Checks a `$7$` line the way mosquitto 2.0 does: PBKDF2-HMAC-SHA512 over the raw salt. */
function verifyMosquittoHash(password: string, hash: string): boolean {
  const [, id, iterations, salt, key] = hash.split('$');
  if (id !== '7') return false;
  return pbkdf2Sync(password, Buffer.from(salt as string, 'base64'), Number(iterations), 64, 'sha512').toString('base64') === key;
}

describe('mosquittoPasswordHash', () => {
  it('has the $7$ format with 101 iterations, a 12-byte salt and a 64-byte hash', async () => {
    const hash = await mosquittoPasswordHash('secret-123');
    const parts = hash.split('$');
    expect(parts.slice(0, 3)).toEqual(['', '7', '101']);
    expect(Buffer.from(parts[3] as string, 'base64')).toHaveLength(12);
    expect(Buffer.from(parts[4] as string, 'base64')).toHaveLength(64);
    expect(verifyMosquittoHash('secret-123', hash)).toBe(true);
    expect(verifyMosquittoHash('secret-124', hash)).toBe(false);
  });
  it('reproduces a line written by mosquitto_passwd 2.0.11', async () => {
    // `mosquitto_passwd -c -b pw site/dev secret-123` on this machine:
    const fromMosquitto = '$7$101$fHDRNQamKvhoQbG4$qZhZ+Z3OcdtnCIgbUCbxKzgHDl0YINHtvxm3SzzJGncEuxEzDRtUVJgKyEIuKib3ZAktxggeHSg3FH7f0gjEsg==';
    expect(await mosquittoPasswordHash('secret-123', Buffer.from('fHDRNQamKvhoQbG4', 'base64'))).toBe(fromMosquitto);
  });
});

describe('generateMosquittoFiles', () => {
  it('writes one password line per device with a secret, plus the service user', async () => {
    const config = await buildTestConfig();
    const files = await generateMosquittoFiles(config, { username: 'sbe-service', password: 'svc-pass-1' });
    const lines = files.passwordFile.trim().split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['sbe-service', 'site-a/meter', 'site-a/gas', 'site-b/meter']);
    const meter = lines.find((l) => l.startsWith('site-a/meter:')) as string;
    expect(verifyMosquittoHash(SECRETS['site-a/meter'], meter.slice('site-a/meter:'.length))).toBe(true);
    expect(files.skipped).toEqual(['site-a/env']);
    expect(describeSkipped(files.skipped)).toContain('site-a/env');
    expect(describeSkipped([])).toBeNull();
  });
  it('writes ACL rules: devices their own subtree, the service reads all device topics', async () => {
    const config = await buildTestConfig();
    const { aclFile } = await generateMosquittoFiles(config, { username: 'sbe-service', password: 'svc-pass-1' });
    expect(aclFile).toContain('user sbe-service\ntopic read sites/+/devices/#\n');
    expect(aclFile).toContain('user site-a/meter\ntopic readwrite sites/site-a/devices/meter\ntopic readwrite sites/site-a/devices/meter/#\n');
    expect(aclFile).toContain('user site-a/env\ntopic readwrite sites/site-a/devices/env\n');
    // Rules before the first `user` line would apply to every client (mosquitto acl_file syntax).
    expect(aclFile.slice(0, aclFile.indexOf('\nuser '))).not.toMatch(/^(topic|pattern) /m);
    expect(aclFile).not.toMatch(/^pattern /m);
  });
  it('gives each replica its own user with the service password and read rights (--replicas)', async () => {
    const config = await buildTestConfig();
    const files = await generateMosquittoFiles(config, { username: 'sbe-service', password: 'svc-pass-1', replicas: 2 });
    const users = files.passwordFile.trim().split('\n').map((l) => l.slice(0, l.indexOf(':')));
    expect(users.slice(0, 3)).toEqual(['sbe-service', 'sbe-service-1', 'sbe-service-2']);
    const line = files.passwordFile.split('\n').find((l) => l.startsWith('sbe-service-2:'))!;
    expect(verifyMosquittoHash('svc-pass-1', line.slice('sbe-service-2:'.length))).toBe(true);
    for (const u of ['sbe-service-1', 'sbe-service-2']) expect(files.aclFile).toContain(`user ${u}\ntopic read sites/+/devices/#\n`);
  });
  it('refuses a service username that would break the file', async () => {
    const config = await buildTestConfig();
    await expect(generateMosquittoFiles(config, { username: 'a:b', password: 'x' })).rejects.toThrow(/cannot be written/);
  });
});
