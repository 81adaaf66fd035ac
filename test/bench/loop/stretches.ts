/**
 * What delayed the PUBACKs of a phase: the main-thread stretches test/bench/loop/probe.ts recorded
 * in the service, and the PUBACKs split by whether they were sent during a rule cycle. The rule
 * scheduler fires at second 0 of every minute (src/rules/scheduler.ts, CADENCE_CRON; the hourly
 * cadence at minute 2 too), so "a rule-cycle window" is the first `cycleWindowMs` of each minute:
 * a cycle's stretches fall there, and the benchmarks report those PUBACKs apart, because a phase of
 * 15 s holds either one cycle or none, which alone decided the earlier per-round p99s.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));

/** Node flags that preload the probe after tsx (the service is started with `--import tsx` too). */
export const probeNodeArgs = ['--import', 'tsx', '--import', PROBE];

export interface Stretch {
  startMs: number;
  ms: number;
}

export interface SentAck {
  /** Epoch ms at which the message was published. */
  sentMs: number;
  latencyMs: number;
}

export async function readStretches(file: string): Promise<Stretch[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => {
    const [start, ms] = line.split(' ');
    return { startMs: Number(start), ms: Number(ms) };
  });
}

export const inCycleWindow = (epochMs: number, cycleWindowMs: number) => epochMs % 60_000 < cycleWindowMs;

export const percentile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

/** The stretches that began in [fromMs, toMs), split by rule-cycle window. */
export function stretchesOf(all: readonly Stretch[], fromMs: number, toMs: number, cycleWindowMs: number): { outside: Stretch[]; cycle: Stretch[] } {
  const inPhase = all.filter((s) => s.startMs >= fromMs && s.startMs < toMs);
  return { outside: inPhase.filter((s) => !inCycleWindow(s.startMs, cycleWindowMs)), cycle: inPhase.filter((s) => inCycleWindow(s.startMs, cycleWindowMs)) };
}

/** `stretchesOf` over several windows of one phase (a phase runs once per round), pooled. */
export function stretchesOfWindows(all: readonly Stretch[], windows: ReadonlyArray<{ fromMs: number; toMs: number }>, cycleWindowMs: number): { outside: Stretch[]; cycle: Stretch[] } {
  const out: { outside: Stretch[]; cycle: Stretch[] } = { outside: [], cycle: [] };
  for (const w of windows) {
    const s = stretchesOf(all, w.fromMs, w.toMs, cycleWindowMs);
    out.outside.push(...s.outside);
    out.cycle.push(...s.cycle);
  }
  return out;
}

/** PUBACK latencies split by whether the message was sent in a rule-cycle window, each sorted. */
export function splitAcks(acks: readonly SentAck[], cycleWindowMs: number): { outside: number[]; cycle: number[]; all: number[] } {
  const sorted = (xs: SentAck[]) => xs.map((x) => x.latencyMs).sort((p, q) => p - q);
  return {
    outside: sorted(acks.filter((x) => !inCycleWindow(x.sentMs, cycleWindowMs))),
    cycle: sorted(acks.filter((x) => inCycleWindow(x.sentMs, cycleWindowMs))),
    all: sorted([...acks]),
  };
}

/** "n stretches ≥ 5 ms, longest L ms, 3 ≥ 50 ms, total T ms" of a list. */
export function describeStretches(list: readonly Stretch[]): string {
  if (list.length === 0) return 'no stretch ≥ 5 ms';
  const ms = list.map((s) => s.ms).sort((p, q) => p - q);
  const total = ms.reduce((t, x) => t + x, 0);
  return `${ms.length} stretches ≥ 5 ms, longest ${ms.at(-1)!.toFixed(0)} ms, p90 ${percentile(ms, 0.9).toFixed(0)} ms, ${ms.filter((x) => x >= 50).length} ≥ 50 ms, total ${total.toFixed(0)} ms`;
}

/** "p50 a ms, p99 b ms (n messages)" of sorted latencies. */
export function describeAcks(sorted: readonly number[]): string {
  return sorted.length === 0 ? 'no message' : `p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p99 ${percentile(sorted, 0.99).toFixed(1)} ms (${sorted.length} messages)`;
}

/** "+12 %" change of p99 against a reference, or "n/a" when either is empty. */
export function p99Change(sorted: readonly number[], reference: readonly number[]): string {
  if (sorted.length === 0 || reference.length === 0) return 'n/a';
  const change = (percentile(sorted, 0.99) / percentile(reference, 0.99) - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(0)} %`;
}
