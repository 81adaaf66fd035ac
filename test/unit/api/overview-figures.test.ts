import { describe, expect, it } from 'vitest';
import { deviceSilence, STALE_AFTER_MS } from '../../../src/api/device-silence.js';
import { siteOverviewFigures, type ProfileState } from '../../../src/api/overview-figures.js';
import { configSchema } from '../../../src/config/schema.js';
import type { HourOfWeekSlot } from '../../../src/energy/baseline/hour-of-week.js';
import { emptySeries, rollUp } from '../../../src/energy/intervals.js';
import { dayEdges, hourEdgesOfDays, localDays, localMidnightMs } from '../../../src/energy/local-time.js';
import type { SiteConsumption } from '../../../src/energy/site-data.js';

const H = 3_600_000;
const TZ = 'Europe/Paris';
const site = configSchema.parse({
  sites: [{ id: 'alpha', name: 'Alpha', usage: 'office', floorAreaM2: 100, timezone: TZ, country: 'FR', devices: [{ id: 'meter', kind: 'electricity-meter', quantities: ['energy_kwh'], secret: 'overview-secret' }, { id: 'air', kind: 'co2-sensor', quantities: ['co2_ppm'], secret: 'overview-secret' }] }],
}).sites[0]!;

/** A month (1st to `today`) of an electricity meter measuring `kWh` every hour, but for the hours `estimated` (a gap spread linearly). */
function month(monthFrom: string, today: string, kWh: number, estimated: ReadonlySet<number> = new Set()): SiteConsumption {
  const days = localDays(monthFrom, today, TZ);
  const hourEdges = hourEdgesOfDays(days);
  const hourly = emptySeries(hourEdges);
  for (let i = 0; i < hourly.values.length; i++) {
    hourly.values[i] = kWh;
    hourly.coveredMs[i] = H;
    if (estimated.has(hourEdges[i]!)) hourly.estimatedMs[i] = H;
  }
  return { days, hourEdges, byCarrier: new Map([['electricity', { carrier: 'electricity', unit: 'kWh', hourly, daily: rollUp(hourly, dayEdges(days)) }]]), corrections: [] };
}

const slots = (count: number, median = 10): HourOfWeekSlot[] => Array.from({ length: 168 }, (_, slot) => ({ slot, median, p10: median - 2, p90: median + 2, count }));
const ready = (count: number): ProfileState => ({ kind: 'ready', profile: slots(count), period: { from: '2026-10-05', to: '2026-11-01' } });

function figures(today: string, nowIso: string, profile: ProfileState, dayType: 'working' | 'holiday' = 'working', consumption = month(`${today.slice(0, 8)}01`, today, 10)) {
  return siteOverviewFigures({ site, nowMs: Date.parse(nowIso), todayStartMs: localMidnightMs(today, TZ), today, monthFrom: `${today.slice(0, 8)}01`, dayType, month: consumption, gasKWhPerM3: 10, profile });
}

describe('the overview figures of one site', () => {
  it('compares the complete hours of today with the slots, inside the P10–P90 band', () => {
    // 09:40 in Paris: 9 complete hours.
    const f = figures('2026-11-10', '2026-11-10T08:40:00Z', ready(4));
    expect(f.today).toMatchObject({ elapsedHours: 9, finalMeasuredHours: 9, finalKWh: 90, untilMs: Date.parse('2026-11-10T08:00:00Z') });
    expect(f.today.baseline).toMatchObject({ status: 'ok', comparedHours: 9, actualKWh: 90, expectedKWh: 90, lowKWh: 72, highKWh: 108, deviationPct: 0, withinBand: true, problems: [] });
    expect(f.month).toMatchObject({ kWh: 9 * 24 * 10 + 90, kWhPerM2: (9 * 24 * 10 + 90) / 100, coverage: { measuredHours: 225, expectedHours: 225, sufficient: true } });
  });

  it('leaves an estimated hour out of today, and says so through the hours measured', () => {
    const gap = Date.parse('2026-11-10T02:00:00Z');
    const f = figures('2026-11-10', '2026-11-10T08:40:00Z', ready(4), 'working', month('2026-11-01', '2026-11-10', 10, new Set([gap])));
    expect(f.today.carriers).toEqual([{ carrier: 'electricity', unit: 'kWh', value: 80, measuredHours: 8 }]);
    expect(f.today.baseline).toMatchObject({ comparedHours: 8, actualKWh: 80, expectedKWh: 80 });
  });

  it('states no comparison on a public holiday, nor with slots seen on too few weeks', () => {
    expect(figures('2026-11-11', '2026-11-11T08:40:00Z', ready(4), 'holiday').today.baseline).toMatchObject({ status: 'unavailable', referencePeriod: { from: '2026-10-05' }, expectedKWh: null, problems: [{ code: 'profile-unusual-day', params: { date: '2026-11-11', dayType: 'holiday' } }] });
    expect(figures('2026-11-10', '2026-11-10T08:40:00Z', ready(2)).today.baseline).toMatchObject({ status: 'unavailable', comparedHours: 0, problems: [{ code: 'hourly-profile-few-weeks', params: { hours: 9, minWeeks: 3 } }] });
    expect(figures('2026-11-10', '2026-11-10T08:40:00Z', { kind: 'computing' }).today.baseline).toMatchObject({ status: 'computing', problems: [] });
  });

  it('in the first hour of the month: no hour elapsed, no month figure, and why', () => {
    const f = figures('2026-12-01', '2026-11-30T23:20:00Z', ready(4));
    expect(f.today).toMatchObject({ elapsedHours: 0, finalKWh: null, carriers: [{ value: null, measuredHours: 0 }] });
    expect(f.today.baseline.problems).toEqual([{ code: 'no-measured-hour-today', params: { elapsedHours: 0 } }]);
    expect(f.month).toMatchObject({ kWh: null, kWhPerM2: null, coverage: { expectedHours: 0, sufficient: false } });
    expect(f.month.problems[0]!.code).toBe('insufficient-coverage');
  });
});

describe('devices gone silent', () => {
  it(`is silent past ${STALE_AFTER_MS / 60_000} min, not at it; a device with no reading never reported`, () => {
    const now = Date.parse('2026-11-10T10:00:00Z');
    const latest = [
      { device: 'meter', quantity: 'energy_kwh' as const, tsMs: now - STALE_AFTER_MS, value: 1 },
      { device: 'meter', quantity: 'power_w' as const, tsMs: now - 2 * STALE_AFTER_MS, value: 1 },
    ];
    expect(deviceSilence(site, latest, now)).toEqual({ total: 2, silent: [], neverReported: [{ device: 'air', name: null }] });
    expect(deviceSilence(site, latest, now + 1).silent).toEqual([{ device: 'meter', name: null, lastReadingMs: now - STALE_AFTER_MS }]);
  });
});
