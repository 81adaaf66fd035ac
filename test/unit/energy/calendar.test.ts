import { describe, expect, it } from 'vitest';
import { detectNonWorkingDays, isOpen, quantile, siteCalendar, typeDays } from '../../../src/energy/calendar.js';
import { easterSunday, publicHolidays, UnsupportedCountryError } from '../../../src/energy/holidays.js';
import { addDays } from '../../../src/energy/local-time.js';

const dates = (list: { date: string }[]) => list.map((h) => h.date);

describe('public holidays', () => {
  it('computes Easter (Gregorian)', () => {
    expect(['2016', '2019', '2024', '2026', '2038'].map((y) => easterSunday(Number(y)))).toEqual(['2016-03-27', '2019-04-21', '2024-03-31', '2026-04-05', '2038-04-25']);
  });

  it('France 2026: the 11 jours fériés, with Easter Monday 6 April, Ascension 14 May, Whit Monday 25 May', () => {
    const fr = publicHolidays('FR', 2026);
    expect(dates(fr)).toEqual(['2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25']);
    expect(fr.find((h) => h.date === '2026-05-14')!.name).toBe('Ascension');
  });

  it('England and Wales 2016, with Christmas on a Sunday substituted on Tuesday 27 December', () => {
    expect(dates(publicHolidays('GB', 2016))).toEqual(['2016-01-01', '2016-03-25', '2016-03-28', '2016-05-02', '2016-05-30', '2016-08-29', '2016-12-26', '2016-12-27']);
  });

  it('England and Wales 2022: moved spring bank holiday, jubilee and state funeral; Christmas on Sunday', () => {
    expect(dates(publicHolidays('GB', 2022))).toEqual(['2022-01-03', '2022-04-15', '2022-04-18', '2022-05-02', '2022-06-02', '2022-06-03', '2022-08-29', '2022-09-19', '2022-12-26', '2022-12-27']);
  });

  it('US federal 2016 (5 U.S.C. 6103)', () => {
    expect(dates(publicHolidays('US', 2016))).toEqual(['2016-01-01', '2016-01-18', '2016-02-15', '2016-05-30', '2016-07-04', '2016-09-05', '2016-10-10', '2016-11-11', '2016-11-24', '2016-12-26']);
  });

  it('US federal 2021: Juneteenth observed Friday 18 June, New Year 2022 observed Friday 31 December 2021', () => {
    const us = dates(publicHolidays('US', 2021));
    expect(us).toContain('2021-06-18');
    expect(us).toContain('2021-12-31');
    expect(us).toContain('2021-12-24');
    expect(dates(publicHolidays('US', 2022))).not.toContain('2021-12-31');
  });

  it('refuses an unknown country with a clear error', () => {
    expect(() => publicHolidays('DE', 2026)).toThrow(UnsupportedCountryError);
    expect(() => publicHolidays('DE', 2026)).toThrow(/no public-holiday calendar for country "DE" \(supported: FR, GB, US\)/);
  });
});

describe('day typing', () => {
  const calendar = siteCalendar({
    country: 'FR',
    calendar: { workingDays: [1, 2, 3, 4, 5, 6], closures: [{ from: '2026-08-03', to: '2026-08-21', label: 'Fermeture estivale' }], openingHours: { from: '07:30', to: '19:00' } },
  });

  it('types working days, weekends, holidays and closures (closure > holiday > weekend)', () => {
    const typed = typeDays(['2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07', '2026-08-15', '2026-08-17', '2026-08-22'], calendar);
    expect(typed.map((t) => [t.type, t.label])).toEqual([
      ['working', undefined], // Saturday is worked at this site
      ['weekend', undefined],
      ['holiday', 'Lundi de Pâques'],
      ['working', undefined],
      ['closure', 'Fermeture estivale'], // a holiday inside a closure reads as the closure
      ['closure', 'Fermeture estivale'],
      ['working', undefined],
    ]);
  });

  it('uses Monday to Friday, 08:00–18:00 when the site has no calendar', () => {
    const c = siteCalendar({ country: 'GB', calendar: undefined });
    expect(c.workingDays).toEqual([1, 2, 3, 4, 5]);
    expect(typeDays(['2016-05-28', '2016-05-30'], c).map((t) => t.type)).toEqual(['weekend', 'holiday']);
  });

  it('opening hours: from included, to excluded, none on non-working days', () => {
    expect(isOpen('working', 7 * 60 + 29, calendar)).toBe(false);
    expect(isOpen('working', 7 * 60 + 30, calendar)).toBe(true);
    expect(isOpen('working', 19 * 60, calendar)).toBe(false);
    expect(isOpen('holiday', 10 * 60, calendar)).toBe(false);
  });
});

describe('non-working day detection', () => {
  it('lists weekdays whose load sits near the weekend level, with the matching holiday', () => {
    const daily = [];
    for (let i = 0; i < 56; i++) {
      const date = addDays('2026-04-06', i - 7); // 30 March … 24 May 2026
      const wd = new Date(`${date}T00:00:00Z`).getUTCDay();
      const weekend = wd === 0 || wd === 6;
      const off = date === '2026-05-01' || date === '2026-05-14' || date === '2026-04-06';
      daily.push({ date, energyKWh: weekend || off ? 300 + (i % 3) : 1000 + (i % 5) * 10 });
    }
    daily.push({ date: '2026-05-25', energyKWh: 700 }); // half-day: above the midpoint (≈ 651)
    const r = detectNonWorkingDays(daily, 'FR');
    expect(r.distinct).toBe(true);
    expect(r.candidates.map((c) => [c.date, c.holiday])).toEqual([
      ['2026-04-06', 'Lundi de Pâques'],
      ['2026-05-01', 'Fête du Travail'],
      ['2026-05-14', 'Ascension'],
    ]);
  });

  it('proposes nothing when weekends are not lower (a site working 7 days)', () => {
    const daily = Array.from({ length: 28 }, (_, i) => ({ date: addDays('2026-03-02', i), energyKWh: 1000 + (i % 4) }));
    const r = detectNonWorkingDays(daily);
    expect(r.distinct).toBe(false);
    expect(r.candidates).toEqual([]);
  });

  it('quantile is the linear type 7', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0], 0.1)).toBe(1);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
