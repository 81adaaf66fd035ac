import { describe, expect, it } from 'vitest';

// The alerts page's pure parts (dashboard/lib/alerts-model.js, permissions.js, downloads.js' CSV):
// how filters become the query of GET /api/alerts, and what each role is offered.
interface AlertsModel {
  alertsQuery(f: Record<string, string>, timeZone: string, format?: 'json' | 'csv'): string;
  noFilters(): Record<string, string>;
  nextDate(d: string): string;
  describeAlert(i18n: { t: (key: string) => string }, a: { quantity: string; ruleType: string }): string;
}
const model = (await import(new URL('../../../dashboard/lib/alerts-model.js', import.meta.url).href)) as AlertsModel;
const { can } = (await import(new URL('../../../dashboard/lib/permissions.js', import.meta.url).href)) as { can(s: unknown, a: string): boolean };
const { toCsv } = (await import(new URL('../../../dashboard/lib/downloads.js', import.meta.url).href)) as { toCsv(h: string[], r: unknown[][]): string };

describe('alert filters as a query', () => {
  it('turns local calendar days, `to` inclusive, into instants of the site zone (winter and summer time)', () => {
    const q = new URLSearchParams(model.alertsQuery({ ...model.noFilters(), site: 'cleon-bureaux', state: 'open', from: '2026-03-28', to: '2026-03-29' }, 'Europe/Paris'));
    // 28 March is CET (UTC+1); the day after the 29th (spring change) is CEST (UTC+2).
    expect(Object.fromEntries(q)).toEqual({ state: 'open', site: 'cleon-bureaux', from: '2026-03-27T23:00:00.000Z', to: '2026-03-29T22:00:00.000Z' });
  });

  it('asks for CSV with the same filters, and nothing for empty ones', () => {
    expect(model.alertsQuery({ ...model.noFilters(), severity: 'critical' }, 'Europe/Paris', 'csv')).toBe('severity=critical&format=csv');
    expect(model.alertsQuery(model.noFilters(), 'Europe/Paris')).toBe('');
  });

  it('refuses a reversed period, naming `from`', () => {
    expect(() => model.alertsQuery({ ...model.noFilters(), from: '2026-12-05', to: '2026-12-01' }, 'Europe/Paris')).toThrow(new RangeError('from'));
    // One day, from = to, is a period of 24 h, not a reversed one.
    expect(() => model.alertsQuery({ ...model.noFilters(), from: '2026-12-01', to: '2026-12-01' }, 'Europe/Paris')).not.toThrow();
  });

  it('steps calendar dates across month and year ends', () => {
    expect(model.nextDate('2026-12-31')).toBe('2027-01-01');
    expect(model.nextDate('2028-02-28')).toBe('2028-02-29');
  });

  it('describes an alert in the dictionary, or by its codes when a text is missing', () => {
    const t = (key: string) => ({ 'quantity.co2_ppm': 'CO₂', 'alerts.ruleTypes.threshold': 'seuil' } as Record<string, string>)[key] ?? key;
    expect(model.describeAlert({ t }, { quantity: 'co2_ppm', ruleType: 'threshold' })).toBe('CO₂ – seuil');
    expect(model.describeAlert({ t }, { quantity: 'lux', ruleType: 'new-type' })).toBe('lux – new-type');
  });
});

describe('what each role is offered (mirrors src/api/route-scopes.ts)', () => {
  const as = (role: string) => ({ user: { role } });
  it('offers the admin page to admins only, acknowledging and silencing to every role', () => {
    expect(['admin', 'working-group', 'site-manager'].map((r) => can(as(r), 'manage-users'))).toEqual([true, false, false]);
    for (const r of ['admin', 'working-group', 'site-manager']) expect([can(as(r), 'acknowledge'), can(as(r), 'silence')], r).toEqual([true, true]);
    expect(can(null, 'acknowledge')).toBe(false);
    expect(can(as('guest'), 'acknowledge')).toBe(false);
  });
});

describe('CSV of the data around an alert', () => {
  it('quotes what needs it (RFC 4180) and ends lines with CRLF', () => {
    expect(toCsv(['a', 'b'], [['x,y', 'say "hi"'], [1.5, null]])).toBe('a,b\r\n"x,y","say ""hi"""\r\n1.5,\r\n');
  });
});
