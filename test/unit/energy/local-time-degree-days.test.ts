import { describe, expect, it } from 'vitest';
import { cddMeteo, dailyTemperatures, degreeDays, hddCostic, hddMeteo, sumDegreeDays } from '../../../src/energy/degree-days.js';
import { dateToEpochDayMs, epochDayMsToDate, hourEdgesOfDays, isoWeekday, localDateOf, localDays, localHourOf, utcOffsetMs } from '../../../src/energy/local-time.js';

const H = 3_600_000;

describe('local days', () => {
  it('Europe/Paris: 2026-03-29 has 23 hours and 2026-10-25 has 25', () => {
    const days = localDays('2026-03-28', '2026-03-30', 'Europe/Paris');
    expect(days.map((d) => d.hours)).toEqual([24, 23, 24]);
    expect(days[1]!.startMs).toBe(Date.UTC(2026, 2, 28, 23));
    const autumn = localDays('2026-10-25', '2026-10-25', 'Europe/Paris');
    expect(autumn[0]!.hours).toBe(25);
    expect(autumn[0]!.startMs).toBe(Date.UTC(2026, 9, 24, 22));
    expect(autumn[0]!.endMs).toBe(Date.UTC(2026, 9, 25, 23));
    expect(hourEdgesOfDays(autumn).length).toBe(26);
  });

  it('a whole year in Europe/Paris has 8,760 hours; a leap year in America/Phoenix 8,784', () => {
    expect(hourEdgesOfDays(localDays('2026-01-01', '2026-12-31', 'Europe/Paris')).length - 1).toBe(8760);
    expect(hourEdgesOfDays(localDays('2016-01-01', '2016-12-31', 'America/Phoenix')).length - 1).toBe(8784);
  });

  it('gives local dates, hours and ISO weekdays', () => {
    // 23:30 UTC on 31 Dec is already 1 January in Paris.
    expect(localDateOf(Date.UTC(2025, 11, 31, 23, 30), 'Europe/Paris')).toBe('2026-01-01');
    expect(localHourOf(Date.UTC(2026, 6, 1, 12), 'Europe/Paris')).toBe(14);
    expect(isoWeekday('2026-03-29')).toBe(7);
    expect(isoWeekday('2026-04-06')).toBe(1);
  });
});

