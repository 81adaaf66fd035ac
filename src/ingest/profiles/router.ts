import type { AppConfig, DeviceConfig } from '../../config/schema.js';
import { compileBridge } from './zigbee2mqtt.js';
import { topicMatches } from './topic-filter.js';
import { profileNamed } from './registry.js';
import type { CompileContext, CompiledDevice } from './types.js';

/**
 * Topic -> compiled device, for every profile but native (decoder.ts keeps `sites/…` on its hot
 * path). The same table answers the ACL (who may publish a topic: `owner`) and the decoder
 * (who decodes it), so the two cannot disagree. Lookups: the exact topic, then the topic's
 * prefixes at `/` boundaries (a device's spaces), then the `+` patterns in order. Topics are
 * unique across the configuration (the schema refuses two devices on one topic), so the topic
 * alone names the device, on the embedded broker as behind an external one.
 */
export class ProfileRouter {
  private readonly exact = new Map<string, CompiledDevice>();
  private readonly spaces = new Map<string, CompiledDevice>();
  private readonly patterns: { filter: string[]; device: CompiledDevice }[] = [];
  /** Longest space: no prefix of a topic beyond it can be one (bounds the lookup of long topics). */
  private maxSpaceLength = 0;
  /** Tolerated filters (discovery topics) of every owner: published, never decoded nor rejected. */
  private readonly tolerated: string[][] = [];
  /** Every compiled device and bridge, native ones included (their topics, for ACL files). */
  readonly compiled: CompiledDevice[] = [];

  constructor(config: AppConfig) {
    for (const site of config.sites) {
      const ctx: CompileContext = {
        site,
        bridge: (id) => {
          const b = site.bridges.find((x) => x.id === id);
          if (!b) throw new Error(`no bridge "${id}" in site "${site.id}"`);
          return b;
        },
      };
      for (const bridge of site.bridges) this.add(compileBridge(bridge, site.id));
      for (const device of site.devices) this.add(compileDevice(device, ctx));
    }
  }

  private add(device: CompiledDevice): void {
    this.compiled.push(device);
    if (device.native) return;
    for (const t of device.topics) this.exact.set(t, device);
    for (const s of device.spaces) {
      if (!this.spaces.has(s)) this.spaces.set(s, device);
      this.maxSpaceLength = Math.max(this.maxSpaceLength, s.length);
    }
    for (const p of device.patterns) this.patterns.push({ filter: p.split('/'), device });
    for (const f of device.tolerated ?? []) if (!this.tolerated.some((t) => t.join('/') === f)) this.tolerated.push(f.split('/'));
  }

  /** True for a discovery topic some profile's firmware publishes (dropped without a rejection). */
  isTolerated(topic: string): boolean {
    return this.tolerated.some((f) => topicMatches(f, topic));
  }

  /** The device that decodes `topic`, or undefined when no profile claims it. */
  route(topic: string): CompiledDevice | undefined {
    const exact = this.exact.get(topic);
    if (exact) return exact;
    if (this.spaces.size > 0) {
      // MQTT allows 65,535-byte topics: start at the longest space, so a long topic costs one scan.
      for (let at = topic.lastIndexOf('/', this.maxSpaceLength); at > 0; at = topic.lastIndexOf('/', at - 1)) {
        const space = this.spaces.get(topic.slice(0, at));
        if (space) return space;
      }
    }
    for (const p of this.patterns) if (topicMatches(p.filter, topic)) return p.device;
    return undefined;
  }

  /** Every compiled device of one owner (`{site}/{device or bridge}`). */
  ownedBy(owner: string): CompiledDevice[] {
    return this.compiled.filter((d) => d.owner === owner);
  }
}

export function compileDevice(device: DeviceConfig, ctx: CompileContext): CompiledDevice {
  const profile = profileNamed(device.profile);
  const options = profile.options.parse(device.options ?? {});
  return profile.compile(device, options, ctx);
}
