import type { SiteConfig } from '../../config/schema.js';
import type { AlertNotifier } from '../lifecycle.js';
import type { Alert } from '../model.js';
import type { StateTx } from '../state-port.js';
import { alertMails, groupedSilentDeviceMail, type MailComposer, type Transition } from './notifier.js';

/**
 * The lifecycle's notifier: puts the mails of an alert change in the outbox, in the transaction
 * that made the change. Silent-device alerts are held until the end of the evaluation cycle and
 * mailed as one message per site and recipient (a dead gateway is N alerts, one mail).
 * The lifecycle already skips notifying during a silence; silences are passed on anyway so the
 * mail functions' own check agrees with it.
 */
export class OutboxNotifier implements AlertNotifier {
  private readonly silentBatch = new Map<string, { site: SiteConfig; transition: Transition; alerts: Alert[] }>();
  private enqueued = 0;

  constructor(private readonly composer: MailComposer) {}

  /** Mails enqueued since the last call: the caller kicks the sender once the cycle committed. */
  takeEnqueuedCount(): number {
    const n = this.enqueued;
    this.enqueued = 0;
    return n;
  }

  opened(tx: StateTx, alert: Alert, site: SiteConfig, nowMs: number): Promise<void> {
    return this.notify(tx, alert, site, 'opened', nowMs);
  }

  resolved(tx: StateTx, alert: Alert, site: SiteConfig, nowMs: number): Promise<void> {
    return this.notify(tx, alert, site, 'resolved', nowMs);
  }

  async flush(tx: StateTx, nowMs: number): Promise<void> {
    const batches = [...this.silentBatch.values()];
    this.silentBatch.clear();
    for (const b of batches) {
      const silences = await tx.silences({ sites: [b.site.id] });
      const r = groupedSilentDeviceMail(this.composer, { site: b.site, alerts: b.alerts, transition: b.transition, recipients: b.site.notifications ?? [], silences, nowMs });
      for (const mail of r.mails) if (await tx.enqueueMail(mail)) this.enqueued += 1;
      for (const s of r.silenced) await tx.addAlertEvent({ alertId: s.alertId, atMs: nowMs, kind: 'silenced', by: null, detail: { silence: s.silence.id } });
    }
  }

  private async notify(tx: StateTx, alert: Alert, site: SiteConfig, transition: Transition, nowMs: number): Promise<void> {
    if (alert.ruleType === 'silent-device') {
      const key = `${site.id}\u0000${transition}`;
      const batch = this.silentBatch.get(key) ?? { site, transition, alerts: [] };
      batch.alerts.push(alert);
      this.silentBatch.set(key, batch);
      return;
    }
    const silences = await tx.silences({ sites: [site.id] });
    const r = alertMails(this.composer, { alert, transition, site, recipients: site.notifications ?? [], silences, nowMs });
    if (r.silencedBy) await tx.addAlertEvent({ alertId: alert.id, atMs: nowMs, kind: 'silenced', by: null, detail: { silence: r.silencedBy.id } });
    for (const mail of r.mails) if (await tx.enqueueMail(mail)) this.enqueued += 1;
  }
}
