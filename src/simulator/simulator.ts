import type { AppConfig } from '../config/schema.js';
import { planAnomalies, type PlanResult } from './anomaly-plan.js';
import type { Injection } from './anomaly-kinds.js';
import { buildFleet, messagesAt, secretOf, selectSites, valuesAt, type FleetDevice } from './fleet.js';
import { SLOT_MS } from './meters.js';
import { encodeHistoryPack, type PayloadFormat } from './payloads.js';
import type { Values } from './devices.js';
import { DevicePublisher } from './publisher.js';
import { Rng } from './random.js';
import { SiteModel } from './site-model.js';

const DAY_MS = 86_400_000;

export interface SimulatorOptions {
  config: AppConfig;
  /** Broker, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  /** Site ids to simulate (default: all). */
  sites?: string[];
  /** Seed of every random choice and noise: the same seed gives the same data (default 1). */
  seed?: number;
  /** Days of history published first, with past timestamps (default 0). */
  backfillDays?: number;
  /** Step of the history, ms (default 15 min, the meters' slot). */
  backfillStepMs?: number;
  /**
   * Steps of history per message (default 8, two hours): one SenML pack (RFC 8428) holds them all,
   * each step under its own base time. 1 publishes each step in the device's own shape, as live.
   * Packs are what makes a year of history quick: the service's cost is mostly per message.
   */
  historyStepsPerMessage?: number;
  /** History paced at `speed` × real time; 0 or absent: as fast as the service acknowledges. */
  speed?: number;
  /** Inject one case of each anomaly kind (see anomaly-kinds.ts). */
  anomalies?: boolean;
  /** With `anomalies`: the stuck sensor and the silent device go on past the history's end, the night load and the heating left on are its last (see PlanOptions). */
  anomaliesOngoingAtEnd?: boolean;
  /** Where to place them; default the history (its last 60 days at most), else the first day live. */
  anomalyWindow?: { fromMs: number; toMs: number };
  /** Publish live readings after the history (default true). */
  live?: boolean;
  /** Live interval of every device, s (default by kind, see LIVE_INTERVAL_S). */
  intervalS?: number;
  /** Unacknowledged messages per device (default 100). */
  window?: number;
  /** Payload shape per `site/device` (default by kind: meters JSON, other meters and weather SenML, sensors plain). */
  formats?: Record<string, PayloadFormat>;
  now?: () => number;
  /**
   * The instant the run was first planned at (default now): the history ends there and the
   * anomalies are placed from it. A later run given the same origin, seed and options simulates
   * the same buildings, so it continues their indexes and injections instead of restarting them.
   */
  originMs?: number;
  /**
   * Readings up to this instant were published by an earlier run with the same origin: they are
   * computed (so that indexes, resets and room sensors continue exactly) but not sent. The history
   * then runs on, every step, up to now (what the service missed while the demo was stopped).
   */
  skipUntilMs?: number;
  /** One JSON object per event (injections, progress); default nothing. */
  log?: (line: Record<string, unknown>) => void;
  clientIdPrefix?: string;
  /** Called with each PUBACK's delay after its publish, ms (benchmarks). */
  onAck?: (latencyMs: number) => void;
}

export interface BackfillReport {
  fromMs: number;
  toMs: number;
  messages: number;
  readings: number;
  seconds: number;
}

export interface SimulatorRun {
  /** The planned injections; one-reading cases carry their reading's time once published. */
  readonly injections: readonly Injection[];
  readonly skipped: PlanResult['skipped'];
  readonly devices: number;
  /** Resolves when the history is published and acknowledged (immediately without one). */
  readonly backfillDone: Promise<BackfillReport>;
  stats(): { sent: number; acked: number; failed: number; dropped: number; readings: number };
  /** Stops publishing and disconnects every device; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the simulator: connects every device with its own credentials, publishes the history
 * (if any), then live readings until `stop()`. Rejects if a device cannot connect.
 */
export async function startSimulator(options: SimulatorOptions): Promise<SimulatorRun> {
  const now = options.now ?? Date.now;
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => {});
  const sites = selectSites(options.config, options.sites);
  const startMs = options.originMs ?? now();
  const step = options.backfillStepMs ?? SLOT_MS;
  const originTo = Math.floor(startMs / step) * step;
  const backfillFrom = originTo - Math.round((options.backfillDays ?? 0) * DAY_MS / step) * step;
  const skipUntil = options.skipUntilMs ?? Number.NEGATIVE_INFINITY;
  // A resumed run publishes on up to now, at the history's step.
  const backfillTo = options.skipUntilMs !== undefined && backfillFrom < originTo ? Math.max(originTo, Math.floor(now() / step) * step) : originTo;

  let plan: PlanResult = { injections: [], skipped: [] };
  if (options.anomalies) {
    const window = options.anomalyWindow ?? (backfillFrom < originTo ? { fromMs: Math.max(backfillFrom, originTo - 60 * DAY_MS), toMs: originTo } : { fromMs: startMs + 120_000, toMs: startMs + DAY_MS });
    const planning = sites.map((s) => new SiteModel(s, seed, []));
    plan = planAnomalies(planning, window.fromMs, window.toMs, new Rng(seed ^ 0x5eed), { ongoingAtEnd: options.anomaliesOngoingAtEnd === true });
    for (const s of plan.skipped) log({ msg: 'anomaly not injected', what: s.what, reason: s.reason });
  }
  const fleet = buildFleet(sites, seed, plan.injections, backfillFrom, { ...(options.intervalS ? { intervalS: options.intervalS } : {}), ...(options.formats ? { formats: options.formats } : {}) });
  const prefix = options.clientIdPrefix ?? `sbe-sim-${process.pid}`;
  const publishers = new Map<FleetDevice, DevicePublisher>();
  for (const d of fleet) publishers.set(d, new DevicePublisher(options.url, d.site, d.device.id, secretOf(options.config, d.site, d.device), options.window ?? 100, prefix, options.onAck));
  try {
    await Promise.all([...publishers.values()].map((p) => p.start()));
  } catch (e) {
    await Promise.all([...publishers.values()].map((p) => p.stop()));
    throw new Error(`cannot connect the simulated devices to ${options.url}: ${(e as Error).message}`, { cause: e });
  }

