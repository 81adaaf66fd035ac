import type { AppConfig, DeviceConfig } from '../config/schema.js';
import { injectionLogLine, type Injection } from './anomaly-kinds.js';
import { DeviceSim, type Values } from './devices.js';
import { defaultFormat, encodeReadings, type OutgoingMessage, type PayloadFormat } from './payloads.js';
import { SiteModel } from './site-model.js';

/** Live reading intervals by device kind, s: a meter's power every 10 s, index meters and rooms every minute, the weather every 5 min. */
export const LIVE_INTERVAL_S: Record<string, number> = {
  'electricity-meter': 10,
  'gas-meter': 60,
  'heat-meter': 60,
  'water-meter': 60,
  'weather-station': 300,
  sensor: 60,
};

export interface FleetDevice {
  sim: DeviceSim;
  site: string;
  device: DeviceConfig;
  format: PayloadFormat;
  intervalMs: number;
  /** Injections on this device not yet logged. */
  pending: Injection[];
}

export class SimulatorSetupError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SimulatorSetupError';
  }
}

/** The sites to simulate: all, or the listed ones (each must exist). */
export function selectSites(config: AppConfig, only: readonly string[] | undefined): AppConfig['sites'] {
  if (!only || only.length === 0) return config.sites;
  for (const id of only) {
    if (!config.sites.some((s) => s.id === id)) throw new SimulatorSetupError('--sites', `unknown site ${JSON.stringify(id)} (known: ${config.sites.map((s) => s.id).join(', ')})`);
  }
  return config.sites.filter((s) => only.includes(s.id));
}

/** Every device of the sites, with its model, payload shape and live interval. */
export function buildFleet(
  sites: AppConfig['sites'],
  seed: number,
  injections: readonly Injection[],
  runStartMs: number,
  options: { intervalS?: number; formats?: Record<string, PayloadFormat> } = {},
): FleetDevice[] {
  const fleet: FleetDevice[] = [];
  for (const site of sites) {
    const mine = injections.filter((i) => i.site === site.id);
    const model = new SiteModel(site, seed, mine);
    for (const device of site.devices) {
      const own = mine.filter((i) => i.device === device.id);
      const kindKey = device.kind.endsWith('-sensor') || device.kind === 'multi-sensor' ? 'sensor' : device.kind;
      fleet.push({
        sim: new DeviceSim(model, device, own, runStartMs),
        site: site.id,
        device,
        format: options.formats?.[`${site.id}/${device.id}`] ?? defaultFormat(device.kind),
        intervalMs: 1000 * (options.intervalS ?? LIVE_INTERVAL_S[kindKey] ?? 60),
        pending: [...own].sort((a, b) => a.fromMs - b.fromMs),
      });
    }
  }
  return fleet;
}

/** The device's secret as the config loader resolved it (`${VAR:-default}` done); a hash alone cannot log in. */
export function secretOf(config: AppConfig, site: string, device: DeviceConfig): string {
  if (device.secret !== undefined) return device.secret;
  const i = config.sites.findIndex((s) => s.id === site);
  const j = config.sites[i]!.devices.indexOf(device);
  throw new SimulatorSetupError(`sites[${i}].devices[${j}].secret`, `device ${site}/${device.id} has only secretHash: the simulator needs the plain secret to log in as it`);
}

/**
 * The messages of one device at `tMs` (none while it is silent), and the injections that took
 * effect with them: logged once, and for one-reading cases (reset, spike) stamped with the time
 * of the reading that carries them.
 */
export function messagesAt(d: FleetDevice, tMs: number, timestamped: boolean, log: (line: Record<string, unknown>) => void): { messages: OutgoingMessage[]; readings: number } {
  const values = valuesAt(d, tMs, log);
  if (!values) return { messages: [], readings: 0 };
  return { messages: encodeReadings(d.site, d.device.id, d.format, tMs, values, timestamped), readings: Object.keys(values).length };
}

/** The values one device publishes at `tMs` (null while it is silent), logging the injections that take effect. */
export function valuesAt(d: FleetDevice, tMs: number, log: (line: Record<string, unknown>) => void): Values | null {
  const values = d.sim.publishAt(tMs);
  while (d.pending.length > 0 && d.pending[0]!.fromMs <= tMs) {
    const injection = d.pending.shift()!;
    if (injection.fromMs === injection.toMs) {
      injection.fromMs = tMs;
      injection.toMs = tMs;
    }
    log(injectionLogLine(injection));
  }
  return values;
}
