import type { DeviceConfig } from '../config/schema.js';
import { localMidnightMs } from '../energy/local-time.js';
import { ANOMALY_KINDS, type AnomalyKind, type Injection } from './anomaly-kinds.js';
import { SLOT_MS } from './meters.js';
import type { Rng } from './random.js';
import type { SiteModel } from './site-model.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Long enough for the default sensor-flatline rule (12 unchanged hours) and its `for`, with a working day in it. */
const STUCK_MS = 24 * HOUR_MS;

export interface PlanResult {
  injections: Injection[];
  /** Kinds that could not be placed, and why (no weekend in the window, no sensor in the sites…). */
  skipped: { what: AnomalyKind; reason: string }[];
}

const isMainMeter = (d: DeviceConfig) => d.kind === 'electricity-meter' && d.submeterOf === undefined && d.quantities.includes('energy_kwh');
const isSensor = (d: DeviceConfig) => d.kind !== 'weather-station' && /sensor/.test(d.kind);
const isHeatingMeter = (m: SiteModel) => (d: DeviceConfig) => (m.heatingCarrier === 'gas' ? d.kind === 'gas-meter' : m.heatingCarrier === 'heat' ? d.kind === 'heat-meter' : isMainMeter(d));

/** The device each kind acts on, first site first; sites rotate with the kind so that one site does not get them all. */
function candidates(kind: AnomalyKind, m: SiteModel): DeviceConfig[] {
  const ds = m.site.devices;
  switch (kind) {
    case 'heating-weekend':
      return m.profile.heatLossWPerM2K > 0.8 ? ds.filter(isHeatingMeter(m)) : [];
    case 'night-load':
    case 'slow-drift':
    case 'meter-reset':
      return ds.filter(isMainMeter);
    case 'spike':
      return ds.filter((d) => d.maxPowerW !== undefined && d.quantities.includes('energy_kwh'));
    case 'stuck-sensor':
      return [...ds.filter(isSensor), ...ds.filter((d) => d.kind === 'weather-station')];
    case 'silent-device':
      return [...ds.filter((d) => d.kind !== 'weather-station' && !isMainMeter(d)), ...ds.filter(isMainMeter)];
  }
}

/** Local midnight following the local date of `tMs`. */
function nextMidnight(m: SiteModel, tMs: number): number {
  const date = m.clock.at(tMs).date;
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return localMidnightMs(next, m.site.timezone);
}

/** Working days whose given local hour lies in [fromMs, toMs − lengthMs]. */
function workingHours(m: SiteModel, fromMs: number, toMs: number, hour: number, lengthMs: number): number[] {
  const out: number[] = [];
  for (let day = nextMidnight(m, fromMs - DAY_MS); day < toMs; day = nextMidnight(m, day + HOUR_MS)) {
    const at = day + hour * HOUR_MS;
    if (at >= fromMs && at + lengthMs <= toMs && m.clock.at(at).dayType === 'working') out.push(at);
  }
  return out;
}

/** Runs of consecutive days off (weekend, holidays) inside the window, each [first midnight, next working midnight). */
function daysOff(m: SiteModel, fromMs: number, toMs: number): { fromMs: number; toMs: number }[] {
  const runs: { fromMs: number; toMs: number }[] = [];
  let start: number | null = null;
  for (let day = nextMidnight(m, fromMs - 1); day < toMs; day = nextMidnight(m, day + HOUR_MS)) {
    const off = m.clock.at(day + HOUR_MS).dayType !== 'working';
    if (off && start === null) start = day;
    if (!off && start !== null) {
      runs.push({ fromMs: start, toMs: day });
      start = null;
    }
  }
  return runs.filter((r) => r.toMs - r.fromMs <= 4 * DAY_MS);
}

export interface PlanOptions {
  /**
   * The demo's ending (issue 12: it ends with open alerts): the stuck sensor and the silent device
   * start before `toMs` and last a day past it, so their alerts are open when the history has
   * been judged; the night load and the heating left on take the last night and the coldest of the
   * last three runs of days off of the window, so theirs are the most recent. Otherwise every case ends inside it.
   */
  ongoingAtEnd?: boolean;
}

/** The stuck sensor's head start before the end, with `ongoingAtEnd`: the flatline rule's 12 unchanged hourly means and its hour of `for`, with room. */
const STUCK_BEFORE_END_MS = 18 * HOUR_MS;
/** The silent device's head start: the device-silent rule's `after` (1 h) twice over, and its first minute cycle. */
const SILENT_BEFORE_END_MS = 3 * HOUR_MS;
/** With `ongoingAtEnd`, heating left on goes on the coldest of the window's last runs of days off. */
const RECENT_RUNS = 3;

