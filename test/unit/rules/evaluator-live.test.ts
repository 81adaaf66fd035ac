import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../../src/model/reading.js';
import { LIVE_SETTLE_MS } from '../../../src/rules/evaluator.js';
import { co2, HOUR, MIN, rulesHarness } from './harness.js';

const T0 = Date.UTC(2026, 10, 24, 9, 0); // Tuesday 10:00 in Paris
const CO2_RULE = { id: 'co2-high', type: 'threshold', select: { quantities: ['co2_ppm'] }, above: 1500, clearAt: 1200, for: '15m', clearFor: '10m', cooldown: '1h' };

type Harness = Awaited<ReturnType<typeof rulesHarness>>;
const harnesses: Harness[] = [];
afterEach(async () => {
  while (harnesses.length) await harnesses.pop()!.stop();
});
async function harness(rules: Record<string, unknown>[]) {
  const h = await rulesHarness(rules);
  harnesses.push(h);
  return h;
}

/** One reading a minute from minute `from` to `to` (inclusive), each evaluated the minute it arrives. */
async function live(h: Harness, from: number, to: number, value: (m: number) => number) {
  for (let m = from; m <= to; m += 1) {
    h.store([co2(T0 + m * MIN, value(m))]);
    await h.evaluate(T0 + m * MIN + LIVE_SETTLE_MS + 1);
  }
}

describe('threshold on minute readings through the live evaluator (CO2 above 1,500 for 15 min, clearAt 1,200)', () => {
  it('opens when readings have been above for 15 min, starting at the first one, and resolves 10 min into the clear zone', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 14, () => 1650);
    expect(await h.alerts()).toEqual([]);
    await live(h, 15, 15, () => 1650);
    expect(await h.alerts()).toMatchObject([{ rule: 'co2-high', device: 'salle', state: 'open', startMs: T0, openedMs: T0 + 15 * MIN + 1, expected: 1500, unit: 'ppm' }]);
    await live(h, 16, 30, () => 1100);
    expect(await h.alerts()).toMatchObject([{ state: 'resolved', resolvedMs: T0 + 26 * MIN + 1 }]);
    expect((await h.mails()).map((m) => m.kind)).toEqual(['alert-opened', 'alert-resolved']);
  });

  it('hysteresis: hovering between 1,200 and 1,500 after opening keeps one open alert and one mail', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 20, () => 1700);
    await live(h, 21, 200, (m) => (m % 3 === 0 ? 1510 : 1250 + (m % 7) * 30));
    const alerts = await h.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.state).toBe('open');
    expect(await h.mails()).toHaveLength(1);
  });

  it('an airing dipping under 1,200 for less than clearFor does not resolve', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 20, () => 1700);
    await live(h, 21, 29, () => 1000);
    await live(h, 30, 40, () => 1600);
    expect(await h.alerts()).toMatchObject([{ state: 'open', flapCount: 0 }]);
  });

  it('flapping within the cool-down re-opens the same alert (flapCount 1) and mails nothing new', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 20, () => 1700);
    await live(h, 21, 35, () => 1000);
    expect(await h.alerts()).toMatchObject([{ state: 'resolved' }]);
    await live(h, 36, 55, () => 1700);
    expect(await h.alerts()).toMatchObject([{ state: 'open', flapCount: 1 }]);
    expect((await h.mails()).map((m) => m.kind)).toEqual(['alert-opened', 'alert-resolved']);
  });

  it('late data: readings arriving after their window was judged are judged again, with no duplicate alert or mail', async () => {
    const h = await harness([CO2_RULE]);
    // minutes 0..20 arrive one by one; the evaluation at 25 min has judged up to there
    await live(h, 0, 20, () => 1700);
    await h.evaluate(T0 + 25 * MIN);
    expect(await h.alerts()).toHaveLength(1);
    // a gateway's buffer delivers minutes 21..24 late, still above
    h.store([21, 22, 23, 24].map((m) => co2(T0 + m * MIN + 30_000, 1800)));
    await h.evaluate(T0 + 26 * MIN);
    const alerts = await h.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'open', startMs: T0, measured: 1800 });
    expect(await h.mails()).toHaveLength(1);
  });

  it('late data that completes a duration opens the alert (at the right start), once', async () => {
    const h = await harness([CO2_RULE]);
    // live: minutes 0..5 and 12..20 above; 6..11 never arrived -> with no reading between, 0..20 spans 20 min
    await live(h, 0, 5, () => 1700);
    await live(h, 12, 12, () => 1700);
    expect(await h.alerts()).toEqual([]);
    // the late readings 6..11 say 1000 (clear): the episode really started at minute 12
    h.store([6, 7, 8, 9, 10, 11].map((m) => co2(T0 + m * MIN, 1000)));
    await live(h, 13, 30, () => 1700);
    const alerts = await h.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'open' });
    expect(alerts[0]!.startMs).toBe(T0 + 12 * MIN);
    expect(alerts[0]!.openedMs).toBe(T0 + 27 * MIN + 1);
    expect(await h.mails()).toHaveLength(1);
  });

  it('late data in a gap that made an alert open does not duplicate it', async () => {
    const h = await harness([CO2_RULE]);
    // 0..5 above, nothing, then 16 above: 16 min of "above" with no reading between opens the alert
    await live(h, 0, 5, () => 1700);
    await live(h, 16, 16, () => 1700);
    expect(await h.alerts()).toHaveLength(1);
    h.store([6, 7, 8, 9, 10, 11].map((m) => co2(T0 + m * MIN, 1000)));
    await live(h, 17, 40, () => 1700);
    expect(await h.alerts()).toMatchObject([{ state: 'open' }]);
    expect(await h.mails()).toHaveLength(1);
  });

  it('late data showing an open alert\'s episode was not one still lets the alert resolve', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 5, () => 1700);
    await live(h, 16, 16, () => 1700);
    expect(await h.alerts()).toMatchObject([{ state: 'open' }]);
    // the gap's readings arrive late, clear; from then on the room is fine
    h.store([6, 7, 8, 9, 10, 11].map((m) => co2(T0 + m * MIN, 1000)));
    await live(h, 17, 60, () => 1000);
    expect(await h.alerts()).toMatchObject([{ state: 'resolved', resolvedMs: T0 + 17 * MIN + 1 }]);
  });

  it('…and when the condition still holds after the late data, the alert carries on and resolves after clearFor', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 5, () => 1700);
    await live(h, 16, 16, () => 1700);
    h.store([6, 7, 8, 9, 10, 11].map((m) => co2(T0 + m * MIN, 1000)));
    await live(h, 17, 20, () => 1700);
    expect(await h.alerts()).toMatchObject([{ state: 'open', startMs: T0 }]);
    await live(h, 21, 40, () => 1000);
    expect(await h.alerts()).toMatchObject([{ state: 'resolved', resolvedMs: T0 + 31 * MIN + 1, flapCount: 0 }]);
    expect((await h.mails()).map((m) => m.kind)).toEqual(['alert-opened', 'alert-resolved']);
  });

  it('a restart mid-duration (a new evaluator on the same state) opens once 15 min have accumulated', async () => {
    const h = await harness([CO2_RULE]);
    await live(h, 0, 9, () => 1700);
    h.restart();
    await live(h, 10, 14, () => 1700);
    expect(await h.alerts()).toEqual([]);
    await live(h, 15, 30, () => 1700);
    expect(await h.alerts()).toMatchObject([{ startMs: T0, openedMs: T0 + 15 * MIN + 1 }]);
    expect(await h.mails()).toHaveLength(1);
  });
});

