import { z } from 'zod';
import type { QuantityName } from '../../config/quantities.js';
import type { AppConfig, DeviceConfig } from '../../config/schema.js';
import { PROFILE_NAMES, profileNamed } from './registry.js';
import { ProfileRouter } from './router.js';
import { subChannelsOf } from './sub-channels.js';

export { PROFILE_NAMES };

/**
 * The profile part of the configuration check (config/schema.ts calls these), so that a bad
 * profile option, a device on another's topic or a bridge that does not exist stops the service
 * at start with the path, like every other configuration error.
 */

/** An MQTT topic (or, for `mapping`, a filter): levels, no `$` start (MQTT 3.1.1 §4.7.2), not under `sites/` (native). */
export const deviceTopic = z
  .string()
  .min(1)
  .max(200)
  .refine((t) => !t.startsWith('$') && !t.startsWith('/') && !t.endsWith('/') && !t.includes('\u0000'), 'must not start with "$" or "/", end with "/", or hold NUL')
  .refine((t) => !t.startsWith('sites/'), 'topics under "sites/" are the native contract: use profile native');

type Ctx = z.RefinementCtx;

/** True when devices of that profile publish through a bridge (no credentials of their own). */
export function profileViaBridge(name: string): boolean {
  return profileNamed(name).viaBridge;
}
type DeviceInput = Pick<DeviceConfig, 'id' | 'profile' | 'quantities' | 'bridge' | 'topic' | 'options' | 'secret' | 'secretHash'>;

export function checkDeviceProfile(device: DeviceInput, ctx: Ctx): void {
  const profile = profileNamed(device.profile);
  const parsed = profile.options.safeParse(device.options ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const message = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} for profile ${profile.name}` : issue.message;
      ctx.addIssue({ code: 'custom', path: ['options', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message });
    }
  }
  device.quantities.forEach((q: QuantityName, i: number) => {
    if (!profile.quantities.includes(q)) ctx.addIssue({ code: 'custom', path: ['quantities', i], message: `profile ${profile.name} gives no "${q}" (it gives: ${profile.quantities.join(', ')})` });
  });
  if (profile.viaBridge && device.bridge === undefined) {
    ctx.addIssue({ code: 'custom', path: ['bridge'], message: `a ${profile.name} device publishes through its bridge: name it (bridge: <id of the site's bridges entry>)` });
  }
  if (!profile.viaBridge && device.bridge !== undefined) ctx.addIssue({ code: 'custom', path: ['bridge'], message: `profile ${profile.name} does not publish through a bridge` });
  if (device.bridge !== undefined && (device.secret !== undefined || device.secretHash !== undefined)) {
    ctx.addIssue({ code: 'custom', path: [device.secret !== undefined ? 'secret' : 'secretHash'], message: 'a bridged device has no credentials of its own: its bridge authenticates' });
  }
  if (device.profile === 'native' && device.topic !== undefined) ctx.addIssue({ code: 'custom', path: ['topic'], message: 'the native profile publishes on sites/{site}/devices/{device}: no topic' });
  if (device.topic !== undefined && device.profile !== 'mapping' && /[+#]/.test(device.topic)) {
    ctx.addIssue({ code: 'custom', path: ['topic'], message: 'wildcards (+, #) are for the mapping profile only' });
  }
  if (parsed.success && profile.check) {
    for (const issue of profile.check(device as DeviceConfig, parsed.data)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
}

export function checkBridges(config: AppConfig, ctx: Ctx): void {
  config.sites.forEach((site, i) => {
    const deviceIds = new Set(site.devices.map((d) => d.id));
    // Sub-channels (Linky tariffs) are stored as devices `{device}-{label}`: no configured device may be one.
    site.devices.forEach((device, j) => {
      for (const sub of subChannelsOf(device)) {
        if (deviceIds.has(sub)) ctx.addIssue({ code: 'custom', path: ['sites', i, 'devices', j, 'id'], message: `"${sub}" is both a device and a tariff sub-channel of "${device.id}": rename one` });
        if (sub.length > 64) ctx.addIssue({ code: 'custom', path: ['sites', i, 'devices', j, 'id'], message: `sub-channel id "${sub}" is longer than 64 characters: shorten the device id` });
      }
    });
    const bridgeIds = new Set<string>();
    site.bridges.forEach((bridge, j) => {
      const path = ['sites', i, 'bridges', j, 'id'];
      if (deviceIds.has(bridge.id)) ctx.addIssue({ code: 'custom', path, message: `"${bridge.id}" is also a device id: bridges and devices share the username {site}/{id}` });
      if (bridgeIds.has(bridge.id)) ctx.addIssue({ code: 'custom', path, message: `bridge id "${bridge.id}" is already used in this site` });
      bridgeIds.add(bridge.id);
    });
    site.devices.forEach((device, j) => {
      if (device.bridge !== undefined && !bridgeIds.has(device.bridge)) {
        ctx.addIssue({ code: 'custom', path: ['sites', i, 'devices', j, 'bridge'], message: `no bridge "${device.bridge}" in site "${site.id}" (bridges: ${[...bridgeIds].join(', ') || 'none'})` });
      }
    });
  });
}

/**
 * Topics are the only thing that names a device behind an external broker: two devices (or
 * bridges) may not share a topic, nor may one's topic fall inside another's space.
 */
export function checkProfileTopics(config: AppConfig, ctx: Ctx): void {
  let router: ProfileRouter;
  try {
    router = new ProfileRouter(config);
  } catch {
    return; // an option error, already reported with its path
  }
  const claimed = new Map<string, { owner: string; what: string }>();
  const where = new Map<string, (string | number)[]>();
  config.sites.forEach((site, i) => {
    site.devices.forEach((d, j) => where.set(`${site.id}\u0000${d.id}`, ['sites', i, 'devices', j, 'topic']));
    site.bridges.forEach((b, j) => where.set(`${site.id}\u0000${b.id}`, ['sites', i, 'bridges', j, 'baseTopic']));
  });
  const reported = new Set<string>();
  const report = (device: { site: string; device: string }, message: string) => {
    const key = `${device.site}\u0000${device.device}`;
    if (reported.has(key)) return; // one message per device: its first clash says what to change
    reported.add(key);
    ctx.addIssue({ code: 'custom', path: where.get(key) ?? ['sites'], message });
  };
  for (const device of router.compiled) {
    if (device.native) continue;
    const label = `${device.site}/${device.device}`;
    for (const t of [...device.topics, ...device.spaces, ...device.patterns]) {
      const other = claimed.get(t);
      if (other && other.what !== label) report(device, `topic "${t}" is already claimed by ${other.what}: topics must be unique (set topic:, or the bridge's baseTopic)`);
      else claimed.set(t, { owner: device.owner, what: label });
    }
  }
  // A device's exact topics must fall in no other owner's space (e.g. two bridges on one base topic).
  for (const device of router.compiled) {
    if (device.native) continue;
    for (const t of device.topics) {
      const owner = router.route(t)?.owner;
      if (owner !== undefined && owner !== device.owner && !reported.has(`${owner.replace('/', '\u0000')}`)) report(device, `topic "${t}" lies in the topics of ${owner}`);
    }
  }
}
