import { describe, expect, it } from 'vitest';
import { AnalyticsBusyError, AnalyticsGate } from '../../../src/api/analytics-gate.js';
import type { EnergyAnalyticsService } from '../../../src/energy/analytics-service.js';
import { harness } from './helpers.js';

/** A computation the test finishes when it wants, recording when it started. */
function controlled(log: string[], name: string) {
  let finish!: (v: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  return { compute: () => (log.push(`start ${name}`), done), finish: () => (log.push(`end ${name}`), finish(name)) };
}
const turns = async (n = 5) => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};

describe('AnalyticsGate', () => {
  it('runs one computation at a time, in arrival order', async () => {
    const gate = new AnalyticsGate({ share: 1 });
    const log: string[] = [];
    const a = controlled(log, 'a');
    const b = controlled(log, 'b');
    const c = controlled(log, 'c');
    const results = [gate.run(a.compute), gate.run(b.compute), gate.run(c.compute)];
    await turns();
    expect(log).toEqual(['start a']);
    expect(gate.queued).toBe(2);
    a.finish();
    await turns();
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.finish();
    await turns();
    c.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('after a computation of d ms, the next waits d·(1 − share)/share: the computations take at most `share` of the loop', async () => {
    let fakeMs = 1_000;
    const gate = new AnalyticsGate({ share: 0.5, clock: () => fakeMs });
    // The first computation "lasts" 80 ms on the gate's clock.
    await gate.run(async () => {
      fakeMs += 80;
    });
    const t0 = performance.now();
    let startedAfterMs = -1;
    await gate.run(async () => {
      startedAfterMs = performance.now() - t0;
    });
    // A timer never fires early by more than a millisecond's rounding.
    expect(startedAfterMs).toBeGreaterThanOrEqual(79);
  });

  it('a failed computation is passed on and frees the gate for the next', async () => {
    const gate = new AnalyticsGate({ share: 1 });
    await expect(gate.run(() => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    await expect(gate.run(async () => 42)).resolves.toBe(42);
  });

  it('refuses a computation beyond maxQueued waiting, saying how many wait and when to come back', async () => {
    const gate = new AnalyticsGate({ share: 1, maxQueued: 2 });
    const log: string[] = [];
    const first = controlled(log, 'first');
    const running = gate.run(first.compute);
    const waiting = [gate.run(async () => 'w1'), gate.run(async () => 'w2')];
    await turns();
    const refused = await gate.run(async () => 'w3').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AnalyticsBusyError);
    expect((refused as AnalyticsBusyError).queued).toBe(2);
    expect((refused as AnalyticsBusyError).retryAfterS).toBeGreaterThanOrEqual(1);
    first.finish();
    expect(await Promise.all([running, ...waiting])).toEqual(['first', 'w1', 'w2']);
  });

  it('rejects a share outside (0, 1]', () => {
    expect(() => new AnalyticsGate({ share: 0 })).toThrow('share must be in (0, 1]');
    expect(() => new AnalyticsGate({ share: 1.5 })).toThrow('share must be in (0, 1]');
  });
});

describe('the analytics routes through the gate', () => {
  it('a comparison refused by a full gate is a 503 with Retry-After and the problem code; identical requests share one computation', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let computations = 0;
    const energy = {
      compare: async () => {
        computations += 1;
        await held;
        return { kpis: [], ranking: [] };
      },
      warmUp: async () => undefined,
      refreshAhead: async () => ({ spans: 0, baselines: 0 }),
    } as unknown as EnergyAnalyticsService;
    const h = await harness({ energy, analyticsGate: new AnalyticsGate({ share: 1, maxQueued: 1 }), analyticsWarmUp: false });
    const ask = (period: string) => h.app.inject({ url: `/api/compare?${period}` });
    // Two identical requests: one computation, running. A second period waits; a third is refused.
    const sameA = ask('from=2026-01-01&to=2026-01-31');
    const sameB = ask('from=2026-01-01&to=2026-01-31');
    await turns(20);
    const waiting = ask('from=2026-02-01&to=2026-02-28');
    await turns(20);
    const refused = await ask('from=2026-03-01&to=2026-03-31');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    const body = refused.json<{ code: string; params: { queued: number; retryAfterS: number } }>();
    expect(body.code).toBe('analytics-busy');
    expect(body.params.queued).toBe(1);
    expect(body.params.retryAfterS).toBe(Number(refused.headers['retry-after']));
    release();
    const answers = await Promise.all([sameA, sameB, waiting]);
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(computations).toBe(2);
  });
});
