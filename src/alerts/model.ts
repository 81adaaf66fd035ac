/** Alert severities, least to most urgent. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** open -> acknowledged -> resolved; a recurrence within the cool-down re-opens a resolved alert. */
export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** An alert is keyed by (site, device, rule): at most one per key is not resolved (a store constraint). */
export interface AlertKey {
  site: string;
  device: string;
  rule: string;
}

export interface Alert extends AlertKey {
  id: number;
  ruleType: string;
  /** The quantity the rule watches on the device (its data is shown around the alert). */
  quantity: string;
  severity: Severity;
  state: AlertState;
  /** When the condition began (the first interval that triggered), epoch ms. */
  startMs: number;
  /** When the alert opened (the condition had held for the rule's duration). */
  openedMs: number;
  updatedMs: number;
  resolvedMs: number | null;
  /** The worst figure of the episode, in `unit`, and what was expected or allowed. */
  measured: number | null;
  expected: number | null;
  unit: string;
  /** One line saying what happened, in the rule's own words (the e-mail templates localise it). */
  summary: string;
  /** Times the alert came back within its cool-down after resolving. */
  flapCount: number;
  ackBy: string | null;
  ackComment: string | null;
  ackMs: number | null;
}

export const ALERT_EVENT_KINDS = ['opened', 'updated', 'acknowledged', 'notified', 'resolved', 'reopened', 'silenced'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** One line of an alert's history. */
export interface AlertEvent {
  id: number;
  alertId: number;
  atMs: number;
  kind: AlertEventKind;
  /** Who did it (acknowledgement), or null for the service. */
  by: string | null;
  detail: Record<string, unknown>;
}

/** A maintenance window: no notification for the site (or one device) between fromMs and toMs. */
export interface Silence {
  id: number;
  site: string;
  /** Null: the whole site. */
  device: string | null;
  fromMs: number;
  toMs: number;
  reason: string;
  createdBy: string | null;
  createdMs: number;
}

export const MAIL_KINDS = ['alert-opened', 'alert-resolved', 'digest'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** An e-mail waiting in the outbox until the SMTP server accepts it. */
export interface OutboxMail {
  id: number;
  /** Stable, unique: the same mail retried keeps its Message-ID, so a receiver can spot a repeat. */
  messageId: string;
  kind: MailKind;
  alertId: number | null;
  recipient: string;
  subject: string;
  text: string;
  html: string | null;
  createdMs: number;
  attempts: number;
  nextAttemptMs: number;
  lastError: string | null;
  sentMs: number | null;
}
