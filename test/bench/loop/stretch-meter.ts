/**
 * In-process twin of probe.ts for benchmarks that run the code under test in their own process:
 * records the stretches during which this thread ran no timer (each delays every I/O callback,
 * so every PUBACK of a service doing the same work).
 */
import type { Stretch } from './stretches.js';

const TICK_MS = 2;
const RECORD_FROM_MS = 5;

export function startStretchMeter(): { stop: () => Stretch[] } {
  const stretches: Stretch[] = [];
  let expectedMs = performance.now() + TICK_MS;
  let timer: NodeJS.Timeout;
  const tick = () => {
    const nowMs = performance.now();
    const lateMs = nowMs - expectedMs;
    if (lateMs >= RECORD_FROM_MS) stretches.push({ startMs: Date.now() - lateMs, ms: lateMs });
    expectedMs = nowMs + TICK_MS;
    timer = setTimeout(tick, TICK_MS);
  };
  timer = setTimeout(tick, TICK_MS);
  return {
    stop: () => {
      clearTimeout(timer);
      // The stretch still running when stopped (a synchronous end of the measured work) counts too.
      const lateMs = performance.now() - expectedMs;
      if (lateMs >= RECORD_FROM_MS) stretches.push({ startMs: Date.now() - lateMs, ms: lateMs });
      return stretches;
    },
  };
}
