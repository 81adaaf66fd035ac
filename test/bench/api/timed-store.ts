import type { ReadingStore } from '../../../src/storage/port.js';

export interface CallStats {
  calls: number;
  totalMs: number;
  maxMs: number;
}

/**
 * The store with every method call timed (count, total and longest per method); `busyMs` is the
 * wall time during which at least one call was in flight. Rollup writes run in the background (an
 * answer never waits for them): counted, but not in busyMs nor in `calls`.
 */
export function timedStore(store: ReadingStore) {
  const byMethod = new Map<string, CallStats>();
  const calls: Array<{ method: string; args: unknown[] }> = [];
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string' || ['start', 'stop', 'write'].includes(prop)) return typeof v === 'function' ? v.bind(target) : v;
      const background = prop === 'putRollups';
      return async (...a: unknown[]) => {
        if (!background) calls.push({ method: prop, args: a });
        const t0 = performance.now();
        if (!background && inFlight++ === 0) busySince = t0;
        try {
          return await (v as (...x: unknown[]) => Promise<unknown>).apply(target, a);
        } finally {
          const t1 = performance.now();
          if (!background && --inFlight === 0) busyMs += t1 - busySince;
          const s = byMethod.get(prop) ?? { calls: 0, totalMs: 0, maxMs: 0 };
          s.calls++;
          s.totalMs += t1 - t0;
          s.maxMs = Math.max(s.maxMs, t1 - t0);
          byMethod.set(prop, s);
        }
      };
    },
  });
  return { proxy, byMethod, calls, busyMs: () => busyMs, reset: () => ((busyMs = 0), byMethod.clear()) };
}

export function printCalls(byMethod: Map<string, CallStats>): void {
  for (const [method, s] of [...byMethod].sort((a, b) => b[1].totalMs - a[1].totalMs)) {
    console.log(`  ${method.padEnd(24)} ${String(s.calls).padStart(4)} calls, ${Math.round(s.totalMs)} ms in all, longest ${Math.round(s.maxMs)} ms`);
  }
}