  let stopped = false;
  let readings = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | null = null;
  const liveFrom = new Map<FleetDevice, number>();
  const bySite = new Map<string, FleetDevice[]>();
  for (const d of fleet) bySite.set(d.site, [...(bySite.get(d.site) ?? []), d]);

  const backfill = async (): Promise<BackfillReport> => {
    const t0 = performance.now();
    let messages = 0;
    const wallStart = Date.now();
    const perMessage = options.historyStepsPerMessage ?? 8;
    const packs = new Map<FleetDevice, { tsMs: number; values: Values }[]>();
    // One loop per site, devices in step: they share the site's conditions at each instant.
    await Promise.all(
      [...bySite.values()].map(async (devices) => {
        let skipped = 0;
        for (let t = backfillFrom + step; t <= backfillTo && !stopped; t += step) {
          if (options.speed) {
            const due = wallStart + (t - backfillFrom) / options.speed;
            if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
          }
          const skip = t <= skipUntil;
          // A day of skipped steps at a time, then the event loop gets a turn.
          if (skip && ++skipped % 96 === 0) await new Promise((r) => setImmediate(r));
          const last = t + step > backfillTo;
          for (const d of devices) {
            // Skipped steps are computed all the same (indexes and sensors carry state), silently.
            if (skip) {
              valuesAt(d, t, () => {});
              continue;
            }
            if (perMessage <= 1) {
              const out = messagesAt(d, t, true, log);
              readings += out.readings;
              messages += out.messages.length;
              for (const m of out.messages) await publishers.get(d)!.publish(m);
              continue;
            }
            const values = valuesAt(d, t, log);
            const buffer = packs.get(d) ?? [];
            packs.set(d, buffer);
            if (values) {
              buffer.push({ tsMs: t, values });
              readings += Object.keys(values).length;
            }
            if (buffer.length > 0 && (buffer.length >= perMessage || last)) {
              messages += 1;
              await publishers.get(d)!.publish(encodeHistoryPack(d.site, d.device.id, buffer.splice(0)));
            }
          }
        }
      }),
    );
    // The minutes between the history's last step and now, at each device's live interval.
    if (backfillFrom < backfillTo) {
      await Promise.all(
        fleet.map(async (d) => {
          let t = backfillTo + d.intervalMs;
          for (; t <= now() && !stopped; t += d.intervalMs) {
            const out = messagesAt(d, t, true, log);
            readings += out.readings;
            messages += out.messages.length;
            for (const m of out.messages) await publishers.get(d)!.publish(m);
          }
          liveFrom.set(d, t);
        }),
      );
    }
    await Promise.all([...publishers.values()].map((p) => p.drain()));
    const report = { fromMs: backfillFrom, toMs: backfillTo, messages, readings, seconds: (performance.now() - t0) / 1000 };
    if (backfillFrom < backfillTo) log({ msg: 'backfill done', from: new Date(backfillFrom).toISOString(), to: new Date(backfillTo).toISOString(), messages, readings, seconds: Number(report.seconds.toFixed(2)) });
    return report;
  };

  const live = () => {
    const next = new Map<FleetDevice, number>();
    // Without a history before them, devices start spread over a second (or their interval, when
    // shorter), as a real fleet is: all in the same millisecond would be a burst at every tick.
    // Not over a whole interval: a weather station would then wait up to 5 min for its first reading.
    fleet.forEach((d, k) => next.set(d, liveFrom.get(d) ?? now() + Math.floor((k / fleet.length) * Math.min(1000, d.intervalMs))));
    const tick = () => {
      if (stopped) return;
      const t = now();
      for (const d of fleet) {
        const due = next.get(d)!;
        if (due > t) continue;
        const out = messagesAt(d, t, d.format !== 'plain', log);
        for (const m of out.messages) {
          if (publishers.get(d)!.tryPublish(m)) readings += out.readings / out.messages.length;
          else dropped += 1;
        }
        // A late tick (a busy event loop) does not make the device send a burst to catch up.
        next.set(d, due + d.intervalMs > t ? due + d.intervalMs : t + d.intervalMs);
      }
      timer = setTimeout(tick, Math.min(250, Math.max(20, Math.min(...fleet.map((d) => d.intervalMs)) / 10)));
    };
    tick();
  };

  const backfillDone = backfill().then((report) => {
    if (options.live !== false && !stopped) live();
    return report;
  });
  backfillDone.catch(() => {});

  return {
    injections: plan.injections,
    skipped: plan.skipped,
    devices: fleet.length,
    backfillDone,
    stats() {
      let sent = 0;
      let acked = 0;
      let failed = 0;
      for (const p of publishers.values()) {
        sent += p.stats.sent;
        acked += p.stats.acked;
        failed += p.stats.failed;
      }
      return { sent, acked, failed, dropped, readings };
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all([...publishers.values()].map((p) => p.stop()));
    },
  };
}
