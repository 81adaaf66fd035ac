import { addDays, dateToEpochDayMs, epochDayMsToDate, isoWeekday } from './local-time.js';

/**
 * Public holidays, computed (no table to keep up to date except one-off British bank holidays).
 * - FR: Code du travail art. L3133-1 (11 jours fériés; Alsace-Moselle extras not included).
 *   Easter Monday, Ascension (Easter + 39) and Whit Monday (Easter + 50) move with Easter.
 * - GB: bank holidays of England and Wales (Banking and Financial Dealings Act 1971 and
 *   royal proclamations; gov.uk/bank-holidays), with weekend substitution and one-off days.
 * - US: federal holidays, 5 U.S.C. 6103, a Saturday holiday observed on the Friday before and a
 *   Sunday one on the Monday after (Executive Order 11582).
 */
export interface Holiday {
  date: string;
  name: string;
}

export const SUPPORTED_COUNTRIES = ['FR', 'GB', 'US'] as const;

export class UnsupportedCountryError extends Error {
  constructor(readonly country: string) {
    super(`no public-holiday calendar for country "${country}" (supported: ${SUPPORTED_COUNTRIES.join(', ')}); give calendar.closures instead`);
    this.name = 'UnsupportedCountryError';
  }
}

/** Easter Sunday, Gregorian calendar (anonymous algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(year, month, day);
}

function ymd(year: number, month: number, day: number): string {
  return epochDayMsToDate(Date.UTC(year, month - 1, day));
}

/** The n-th (1-based) given ISO weekday of a month; n = -1 for the last one. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = ymd(year, month, 1);
    return addDays(first, ((weekday - isoWeekday(first) + 7) % 7) + 7 * (n - 1));
  }
  const last = epochDayMsToDate(Date.UTC(year, month, 0));
  return addDays(last, -((isoWeekday(last) - weekday + 7) % 7));
}

function france(year: number): Holiday[] {
  const easter = easterSunday(year);
  return [
    { date: ymd(year, 1, 1), name: "Jour de l'an" },
    { date: addDays(easter, 1), name: 'Lundi de Pâques' },
    { date: ymd(year, 5, 1), name: 'Fête du Travail' },
    { date: ymd(year, 5, 8), name: 'Victoire 1945' },
    { date: addDays(easter, 39), name: 'Ascension' },
    { date: addDays(easter, 50), name: 'Lundi de Pentecôte' },
    { date: ymd(year, 7, 14), name: 'Fête nationale' },
    { date: ymd(year, 8, 15), name: 'Assomption' },
    { date: ymd(year, 11, 1), name: 'Toussaint' },
    { date: ymd(year, 11, 11), name: 'Armistice 1918' },
    { date: ymd(year, 12, 25), name: 'Noël' },
  ];
}

/** One-off bank holidays and moved ones, England and Wales (gov.uk). */
const GB_ONE_OFF: Record<string, string> = {
  '1999-12-31': 'Millennium',
  '2002-06-03': 'Golden Jubilee',
  '2011-04-29': 'Royal Wedding',
  '2012-06-05': 'Diamond Jubilee',
  '2022-06-03': 'Platinum Jubilee',
  '2022-09-19': 'State Funeral of Queen Elizabeth II',
  '2023-05-08': 'Coronation of King Charles III',
};
const GB_EARLY_MAY_MOVED: Record<number, string> = { 1995: '1995-05-08', 2020: '2020-05-08' };
const GB_SPRING_MOVED: Record<number, string> = { 2002: '2002-06-04', 2012: '2012-06-04', 2022: '2022-06-02' };

function greatBritain(year: number): Holiday[] {
  const easter = easterSunday(year);
  const newYear = ymd(year, 1, 1);
  const nyWd = isoWeekday(newYear);
  const weekendShift = (date: string): string => (isoWeekday(date) === 6 ? addDays(date, 2) : isoWeekday(date) === 7 ? addDays(date, 1) : date);
  const xmasWd = isoWeekday(ymd(year, 12, 25));
  const boxingWd = isoWeekday(ymd(year, 12, 26));
  const list: Holiday[] = [
    { date: nyWd >= 6 ? weekendShift(newYear) : newYear, name: "New Year's Day" },
    { date: addDays(easter, -2), name: 'Good Friday' },
    { date: addDays(easter, 1), name: 'Easter Monday' },
    { date: GB_EARLY_MAY_MOVED[year] ?? nthWeekday(year, 5, 1, 1), name: 'Early May bank holiday' },
    { date: GB_SPRING_MOVED[year] ?? nthWeekday(year, 5, 1, -1), name: 'Spring bank holiday' },
    { date: nthWeekday(year, 8, 1, -1), name: 'Summer bank holiday' },
    // Christmas on a weekend moves to the 27th, Boxing Day on a weekend to the 28th.
    { date: xmasWd >= 6 ? ymd(year, 12, 27) : ymd(year, 12, 25), name: 'Christmas Day' },
    { date: boxingWd >= 6 ? ymd(year, 12, 28) : ymd(year, 12, 26), name: 'Boxing Day' },
  ];
  for (const [date, name] of Object.entries(GB_ONE_OFF)) if (date.startsWith(`${year}-`)) list.push({ date, name });
  return list;
}

function usObserved(date: string): string {
  const wd = isoWeekday(date);
  return wd === 6 ? addDays(date, -1) : wd === 7 ? addDays(date, 1) : date;
}

function unitedStatesRules(year: number): Holiday[] {
  const list: Holiday[] = [
    { date: usObserved(ymd(year, 1, 1)), name: "New Year's Day" },
    { date: nthWeekday(year, 2, 1, 3), name: "Washington's Birthday" },
    { date: nthWeekday(year, 5, 1, -1), name: 'Memorial Day' },
    { date: usObserved(ymd(year, 7, 4)), name: 'Independence Day' },
    { date: nthWeekday(year, 9, 1, 1), name: 'Labor Day' },
    { date: nthWeekday(year, 10, 1, 2), name: 'Columbus Day' },
    { date: usObserved(ymd(year, 11, 11)), name: 'Veterans Day' },
    { date: nthWeekday(year, 11, 4, 4), name: 'Thanksgiving Day' },
    { date: usObserved(ymd(year, 12, 25)), name: 'Christmas Day' },
  ];
  if (year >= 1986) list.push({ date: nthWeekday(year, 1, 1, 3), name: 'Birthday of Martin Luther King, Jr.' });
  if (year >= 2021) list.push({ date: usObserved(ymd(year, 6, 19)), name: 'Juneteenth National Independence Day' });
  return list;
}

function unitedStates(year: number): Holiday[] {
  // New Year's Day of year+1 on a Saturday is observed on 31 December of `year`.
  return [...unitedStatesRules(year), ...unitedStatesRules(year + 1)].filter((h) => h.date.startsWith(`${year}-`));
}

/** Public holidays of `country` in `year`, sorted by date. Throws UnsupportedCountryError for other countries. */
export function publicHolidays(country: string, year: number): Holiday[] {
  let list: Holiday[];
  if (country === 'FR') list = france(year);
  else if (country === 'GB' || country === 'UK') list = greatBritain(year);
  else if (country === 'US') list = unitedStates(year);
  else throw new UnsupportedCountryError(country);
  return list.sort((a, b) => dateToEpochDayMs(a.date) - dateToEpochDayMs(b.date));
}