describe('date and offset arithmetic (the fast paths agree with Date and Intl)', () => {
  it('epochDayMsToDate gives toISOString\'s date for every day from 1900 to 2200, at and after midnight', () => {
    let mismatches = 0;
    for (let day = Date.UTC(1900, 0, 1) / 86_400_000; day < Date.UTC(2200, 0, 1) / 86_400_000; day++) {
      for (const ms of [day * 86_400_000, day * 86_400_000 + 86_399_999]) if (epochDayMsToDate(ms) !== new Date(ms).toISOString().slice(0, 10)) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(epochDayMsToDate(Date.UTC(2024, 1, 29))).toBe('2024-02-29');
  });

  it('dateToEpochDayMs reads YYYY-MM-DD and nothing else', () => {
    expect(dateToEpochDayMs('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(dateToEpochDayMs('2016-12-31')).toBe(Date.UTC(2016, 11, 31));
    for (const bad of ['2024-2-29', '2024-02-29T00:00', ' 2024-02-29', '2024-02-29\n', '2024/02/29', '2024-0a-29', '２０２４-02-29', '']) {
      expect(() => dateToEpochDayMs(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
  });

  it('utcOffsetMs gives the same offsets whatever zones the calls alternate between', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Europe/London'];
    const asked: number[] = [];
    const alone: number[] = [];
    for (let t = Date.UTC(2026, 2, 28); t < Date.UTC(2026, 3, 2); t += 900_000) for (const z of zones) asked.push(utcOffsetMs(t, z));
    for (const z of zones) for (let t = Date.UTC(2026, 2, 28); t < Date.UTC(2026, 3, 2); t += 900_000) alone.push(utcOffsetMs(t, z));
    const byZone = zones.flatMap((_, k) => asked.filter((_, i) => i % zones.length === k));
    expect(byZone).toEqual(alone);
    expect(utcOffsetMs(Date.UTC(2026, 2, 29, 0, 59), 'Europe/Paris')).toBe(3_600_000);
    expect(utcOffsetMs(Date.UTC(2026, 2, 29, 1, 0), 'Europe/Paris')).toBe(7_200_000);
  });

  it('utcOffsetMs agrees with Intl every 185 minutes of 2020-2026, in zones with DST, 30-minute DST, 45 minutes and Ramadan changes', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Africa/Casablanca'];
    const mismatches: string[] = [];
    for (const timezone of zones) {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      for (let t = Date.UTC(2020, 0, 1); t < Date.UTC(2027, 0, 1); t += 185 * 60_000) {
        const p: Record<string, number> = {};
        for (const x of f.formatToParts(new Date(t))) if (x.type !== 'literal') p[x.type] = Number(x.value);
        const expected = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - t;
        if (utcOffsetMs(t, timezone) !== expected) mismatches.push(`${timezone} ${new Date(t).toISOString()}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('degree days', () => {
  it('méthode météo on hand-computed days', () => {
    expect(hddMeteo(2, 10, 18)).toBe(12);
    expect(hddMeteo(10, 22, 18)).toBe(2);
    expect(hddMeteo(16, 24, 18)).toBe(0);
    expect(hddMeteo(-4, 3, 18)).toBe(18.5);
  });

  it('COSTIC on hand-computed days', () => {
    // Tx ≤ S: same as météo.
    expect(hddCostic(2, 10, 18)).toBe(12);
    // Tn < S < Tx: (18 − 10) · (0.08 + 0.42 · 8 / 12) = 8 · 0.36 = 2.88
    expect(hddCostic(10, 22, 18)).toBeCloseTo(2.88, 12);
    // (18 − 16) · (0.08 + 0.42 · 2 / 8) = 2 · 0.185 = 0.37, where météo gives 0.
    expect(hddCostic(16, 24, 18)).toBeCloseTo(0.37, 12);
    // Tn ≥ S.
    expect(hddCostic(18, 30, 18)).toBe(0);
    // Another base: S = 16, Tn = 8, Tx = 20: 8 · (0.08 + 0.42 · 8 / 12) = 2.88.
    expect(hddCostic(8, 20, 16)).toBeCloseTo(2.88, 12);
  });

  it('cooling degree days', () => {
    expect(cddMeteo(20, 34, 18)).toBe(9);
    expect(cddMeteo(10, 20, 18)).toBe(0);
  });

  it('takes Tn/Tx from the readings of each local day, 25-hour day included, and omits days with too little data', () => {
    const tz = 'Europe/Paris';
    const days = localDays('2026-10-24', '2026-10-26', tz);
    const points = [];
    // 24 Oct: full day at 10 °C except 4 °C at 05:00 and 16 °C at 15:00 local.
    for (let t = days[0]!.startMs; t < days[0]!.endMs; t += H) {
      const h = localHourOf(t, tz);
      points.push({ tsMs: t, value: h === 5 ? 4 : h === 15 ? 16 : 10 });
    }
    // 25 Oct (25 h): every hour, 12 °C; proves the day holds 25 readings.
    for (let t = days[1]!.startMs; t < days[1]!.endMs; t += H) points.push({ tsMs: t, value: 12 });
    // 26 Oct: only the morning (10 hours) -> insufficient.
    for (let k = 0; k < 10; k++) points.push({ tsMs: days[2]!.startMs + k * H, value: 8 });
    const daily = dailyTemperatures(points, days, tz);
    expect(daily.map((d) => [d.tMinC, d.tMaxC, d.readings, d.sufficient])).toEqual([
      [4, 16, 24, true],
      [12, 12, 25, true],
      [8, 8, 10, false],
    ]);
    expect(daily[2]!.reason).toContain('10 of 24 hours');
    const dd = degreeDays(daily, { baseC: 18, method: 'meteo' });
    expect(dd.map((d) => d.hddC)).toEqual([8, 6, null]);
    expect(degreeDays(daily, { method: 'costic' })[0]!.hddC).toBe(8);
    expect(sumDegreeDays(dd)).toEqual({ hddC: 14, cddC: 0, daysUsed: 2, daysOmitted: ['2026-10-26'] });
  });

  it('refuses a day without an afternoon reading (Tx would be biased)', () => {
    const days = localDays('2026-01-10', '2026-01-10', 'UTC');
    const points = [];
    for (let h = 0; h < 24; h++) if (h < 12 || h >= 18) points.push({ tsMs: days[0]!.startMs + h * H, value: 5 });
    const [day] = dailyTemperatures(points, days, 'UTC');
    expect(day!.sufficient).toBe(false);
    expect(day!.reason).toContain('12:00 and 17:59');
  });
});
