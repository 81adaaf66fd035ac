import type { SiteConfig } from '../config/schema.js';
import type { Transition } from '../rules/condition-machine.js';
import type { Alert, AlertKey, Severity } from './model.js';
import type { StateTx } from './state-port.js';

/** What an alert is about, as the lifecycle needs it. */
export interface AlertSource {
  key: AlertKey;
  site: SiteConfig;
  ruleType: string;
  quantity: string;
  severity: Severity;
  unit: string;
  summary: string;
  cooldownMs: number;
  notifyOnResolve: boolean;
}

/**
 * Turns alerts into e-mails, inside the transaction that changed the alert, so an alert and its
 * mails are committed together (the outbox pattern): a crash cannot leave one without the other.
 */
export interface AlertNotifier {
  opened(tx: StateTx, alert: Alert, site: SiteConfig, nowMs: number): Promise<void>;
  resolved(tx: StateTx, alert: Alert, site: SiteConfig, nowMs: number): Promise<void>;
  /** End of an evaluation cycle, still inside its transaction: mails batched per site go out here. */
  flush?(tx: StateTx, nowMs: number): Promise<void>;
}

export interface LifecycleOutcome {
  opened: Alert[];
  reopened: Alert[];
  resolved: Alert[];
  updated: Alert[];
}

export function emptyOutcome(): LifecycleOutcome {
  return { opened: [], reopened: [], resolved: [], updated: [] };
}

async function silenced(tx: StateTx, key: AlertKey, atMs: number): Promise<boolean> {
  const active = await tx.silences({ sites: [key.site], activeAtMs: atMs });
  return active.some((s) => s.device === null || s.device === key.device);
}

/**
 * The alert lifecycle: open -> acknowledged -> resolved, one alert per key at a time.
 * - An open transition while the key has an unresolved alert only updates it: a condition that
 *   lasts three days is one alert and one e-mail.
 * - A recurrence within the cool-down after resolving re-opens the same alert and counts a flap,
 *   with no new alert and no new e-mail.
 * - A condition judged again after late data (its start is before the last alert's resolve time)
 *   is the same episode: nothing new.
 * - During a silence the alert is still recorded (with a `silenced` history line) but not mailed.
 */
export class AlertLifecycle {
  constructor(private readonly notifier?: AlertNotifier) {}

  /** Called by the evaluator once per cycle, inside the cycle's transaction. */
  async flush(tx: StateTx, nowMs: number): Promise<void> {
    await this.notifier?.flush?.(tx, nowMs);
  }

  async apply(tx: StateTx, source: AlertSource, transitions: readonly Transition[], out: LifecycleOutcome = emptyOutcome()): Promise<LifecycleOutcome> {
    for (const t of transitions) {
      const active = await tx.activeAlert(source.key);
      if (t.kind === 'open') {
        if (active) {
          await this.update(tx, active, t.atMs, t.measured, t.expected, out);
          continue;
        }
        const last = await tx.lastResolvedAlert(source.key);
        if (last && last.resolvedMs !== null && t.startMs < last.resolvedMs) continue;
        if (last && last.resolvedMs !== null && t.atMs - last.resolvedMs <= source.cooldownMs) {
          const reopened = await tx.updateAlert(last.id, { state: 'open', resolvedMs: null, updatedMs: t.atMs, flapCount: last.flapCount + 1, measured: t.measured, expected: t.expected });
          await tx.addAlertEvent({ alertId: last.id, atMs: t.atMs, kind: 'reopened', by: null, detail: { measured: t.measured, expected: t.expected, flapCount: reopened.flapCount } });
          out.reopened.push(reopened);
          continue;
        }
        const alert = await tx.insertAlert({
          ...source.key, ruleType: source.ruleType, quantity: source.quantity, severity: source.severity, startMs: t.startMs, openedMs: t.atMs, updatedMs: t.atMs,
          measured: t.measured, expected: t.expected, unit: source.unit, summary: source.summary,
        });
        await tx.addAlertEvent({ alertId: alert.id, atMs: t.atMs, kind: 'opened', by: null, detail: { measured: t.measured, expected: t.expected, unit: source.unit, since: t.startMs } });
        if (await silenced(tx, source.key, t.atMs)) {
          await tx.addAlertEvent({ alertId: alert.id, atMs: t.atMs, kind: 'silenced', by: null, detail: { notification: 'suppressed by a silence' } });
        } else await this.notifier?.opened(tx, alert, source.site, t.atMs);
        out.opened.push(alert);
      } else if (t.kind === 'update') {
        if (active) await this.update(tx, active, t.atMs, t.measured, t.expected, out);
      } else if (active) {
        const resolved = await tx.updateAlert(active.id, { state: 'resolved', resolvedMs: t.atMs, updatedMs: t.atMs });
        await tx.addAlertEvent({ alertId: active.id, atMs: t.atMs, kind: 'resolved', by: null, detail: { measured: t.measured, expected: t.expected } });
        if (source.notifyOnResolve && !(await silenced(tx, source.key, t.atMs))) await this.notifier?.resolved(tx, resolved, source.site, t.atMs);
        out.resolved.push(resolved);
      }
    }
    return out;
  }

  private async update(tx: StateTx, alert: Alert, atMs: number, measured: number | null, expected: number | null, out: LifecycleOutcome): Promise<void> {
    const updated = await tx.updateAlert(alert.id, { updatedMs: atMs, measured, expected });
    await tx.addAlertEvent({ alertId: alert.id, atMs, kind: 'updated', by: null, detail: { measured, expected } });
    out.updated.push(updated);
  }
}

export class AlertStateError extends Error {
  constructor(
    readonly code: 'alert-not-found' | 'alert-resolved',
    message: string,
  ) {
    super(message);
    this.name = 'AlertStateError';
  }
}

/** Acknowledges an open alert (by whom, with a comment); acknowledging twice keeps the first. */
export async function acknowledgeAlert(tx: StateTx, id: number, by: string, comment: string, nowMs: number): Promise<Alert> {
  const alert = await tx.alert(id);
  if (!alert) throw new AlertStateError('alert-not-found', `no alert ${id}`);
  if (alert.state === 'resolved') throw new AlertStateError('alert-resolved', `alert ${id} is resolved already`);
  if (alert.state === 'acknowledged') return alert;
  const acked = await tx.updateAlert(id, { state: 'acknowledged', ackBy: by, ackComment: comment, ackMs: nowMs, updatedMs: nowMs });
  await tx.addAlertEvent({ alertId: id, atMs: nowMs, kind: 'acknowledged', by, detail: { comment } });
  return acked;
}
