import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import type { Reading } from '../../../src/model/reading.js';
import { LIVE_SETTLE_MS } from '../../../src/rules/evaluator.js';
import { MIN, rulesHarness } from './harness.js';

/**
 * Europe/Paris over the two DST nights of 2026: 29 March (02:00 CET -> 03:00 CEST, a 23 h day) and
 * 25 October (03:00 CEST -> 02:00 CET, the hour 02:00-03:00 twice). Opening hours are local, so
 * an alert bound to them opens and resolves at the same local times on both sides of the change.
 */
function config(workingDays: number[]) {
  return configSchema.parse({
    sites: [
      {
        id: 'site-a', name: 'Site A', usage: 'office', floorAreaM2: 1000, timezone: 'Europe/Paris', country: 'FR',
        calendar: { workingDays, openingHours: { from: '08:00', to: '18:00' } },
        devices: [
          { id: 'tgbt', kind: 'electricity-meter', quantities: ['power_w'], secret: 'test-secret' },
          { id: 'salle', kind: 'multi-sensor', quantities: ['temperature_c'], secret: 'test-secret' },
        ],
        notifications: [{ email: 'gestion@site.example.fr' }],
      },
    ],
  });
}

const NIGHT_LOAD = { id: 'night-load', type: 'threshold', select: { quantities: ['power_w'] }, above: 5000, during: 'out-of-hours', for: '30m', clearFor: '30m', cooldown: '1h' };
const COLD = { id: 'cold', type: 'threshold', select: { quantities: ['temperature_c'] }, below: 16, clearAt: 17, during: 'opening-hours', for: '30m', clearFor: '30m', cooldown: '1h' };

type Harness = Awaited<ReturnType<typeof rulesHarness>>;
const harnesses: Harness[] = [];
afterEach(async () => {
  while (harnesses.length) await harnesses.pop()!.stop();
});

/** A reading every 5 min over [fromMs, toMs) (UTC instants: the repeated local hour is read twice), each evaluated as it comes. */
async function feed(h: Harness, reading: (tsMs: number) => Reading, fromMs: number, toMs: number) {
  for (let t = fromMs; t < toMs; t += 5 * MIN) {
    h.store([reading(t)]);
    await h.evaluate(t + LIVE_SETTLE_MS + 1);
  }
}
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('rules bound to opening hours across the DST nights (Europe/Paris)', () => {
  it.each([
    // Friday 18:00 CET = 17:00Z; Monday 08:00 CEST = 06:00Z (spring forward in between)
    ['spring forward, 29 March 2026', '2026-03-27T12:00:00Z', '2026-03-30T12:00:00Z', '2026-03-27T17:00:00.000Z', '2026-03-27T17:30:00.001Z', '2026-03-30T06:30:00.001Z'],
    // Friday 18:00 CEST = 16:00Z; Monday 08:00 CET = 07:00Z (fall back in between)
    ['fall back, 25 October 2026', '2026-10-23T12:00:00Z', '2026-10-26T12:00:00Z', '2026-10-23T16:00:00.000Z', '2026-10-23T16:30:00.001Z', '2026-10-26T07:30:00.001Z'],
  ])('%s: a load left on over the weekend is one out-of-hours alert, from Friday 18:00 to Monday 08:00 local', async (_name, from, to, start, opened, resolved) => {
    const h = await rulesHarness([NIGHT_LOAD], config([1, 2, 3, 4, 5]));
    harnesses.push(h);
    await feed(h, (tsMs) => ({ site: 'site-a', device: 'tgbt', quantity: 'power_w', tsMs, value: 12_000 }), Date.parse(from), Date.parse(to));
    const alerts = await h.alerts();
    expect(alerts.map((a) => ({ start: iso(a.startMs), opened: iso(a.openedMs), resolved: iso(a.resolvedMs), flaps: a.flapCount }))).toEqual([{ start, opened, resolved, flaps: 0 }]);
    expect((await h.mails()).map((m) => m.kind)).toEqual(['alert-opened', 'alert-resolved']);
  });

  it.each([
    // the 23 h day: 08:00 CEST = 06:00Z, 18:00 CEST = 16:00Z
    ['29 March 2026 (23 h)', '2026-03-28T20:00:00Z', '2026-03-29T22:00:00Z', '2026-03-29T06:00:00.000Z', '2026-03-29T06:30:00.001Z', '2026-03-29T16:30:00.001Z'],
    // the 25 h day: 08:00 CET = 07:00Z, 18:00 CET = 17:00Z
    ['25 October 2026 (25 h)', '2026-10-24T20:00:00Z', '2026-10-25T23:00:00Z', '2026-10-25T07:00:00.000Z', '2026-10-25T07:30:00.001Z', '2026-10-25T17:30:00.001Z'],
  ])('on %s, a cold room during opening hours alerts from 08:30 to 18:30 local, once', async (_name, from, to, start, opened, resolved) => {
    // open every day, so that the DST Sunday itself has opening hours
    const h = await rulesHarness([COLD], config([1, 2, 3, 4, 5, 6, 7]));
    harnesses.push(h);
    await feed(h, (tsMs) => ({ site: 'site-a', device: 'salle', quantity: 'temperature_c', tsMs, value: 12 }), Date.parse(from), Date.parse(to));
    const alerts = await h.alerts();
    expect(alerts.map((a) => ({ start: iso(a.startMs), opened: iso(a.openedMs), resolved: iso(a.resolvedMs) }))).toEqual([{ start, opened, resolved }]);
  });

  it('the repeated hour of 25 October, readings in both copies, gives no second alert', async () => {
    const h = await rulesHarness([NIGHT_LOAD], config([1, 2, 3, 4, 5]));
    harnesses.push(h);
    // 00:00 to 05:00 local on the fall-back night = 22:00Z to 04:00Z: 02:00-03:00 local comes twice
    // (00:00Z-01:00Z CEST, then 01:00Z-02:00Z CET); load only from 01:30 local to 04:00 local
    const on = (t: number) => t >= Date.parse('2026-10-24T23:30:00Z') && t < Date.parse('2026-10-25T03:00:00Z');
    await feed(h, (tsMs) => ({ site: 'site-a', device: 'tgbt', quantity: 'power_w', tsMs, value: on(tsMs) ? 12_000 : 300 }), Date.parse('2026-10-24T22:00:00Z'), Date.parse('2026-10-25T05:00:00Z'));
    const alerts = await h.alerts();
    expect(alerts.map((a) => ({ start: iso(a.startMs), resolved: iso(a.resolvedMs), flaps: a.flapCount }))).toEqual([
      { start: '2026-10-24T23:30:00.000Z', resolved: '2026-10-25T03:30:00.001Z', flaps: 0 },
    ]);
    expect(await h.mails()).toHaveLength(2);
  });
});
