/**
 * Preloaded into the service by the PUBACK benchmarks (`--import` this file, LOOP_PROBE_FILE set):
 * records every stretch during which the main thread did not run its timers, as
 * `<start epoch ms> <length ms>` lines appended to LOOP_PROBE_FILE. Every PUBACK waits for the
 * stretch it falls into, so these lines tell which phase (or which minute's rule cycle) delayed it.
 * perf_hooks.monitorEventLoopDelay gives a histogram without times, which cannot be split by phase.
 * Bench-only: never imported by src/.
 */
import { appendFile } from 'node:fs/promises';

const file = process.env.LOOP_PROBE_FILE;
/** Timer period, ms: a stretch shows as a timer firing late by about its length. */
const TICK_MS = 2;
/** Shorter delays are timer jitter, not work. */
const RECORD_FROM_MS = 5;

if (file) {
  let lines: string[] = [];
  let expectedMs = performance.now() + TICK_MS;
  const tick = () => {
    const nowMs = performance.now();
    const lateMs = nowMs - expectedMs;
    if (lateMs >= RECORD_FROM_MS) lines.push(`${(Date.now() - lateMs).toFixed(1)} ${lateMs.toFixed(1)}`);
    expectedMs = nowMs + TICK_MS;
    setTimeout(tick, TICK_MS).unref();
  };
  setTimeout(tick, TICK_MS).unref();
  // Appended asynchronously, in batches: the probe must not add stretches of its own.
  setInterval(() => {
    if (lines.length === 0) return;
    const text = lines.join('\n') + '\n';
    lines = [];
    void appendFile(file, text);
  }, 250).unref();
}
