import type { Alert } from '../../../../src/alerts/model.js';
import type { SiteForMail } from '../../../../src/alerts/email/notifier.js';
import { recipientSchema, type Recipient } from '../../../../src/alerts/email/recipients.js';

export const SITE: SiteForMail = {
  id: 'cleon-bureaux',
  name: 'Bureaux – Cléon',
  timezone: 'Europe/Paris',
  devices: [
    { id: 'tgbt', name: 'TGBT principal' },
    { id: 'eclairage' },
    { id: 'co2-salle-1', name: 'CO2 salle 1' },
  ],
};

/** 2026-11-23T09:15:00Z = 10:15 in Paris (UTC+1 in November). */
export const START_MS = Date.UTC(2026, 10, 23, 9, 15);

export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 42,
    site: 'cleon-bureaux',
    device: 'tgbt',
    rule: 'tgbt-hors-horaires',
    ruleType: 'out-of-hours',
    quantity: 'energy_kwh',
    severity: 'warning',
    state: 'open',
    startMs: START_MS,
    openedMs: START_MS + 30 * 60_000,
    updatedMs: START_MS + 30 * 60_000,
    resolvedMs: null,
    measured: 1234.5,
    expected: 800,
    unit: 'kWh',
    summary: 'consumption 1234.5 kWh out of hours, allowed 800 kWh',
    flapCount: 0,
    ackBy: null,
    ackComment: null,
    ackMs: null,
    ...overrides,
  };
}

export function recipient(input: Partial<Recipient> & { email: string }): Recipient {
  return recipientSchema.parse(input);
}
