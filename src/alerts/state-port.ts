import type { Alert, AlertEvent, AlertEventKind, AlertKey, AlertState, OutboxMail, Severity, Silence } from './model.js';

/**
 * The state store as its consumers need it (rules, alerts, the outbox sender, the API). One port,
 * two adapters: embedded SQLite in DATA_DIR (the default) and, later, PostgreSQL for several
 * instances. Every method is async so that a networked adapter fits the same contract.
 *
 * Changes that belong together (a rule's persisted state, the alert it opens, its history line and
 * its e-mails) are made in one `transaction`, so a kill -9 leaves all of them or none.
 */
export interface StateStore {
  readonly kind: 'sqlite' | 'postgres';
  start(): Promise<void>;
  /** Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * With `fence`, the transaction first checks, in itself, that the lease is still held with that
   * token, and fails with NotLeaderError otherwise (only the PostgreSQL store has leases).
   */
  transaction<T>(work: (tx: StateTx) => Promise<T>, options?: TxOptions): Promise<T>;
  /** Reads outside a transaction. */
  readonly read: StateReads;
}

/** A leader lease's fencing token (src/cluster/leader-lease.ts): grows at every change of holder. */
export interface Fence {
  lease: string;
  holder: string;
  token: number;
}

export interface TxOptions {
  fence?: Fence;
  /**
   * False: the transaction need not run one at a time with the others (it only records facts, e.g.
   * a mail accepted by SMTP, and must not hold the others up while it waits on the network).
   * Default true. The embedded store always serialises.
   */
  serialized?: boolean;
}

/** A leader-only write was refused: this instance no longer holds the lease with that token. */
export class NotLeaderError extends Error {
  constructor(readonly fence: Fence | null) {
    super(fence ? `not the leader any more: lease ${fence.lease} is no longer held by ${fence.holder} with token ${fence.token}` : 'not the leader: this instance holds no lease');
    this.name = 'NotLeaderError';
  }
}

export interface AlertFilter {
  states?: readonly AlertState[];
  sites?: readonly string[];
  severities?: readonly Severity[];
  /** Alerts whose episode overlaps [fromMs, toMs). */
  fromMs?: number;
  toMs?: number;
  limit?: number;
}

export interface StateReads {
  alert(id: number): Promise<Alert | null>;
  alerts(filter: AlertFilter): Promise<Alert[]>;
  alertEvents(alertId: number): Promise<AlertEvent[]>;
  /** The alert of a key that is not resolved, if any. */
  activeAlert(key: AlertKey): Promise<Alert | null>;
  /** The most recently resolved alert of a key (for the cool-down). */
  lastResolvedAlert(key: AlertKey): Promise<Alert | null>;
  ruleState(key: AlertKey): Promise<unknown | null>;
  silences(filter: { sites?: readonly string[]; activeAtMs?: number }): Promise<Silence[]>;
  silence(id: number): Promise<Silence | null>;
  /** Mails not yet accepted by the SMTP server whose next attempt is due at `nowMs`, oldest first. */
  dueMails(nowMs: number, limit: number): Promise<OutboxMail[]>;
  outboxDepth(): Promise<number>;
  /** Mails sent to `recipient` at or after `sinceMs` (per-recipient rate limit). */
  sentCount(recipient: string, sinceMs: number): Promise<number>;
  mail(messageId: string): Promise<OutboxMail | null>;
}

export type NewAlert = Omit<Alert, 'id' | 'flapCount' | 'ackBy' | 'ackComment' | 'ackMs' | 'resolvedMs' | 'state'> & { state?: AlertState };
export type AlertPatch = Partial<Omit<Alert, 'id' | 'site' | 'device' | 'rule'>>;
export type NewMail = Pick<OutboxMail, 'messageId' | 'kind' | 'alertId' | 'recipient' | 'subject' | 'text' | 'html' | 'createdMs' | 'nextAttemptMs'>;

/** Writes, inside a transaction; the reads see the transaction's own writes. */
export interface StateTx extends StateReads {
  /** Fails with a constraint error when the key already has an alert that is not resolved. */
  insertAlert(alert: NewAlert): Promise<Alert>;
  updateAlert(id: number, patch: AlertPatch): Promise<Alert>;
  addAlertEvent(event: { alertId: number; atMs: number; kind: AlertEventKind; by: string | null; detail: Record<string, unknown> }): Promise<void>;
  putRuleState(key: AlertKey, state: unknown, atMs: number): Promise<void>;
  insertSilence(silence: Omit<Silence, 'id'>): Promise<Silence>;
  deleteSilence(id: number): Promise<boolean>;
  /** Idempotent on `messageId`: enqueuing the same mail twice keeps one (returns false the second time). */
  enqueueMail(mail: NewMail): Promise<boolean>;
  markMailSent(id: number, sentMs: number): Promise<void>;
  markMailFailed(id: number, error: string, nextAttemptMs: number): Promise<void>;
}
