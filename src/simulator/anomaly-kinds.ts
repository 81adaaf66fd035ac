/**
 * The cases the anomaly rules must catch (issue 12): what each one does to the simulated data.
 *
 * - `heating-weekend`: the heating keeps its occupied set point over a whole non-working weekend;
 * - `night-load`: an extra load of 40 % of the building's activity load from 23:00 to 05:00;
 * - `stuck-sensor`: a sensor keeps publishing the same values for a day (a frozen firmware or a
 *   gateway forwarding its last value stays so until someone looks: a day is the short end);
 * - `meter-reset`: a meter's index restarts from zero (meter replaced, pulse counter power loss);
 * - `spike`: one index reading jumps by a day of the circuit's maximum power, then the index is
 *   normal again (a counter step above `maxPowerW`, which the analytics reject as a spike);
 * - `silent-device`: a device publishes nothing for 3 hours, then resumes;
 * - `slow-drift`: the building's always-on load creeps up by 30 % over three weeks and stays there.
 */
export const ANOMALY_KINDS = ['heating-weekend', 'night-load', 'stuck-sensor', 'meter-reset', 'spike', 'silent-device', 'slow-drift'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** One injection, as logged (one JSON line) and returned by the simulator's function API. */
export interface Injection {
  what: AnomalyKind;
  site: string;
  device: string;
  /** Epoch ms; `meter-reset` and `spike` last one reading: `toMs` is the reading's time. */
  fromMs: number;
  toMs: number;
  detail: string;
}

/** The JSON log line of an injection: what, device (`site/device`), from, to (ISO 8601). */
export function injectionLogLine(i: Injection): Record<string, string> {
  return { msg: 'anomaly injected', what: i.what, device: `${i.site}/${i.device}`, from: new Date(i.fromMs).toISOString(), to: new Date(i.toMs).toISOString(), detail: i.detail };
}

export function activeAt(injections: readonly Injection[], tMs: number, what: AnomalyKind): Injection | undefined {
  return injections.find((i) => i.what === what && tMs >= i.fromMs && tMs < i.toMs);
}
