import { pbkdf2, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/schema.js';
import { deviceTopicBase } from './topic.js';
import { DEVICE_TOPIC_FILTER } from './external-subscriber.js';
import { ProfileRouter } from './profiles/router.js';
import type { CompiledDevice } from './profiles/types.js';

/**
 * Files for an external mosquitto 2 broker, generated from the site configuration.
 *
 * Password file: one `username:hash` line per device, in mosquitto's own format
 * `$7$<iterations>$<salt b64>$<hash b64>`: PBKDF2-HMAC-SHA512 over the raw 12-byte salt,
 * 64-byte hash, 101 iterations (mosquitto 2.0 `mosquitto_passwd` defaults, checked against
 * its output here). A device configured with only `secretHash` cannot get a line: its
 * secret is unknown to us. Those devices are listed in `skipped` and must be added with
 * `mosquitto_passwd` by whoever holds the secret.
 *
 * ACL file: device `{site}/{device}` may read and write `sites/{site}/devices/{device}`
 * and below (read lets it subscribe to its own subtree, as on the embedded broker); the
 * service user reads `sites/+/devices/#`. Everything else is denied (mosquitto denies what
 * no rule grants).
 *
 * Devices with a profile (profiles/router.ts) may write their profile's topics and spaces
 * (`tele/<topic>/#`…) and read what their firmware subscribes to (`cmnd/<topic>/#`…); a bridge
 * (zigbee2mqtt) writes its base topic only for the friendly names configured under it, plus
 * `bridge/#`, and reads `<base_topic>/#`. The service user reads every profile topic. Mosquitto 2
 * drops a publish the ACL denies (it still acknowledges it in MQTT 3.1.1), so an unconfigured
 * zigbee device is simply not delivered.
 */
export const MOSQUITTO_PBKDF2_ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

export interface ServiceUser {
  username: string;
  password: string;
  /**
   * Replicas of the service on one broker (MQTT_SHARE_GROUP): each gets its own user
   * `<username>-1` … `<username>-N`, same password and rights. Why: the shipped mosquitto.conf has
   * `use_username_as_clientid true` (no device can take over another's session), so two replicas
   * logging in as one user would take one client id and disconnect each other in turn.
   */
  replicas?: number;
}

/** The MQTT users of the service: itself, and one per replica (`<username>-<n>`). */
export function serviceUsernames(service: ServiceUser): string[] {
  return [service.username, ...Array.from({ length: service.replicas ?? 0 }, (_, i) => `${service.username}-${i + 1}`)];
}

export interface MosquittoFiles {
  passwordFile: string;
  aclFile: string;
  /** `{site}/{device}` of devices that have only `secretHash`: no password line could be written. */
  skipped: string[];
}

export async function mosquittoPasswordHash(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = MOSQUITTO_PBKDF2_ITERATIONS): Promise<string> {
  const hash = await new Promise<Buffer>((resolve, reject) => {
    pbkdf2(password, salt, iterations, HASH_BYTES, 'sha512', (err, key) => (err ? reject(err) : resolve(key)));
  });
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** mosquitto splits a password-file line at the first `:`; usernames cannot hold one, nor line breaks. */
function checkUsername(username: string): void {
  if (/[:\r\n]/.test(username) || username === '') throw new Error(`username ${JSON.stringify(username)} cannot be written to a mosquitto password file`);
}

/** ACL lines of one owner's profile devices (all the devices a bridge publishes for, or one device). */
function profileAcl(devices: readonly CompiledDevice[], bridge: boolean): string[] {
  const lines = new Set<string>();
  for (const d of devices) {
    // A bridge's space is its whole base topic: it gets only its devices' topics and bridge/#.
    if (bridge && d.device === d.owner.slice(d.owner.indexOf('/') + 1)) {
      for (const t of d.topics) lines.add(`topic write ${t}`);
      for (const space of d.spaces) lines.add(`topic write ${space}/bridge/#`);
    } else {
      for (const t of [...d.topics, ...d.patterns]) lines.add(`topic write ${t}`);
      if (!bridge) for (const space of d.spaces) lines.add(`topic write ${space}`).add(`topic write ${space}/#`);
    }
    for (const f of d.subscribe) lines.add(`topic read ${f}`);
  }
  return [...lines];
}

export async function generateMosquittoFiles(config: AppConfig, service?: ServiceUser): Promise<MosquittoFiles> {
  const passwordLines: string[] = [];
  const aclLines: string[] = ['# Generated from the site configuration: do not edit; regenerate instead.', ''];
  const skipped: string[] = [];
  const router = new ProfileRouter(config);
  if (service) {
    const usernames = serviceUsernames(service);
    for (const username of usernames) {
      checkUsername(username);
      passwordLines.push(`${username}:${await mosquittoPasswordHash(service.password)}`);
    }
    const profileFilters = [...new Set(router.compiled.flatMap((d) => d.serviceFilters))];
    // MQTT_SHARE_GROUP (issue 9). Measured on mosquitto 2.0.11 (test/integration/share-mosquitto):
    // a SUBSCRIBE to `$share/<group>/<filter>` is checked against <filter> without the prefix,
    // which the first lines grant. The `$share/+/…` lines grant the form as sent too, for a broker
    // that checks it so; they reach no topic beyond the same filters.
    const serviceFilters = [DEVICE_TOPIC_FILTER, ...profileFilters];
    for (const username of usernames) aclLines.push(`user ${username}`, ...serviceFilters.map((f) => `topic read ${f}`), ...serviceFilters.map((f) => `topic read $share/+/${f}`), '');
  }
  for (const site of config.sites) {
    for (const device of site.devices) {
      if (device.bridge !== undefined) continue; // its bridge's user publishes for it
      const username = `${site.id}/${device.id}`;
      if (device.profile === 'native') {
        const base = deviceTopicBase(site.id, device.id);
        aclLines.push(`user ${username}`, `topic readwrite ${base}`, `topic readwrite ${base}/#`, '');
      } else {
        aclLines.push(`user ${username}`, ...profileAcl(router.ownedBy(username), false), '');
      }
      if (device.secret === undefined) {
        skipped.push(username);
        continue;
      }
      passwordLines.push(`${username}:${await mosquittoPasswordHash(device.secret)}`);
    }
    for (const bridge of site.bridges) {
      const username = `${site.id}/${bridge.id}`;
      aclLines.push(`user ${username}`, ...profileAcl(router.ownedBy(username), true), '');
      if (bridge.secret === undefined) {
        skipped.push(username);
        continue;
      }
      passwordLines.push(`${username}:${await mosquittoPasswordHash(bridge.secret)}`);
    }
  }
  return { passwordFile: `${passwordLines.join('\n')}\n`, aclFile: `${aclLines.join('\n')}`, skipped };
}

/** A sentence for the CLI and logs about devices left out of the password file. */
export function describeSkipped(skipped: readonly string[]): string | null {
  if (skipped.length === 0) return null;
  return `${skipped.length} device(s) have only a secretHash and got no mosquitto password (add them with mosquitto_passwd): ${skipped.join(', ')}`;
}