describe('silent-device on minute readings', () => {
  const RULE = { id: 'device-silent', type: 'silent-device', after: '1h', cooldown: '1h' };
  const reading = (tsMs: number): Reading => ({ site: 'site-a', device: 'tgbt', quantity: 'energy_kwh', tsMs, value: 1000 + tsMs / 1e9 });

  it('opens 1 h after the last reading, resolves at the next one; a device that never published is not silent', async () => {
    const h = await harness([RULE]);
    for (let m = 0; m <= 30; m += 5) h.store([reading(T0 + m * MIN)]);
    await h.evaluate(T0 + 31 * MIN);
    await h.evaluate(T0 + 89 * MIN);
    expect(await h.alerts()).toEqual([]);
    await h.evaluate(T0 + 91 * MIN + LIVE_SETTLE_MS);
    // the sensor "salle" never published: only tgbt
    expect(await h.alerts()).toMatchObject([{ device: 'tgbt', rule: 'device-silent', state: 'open', startMs: T0 + 90 * MIN }]);
    for (let m = 0; m < 6 * 60; m += 10) await h.evaluate(T0 + 91 * MIN + m * MIN);
    expect(await h.alerts()).toHaveLength(1);
    h.store([reading(T0 + 8 * HOUR)]);
    await h.evaluate(T0 + 8 * HOUR + LIVE_SETTLE_MS + 1);
    expect(await h.alerts()).toMatchObject([{ state: 'resolved', resolvedMs: T0 + 8 * HOUR + 1 }]);
    // grouped silent-device mails: one for the opening, one for the resolution
    expect((await h.mails()).length).toBe(2);
  });
});

describe('counter-integrity on a reset', () => {
  it('a meter index falling back to 0 opens one alert, resolved after 24 h without another', async () => {
    const h = await harness([{ id: 'counter-integrity', type: 'counter-integrity', clearFor: '24h', cooldown: '0' }]);
    const readings: Reading[] = [];
    let index = 52_000;
    for (let m = 0; m < 48 * 60; m += 15) {
      index = m === 20 * 60 ? 3 : index + 5; // reset at 20:00 after T0 (meter replaced)
      readings.push({ site: 'site-a', device: 'tgbt', quantity: 'energy_kwh', tsMs: T0 + m * MIN, value: index });
    }
    h.store(readings);
    for (let t = 1; t <= 48; t += 1) await h.evaluate(T0 + t * HOUR + 2 * MIN, 'hourly');
    const alerts = await h.alerts();
    expect(alerts).toHaveLength(1);
    // the hour (19:00, 20:00] holds the reset: measured is the raw step, expected the corrected one
    expect(alerts[0]).toMatchObject({ rule: 'counter-integrity', device: 'tgbt', startMs: T0 + 19 * HOUR, openedMs: T0 + 20 * HOUR, state: 'resolved' });
    expect(alerts[0]!.measured).toBeLessThan(-50_000);
    expect(alerts[0]!.resolvedMs).toBe(T0 + 44 * HOUR); // 24 clear hours after the reset hour
  });
});
