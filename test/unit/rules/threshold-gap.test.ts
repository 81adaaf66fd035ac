import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_SETTLE_MS } from '../../../src/rules/evaluator.js';
import { co2, MIN, rulesHarness } from './harness.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const CO2_RULE = { id: 'co2-high', type: 'threshold', select: { quantities: ['co2_ppm'] }, above: 1500, clearAt: 1200, for: '15m', clearFor: '10m' };

type Harness = Awaited<ReturnType<typeof rulesHarness>>;
const harnesses: Harness[] = [];
afterEach(async () => {
  while (harnesses.length) await harnesses.pop()!.stop();
});

async function minutes(h: Harness, list: readonly number[], value: number) {
  for (const m of list) {
    h.store([co2(T0 + m * MIN, value)]);
    await h.evaluate(T0 + m * MIN + LIVE_SETTLE_MS + 1);
  }
}

describe('a gap in the readings breaks "for 15 min" (maxGap, 15 min by default for live rules)', () => {
  it('two readings above 20 min apart are not "above for 15 min"; 15 min of readings after the gap are', async () => {
    const h = await rulesHarness([CO2_RULE]);
    harnesses.push(h);
    await minutes(h, [0, 1], 1700);
    // Nothing for 20 minutes (the evaluator still ticks every minute), then above again.
    for (let m = 2; m < 22; m += 1) await h.evaluate(T0 + m * MIN + LIVE_SETTLE_MS + 1);
    await minutes(h, [22], 1700);
    expect(await h.alerts()).toEqual([]);
    await minutes(h, Array.from({ length: 15 }, (_, i) => 23 + i), 1700);
    expect(await h.alerts()).toMatchObject([{ rule: 'co2-high', state: 'open', startMs: T0 + 22 * MIN }]);
  });

  it('a rule may allow a longer gap (maxGap: 30m): the same readings then count from the first one', async () => {
    const h = await rulesHarness([{ ...CO2_RULE, maxGap: '30m' }]);
    harnesses.push(h);
    await minutes(h, [0, 1], 1700);
    for (let m = 2; m < 22; m += 1) await h.evaluate(T0 + m * MIN + LIVE_SETTLE_MS + 1);
    await minutes(h, [22], 1700);
    expect(await h.alerts()).toMatchObject([{ rule: 'co2-high', state: 'open', startMs: T0 }]);
  });
});
