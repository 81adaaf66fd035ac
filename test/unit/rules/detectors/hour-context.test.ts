import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR, type SiteCalendar } from '../../../../src/energy/calendar.js';
import { HOUR_MS } from '../../../../src/energy/local-time.js';
import { HourContext, hourFactsComputed } from '../../../../src/rules/detectors/hour-context.js';
import type { HourlySeries } from '../../../../src/rules/judgement.js';

// Monday 2016-03-07 00:00 Paris: the ranges below cross the spring DST change (27 March), Easter
// Monday (28 March, a French holiday) and a configured closure.
const startMs = Date.parse('2016-03-07T00:00:00+01:00');
const calendar = (): SiteCalendar => ({ country: 'FR', ...DEFAULT_CALENDAR, closures: [{ from: '2016-04-11', to: '2016-04-15', label: 'works' }] });
const seriesOn = (cal: SiteCalendar, phaseMs = 0): HourlySeries => ({ startMs: startMs + phaseMs, values: new Float64Array(0), unit: 'kWh', timezone: 'Europe/Paris', calendar: cal });

function facts(ctx: HourContext): string[] {
  const out: string[] = [];
  for (let i = ctx.lo; i < ctx.hi; i++) out.push(`${i} ${ctx.slot(i)} ${ctx.hourOfDay(i)} ${ctx.dayType(i)} ${ctx.ordinary(i)} ${ctx.open(i)}`);
  return out;
}

describe('hour contexts kept per site calendar', () => {
  it('give every range the facts of a context computed on its own, whatever was asked before', () => {
    const shared = calendar();
    // Forward slides (live cycles), a step back (a rule with a longer lookback), a jump beyond
    // what is kept (a backtest), and ranges of different lengths overlapping.
    const ranges: Array<[number, number]> = [
      [200, 400], [201, 401], [100, 401], [380, 900], [0, 50], [2600, 3000], [150, 2700], [2990, 3100], [1000, 1024],
    ];
    for (const phase of [0, 15 * 60_000]) {
      for (const [lo, hi] of ranges) {
        const kept = new HourContext(seriesOn(shared, phase), lo, hi);
        const fresh = new HourContext(seriesOn(calendar(), phase), lo, hi);
        expect(facts(kept), `${phase} [${lo}, ${hi})`).toEqual(facts(fresh));
      }
    }
  });

  it('are computed once for live cycles whose windows differ in length, one longer than 12 weeks', () => {
    const shared = calendar();
    // A site's energy rules each hour: windows of 28 days, 42 days and 100 days (the daily drift's
    // default lookback) ending at the same hour, the next cycle one hour later.
    const cycle = (end: number) => {
      for (const hours of [672, 1008, 2400]) new HourContext(seriesOn(shared), end - hours, end);
    };
    cycle(3000);
    const first = hourFactsComputed();
    for (let end = 3001; end <= 3048; end++) cycle(end);
    // Two days of cycles: only their 48 new hours are computed.
    expect(hourFactsComputed() - first).toBe(48);
    const fresh = new HourContext(seriesOn(calendar()), 3048 - 2400, 3048);
    expect(facts(new HourContext(seriesOn(shared), 3048 - 2400, 3048))).toEqual(facts(fresh));
  });

  it('mark the holiday, the closure and the 23-hour day', () => {
    const ctx = new HourContext(seriesOn(calendar()), 0, 6 * 168);
    const at = (iso: string) => (Date.parse(iso) - startMs) / HOUR_MS;
    expect(ctx.dayType(at('2016-03-28T10:00:00+02:00'))).toBe('holiday');
    expect(ctx.dayType(at('2016-04-12T10:00:00+02:00'))).toBe('closure');
    expect(ctx.open(at('2016-03-29T10:00:00+02:00'))).toBe(true);
    // 27 March has 23 hours: 03:00 CEST follows 01:00 CET.
    expect(ctx.hourOfDay(at('2016-03-27T03:00:00+02:00'))).toBe(3);
    expect(ctx.hourOfDay(at('2016-03-27T03:00:00+02:00') - 1)).toBe(1);
  });
});
