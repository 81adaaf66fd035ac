import { emonProfile } from './emon.js';
import { mappingProfile } from './mapping.js';
import { nativeProfile } from './native.js';
import { shellyGen2Profile } from './shelly-gen2.js';
import { tasmotaProfile } from './tasmota.js';
import { teleinfoProfile } from './teleinfo.js';
import type { DeviceProfile } from './types.js';
import { zigbee2mqttProfile } from './zigbee2mqtt.js';
import { zlinkyProfile } from './zlinky.js';

/**
 * Device profiles by name, as evcc registers meters by type (evcc-io/evcc meter/meter.go
 * `registry.Add("tasmota", NewTasmotaFromConfig)`). Adding a profile is adding its file and its
 * line here; the configuration schema, the router and the ACL take it from this registry.
 */
const profiles = new Map<string, DeviceProfile<never>>();

function register(profile: DeviceProfile<never>): void {
  if (profiles.has(profile.name)) throw new Error(`device profile "${profile.name}" registered twice`);
  profiles.set(profile.name, profile);
}

for (const p of [nativeProfile, tasmotaProfile, shellyGen2Profile, zigbee2mqttProfile, zlinkyProfile, teleinfoProfile, emonProfile, mappingProfile] as unknown as DeviceProfile<never>[]) register(p);

export const PROFILE_NAMES = [...profiles.keys()] as [string, ...string[]];

/** The profile of that name; the configuration schema guarantees it exists. */
export function profileNamed(name: string): DeviceProfile<unknown> {
  const p = profiles.get(name);
  if (!p) throw new Error(`no device profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  return p as unknown as DeviceProfile<unknown>;
}
