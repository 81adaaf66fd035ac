import type { MailLanguage } from './recipients.js';
import type { Severity } from '../model.js';

/** BCP 47 locale of each mail language: fr-FR writes 1 234,5 and 23/11/2026, en-GB 1,234.5. */
export const LOCALES: Record<MailLanguage, string> = { fr: 'fr-FR', en: 'en-GB' };

const SEVERITY_LABELS: Record<MailLanguage, Record<Severity, string>> = {
  fr: { info: 'Information', warning: 'Avertissement', critical: 'Critique' },
  en: { info: 'Info', warning: 'Warning', critical: 'Critical' },
};

/**
 * What a rule type is called in a mail. A rule type not listed here falls back to the alert's own
 * summary, so a new rule still mails something meaningful before it gets a translation.
 */
const RULE_LABELS: Record<MailLanguage, Record<string, string>> = {
  // One label per rule type of src/rules/registry.ts, worded for either direction of the rule.
  fr: {
    'silent-device': 'appareil muet',
    threshold: 'seuil franchi',
    'baseline-deviation': 'consommation hors du profil horaire habituel',
    'daily-baseline-deviation': 'consommation du jour hors de la référence corrigée du climat',
    'cusum-drift': 'dérive lente de la consommation',
    'daily-drift': 'dérive lente de la consommation de fond, jour après jour',
    'out-of-hours': 'consommation hors horaires',
    'spike-drop': 'pic ou chute de consommation',
    flatline: 'valeur figée (capteur ou compteur bloqué)',
    'counter-integrity': 'anomalie d’index de compteur (remise à zéro, recul, saut)',
  },
  en: {
    'silent-device': 'silent device',
    threshold: 'threshold crossed',
    'baseline-deviation': 'consumption outside its usual hourly profile',
    'daily-baseline-deviation': 'daily consumption outside its weather-normalised baseline',
    'cusum-drift': 'slow drift of consumption',
    'daily-drift': 'slow day-by-day drift of the always-on load',
    'out-of-hours': 'out-of-hours consumption',
    'spike-drop': 'consumption spike or drop',
    flatline: 'value stuck (sensor or meter)',
    'counter-integrity': 'meter index anomaly (reset, backward step, jump)',
  },
};

export function severityLabel(severity: Severity, language: MailLanguage): string {
  return SEVERITY_LABELS[language][severity];
}

export function ruleLabel(ruleType: string, summary: string, language: MailLanguage): string {
  return RULE_LABELS[language][ruleType] ?? summary;
}

/** A figure with its unit, e.g. "1 234,5 kWh" (fr) or "1,234.5 kWh" (en); the space is a no-break one. */
export function formatQuantity(value: number, unit: string, language: MailLanguage): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const number = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: digits }).format(value);
  return unit === '' ? number : `${number}\u00a0${unit}`;
}

/** Signed relative deviation of `measured` from `expected`, e.g. "+35 %"; empty when undefined (expected 0). */
export function formatDeviation(measured: number, expected: number, language: MailLanguage): string {
  if (expected === 0 || !Number.isFinite(measured) || !Number.isFinite(expected)) return '';
  return new Intl.NumberFormat(LOCALES[language], { style: 'percent', maximumFractionDigits: 0, signDisplay: 'exceptZero' }).format(
    (measured - expected) / Math.abs(expected),
  );
}

/** A date and time in the site's zone, with the zone's offset so a reader elsewhere is not misled. */
export function formatDateTime(ms: number, timezone: string, language: MailLanguage): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    timeZone: timezone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(ms);
}

/** A short time of day in the site's zone ("10:15"), for the digest's lines. */
export function formatTime(ms: number, timezone: string, language: MailLanguage): string {
  return new Intl.DateTimeFormat(LOCALES[language], { timeZone: timezone, hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** A calendar date (YYYY-MM-DD) written out, e.g. "lundi 23 novembre 2026". */
export function formatDate(date: string, language: MailLanguage): string {
  return new Intl.DateTimeFormat(LOCALES[language], { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(
    Date.parse(`${date}T00:00:00Z`),
  );
}

/** "2 h 15 min", "3 j 4 h" (fr) / "2 h 15 min", "3 d 4 h" (en); minutes are floored. */
export function formatDuration(ms: number, language: MailLanguage): string {
  const totalMin = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(totalMin / 1440);
  const hours = Math.floor((totalMin % 1440) / 60);
  const minutes = totalMin % 60;
  const d = language === 'fr' ? 'j' : 'd';
  if (days > 0) return hours > 0 ? `${days}\u00a0${d} ${hours}\u00a0h` : `${days}\u00a0${d}`;
  if (hours > 0) return minutes > 0 ? `${hours}\u00a0h ${minutes}\u00a0min` : `${hours}\u00a0h`;
  return `${minutes}\u00a0min`;
}
