import type { z } from 'zod';
import type { QuantityName } from '../../config/quantities.js';
import type { BridgeConfig, DeviceConfig, SiteConfig } from '../../config/schema.js';
import type { Reading } from '../../model/reading.js';
import type { Rejection } from '../types.js';

/**
 * A device profile: how one family of off-the-shelf devices publishes (topics, payload fields,
 * units, timestamps), registered by name in registry.ts as evcc registers its meters by type
 * (evcc-io/evcc meter/meter.go). A profile is one file: its options schema, its topics and its
 * decoder. The native contract (`sites/{site}/devices/{device}`) stays in decoder.ts, on the
 * hot path; every other profile goes through the topic router (router.ts).
 */
export interface ProfileOutput {
  readings: Reading[];
  rejections: Rejection[];
  /** An availability / LWT message: the device (or bridge) is online or offline. Not a rejection. */
  availability?: { site: string; device: string; online: boolean };
  site?: string;
  device?: string;
}

/** One configured device, compiled by its profile at start: topics and the decoder bound to them. */
export interface CompiledDevice {
  site: string;
  /** The configured device id, or the bridge id for a bridge's own topics. */
  device: string;
  /** True for the native contract, decoded by decoder.ts and never routed. */
  native?: boolean;
  /** `{site}/{device}` or `{site}/{bridge}`: the MQTT username allowed to publish these topics. */
  owner: string;
  /** Topics decoded for this device (exact, no wildcard). */
  topics: string[];
  /**
   * Topic prefixes (no trailing `/`) whose whole subtree the owner may publish in: what the
   * firmware publishes besides readings (Tasmota STATE, INFO1, Shelly status/sys…). Messages
   * there that `decode` does not recognise are rejections, never a closed connection.
   */
  spaces: string[];
  /** MQTT filters with `+` (mapping profile), matched in order after the exact topics. */
  patterns: string[];
  /**
   * Filters the owner may also publish on that carry no readings and are not this service's
   * (Home Assistant discovery, which Tasmota, teleinfo2mqtt and zigbee2mqtt send at start):
   * accepted on the embedded broker and dropped, so that the device is not cut off for them.
   */
  tolerated?: string[];
  /** Filters the owner may subscribe to (the commands its firmware listens to). */
  subscribe: string[];
  /** Filters the service subscribes to on an external broker. */
  serviceFilters: string[];
  decode(topic: string, payload: Buffer, nowMs: number, out: ProfileOutput): void;
}

export interface CompileContext {
  site: SiteConfig;
  /** The site's bridge of that id (zigbee2mqtt), validated to exist. */
  bridge(bridgeId: string): BridgeConfig;
}

export interface DeviceProfile<Options = unknown> {
  readonly name: string;
  /** One sentence for errors and the README. */
  readonly description: string;
  /** The device's `options:` (strict: unknown keys are refused, every error with its path). */
  readonly options: z.ZodType<Options>;
  /** Quantities this profile can give; a device may declare only these. */
  readonly quantities: readonly QuantityName[];
  /** True when the device publishes through a bridge (`bridge:`), not with its own credentials. */
  readonly viaBridge: boolean;
  /** Cross-checks of the device and its parsed options (the schema adds the path). */
  check?(device: DeviceConfig, options: Options): { path: (string | number)[]; message: string }[];
  /** Sub-channel ids stored besides the device (Linky per-tariff indexes), see tic.ts. */
  subChannels?(device: DeviceConfig, options: Options): string[];
  compile(device: DeviceConfig, options: Options, ctx: CompileContext): CompiledDevice;
}