/**
 * Places one injection of each kind in [fromMs, toMs): each kind in its own part of the window
 * (the drift over three weeks or half the window, whichever is shorter), each on a device of a
 * different site where the configuration allows. Heating left on goes on the coldest weekend.
 */
export function planAnomalies(models: readonly SiteModel[], fromMs: number, toMs: number, rng: Rng, options: PlanOptions = {}): PlanResult {
  const ongoing = options.ongoingAtEnd === true;
  const injections: Injection[] = [];
  const skipped: PlanResult['skipped'] = [];
  const span = toMs - fromMs;
  const part = span / ANOMALY_KINDS.length;
  ANOMALY_KINDS.forEach((what, k) => {
    let target: { m: SiteModel; d: DeviceConfig } | null = null;
    for (let j = 0; j < models.length && !target; j++) {
      const m = models[(k + j) % models.length]!;
      const d = candidates(what, m)[0];
      if (d) target = { m, d };
    }
    if (!target) {
      skipped.push({ what, reason: 'no device of the selected sites can show it' });
      return;
    }
    const { m, d } = target;
    const partFrom = fromMs + k * part;
    const grid = (t: number) => Math.ceil(t / SLOT_MS) * SLOT_MS;
    const randomIn = (a: number, b: number) => grid(a + rng.next() * Math.max(0, b - a));
    const add = (a: number, b: number, detail: string) => injections.push({ what, site: m.site.id, device: d.id, fromMs: a, toMs: b, detail });
    switch (what) {
      case 'slow-drift': {
        const length = Math.min(21 * DAY_MS, span / 2);
        const a = randomIn(fromMs, toMs - length);
        add(a, a + length, `always-on load +30 % over ${(length / DAY_MS).toFixed(1)} days, then stays`);
        break;
      }
      case 'heating-weekend': {
        const runs = daysOff(m, fromMs, toMs);
        if (runs.length === 0) {
          skipped.push({ what, reason: 'no whole weekend in the window' });
          return;
        }
        const meanC = (r: { fromMs: number; toMs: number }) => m.weather.temperatureC(r.fromMs + 12 * HOUR_MS);
        // The demo's: the coldest of the last three, so that it is recent and still shows (a mild weekend needs little heating).
        const among = ongoing ? runs.slice(-RECENT_RUNS) : runs;
        const chosen = among.reduce((a, b) => (meanC(b) < meanC(a) ? b : a));
        add(chosen.fromMs, chosen.toMs, 'heating kept at its occupied set point over the days off');
        break;
      }
      case 'night-load': {
        const nights = workingHours(m, partFrom, toMs, 23, 6 * HOUR_MS);
        if (nights.length === 0) return void skipped.push({ what, reason: 'no working-day night in the window' });
        const a = ongoing ? nights.at(-1)! : nights[0]!;
        add(a, a + 6 * HOUR_MS, 'extra load of 40 % of the activity load, 23:00–05:00');
        break;
      }
      case 'stuck-sensor': {
        if (ongoing) {
          const a = grid(toMs - STUCK_BEFORE_END_MS);
          add(a, toMs + DAY_MS, 'every value frozen from 18 h before the end of the history, for a day and 18 h');
          break;
        }
        const mornings = workingHours(m, partFrom, toMs, 9, STUCK_MS);
        const a = mornings[0] ?? randomIn(partFrom, Math.min(toMs, partFrom + part) - STUCK_MS);
        add(a, a + STUCK_MS, 'every value frozen for 24 h');
        break;
      }
      case 'silent-device': {
        if (ongoing) {
          const a = grid(toMs - SILENT_BEFORE_END_MS);
          add(a, toMs + DAY_MS, 'publishes nothing from 3 h before the end of the history, for a day and 3 h');
          break;
        }
        const a = randomIn(partFrom, partFrom + part - 3 * HOUR_MS);
        add(a, a + 3 * HOUR_MS, 'publishes nothing for 3 h');
        break;
      }
      case 'meter-reset': {
        const a = randomIn(partFrom, partFrom + part);
        add(a, a, 'index restarts from zero');
        break;
      }
      case 'spike': {
        const a = randomIn(partFrom, partFrom + part);
        add(a, a, `one reading ${((d.maxPowerW ?? 100_000) / 1000) * 24} kWh too high (a day at maxPowerW), then normal again`);
        break;
      }
    }
  });
  const lastsPast = (i: Injection) => ongoing && (i.what === 'stuck-sensor' || i.what === 'silent-device');
  const inside = injections.filter((i) => i.fromMs >= fromMs && (i.toMs <= toMs || lastsPast(i)) && i.fromMs <= i.toMs);
  for (const i of injections) if (!inside.includes(i)) skipped.push({ what: i.what, reason: 'the window is too short for it' });
  return { injections: inside, skipped };
}
