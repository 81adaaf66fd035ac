import cron from 'node-cron';
import { addDays, localDateOf, localMidnightMs, wallTimeToUtcMs, dateToEpochDayMs } from '../../energy/local-time.js';
import type { Logger } from '../../observability/logger.js';
import type { ServicePart } from '../../parts.js';
import type { Alert } from '../model.js';
import type { NewMail, StateStore } from '../state-port.js';
import { formatDate, formatQuantity, formatTime, ruleLabel, severityLabel } from './format.js';
import { digestMessageId } from './message-id.js';
import { activeSilence, dashboardUrl, outboxMail, type MailComposer, type SiteForMail } from './notifier.js';
import type { Recipient } from './recipients.js';

export interface DigestSite extends SiteForMail {
  notifications?: readonly Recipient[] | undefined;
}

/** Starts a job at a local time of day in a zone; node-cron by default. */
export type DailySchedule = (hour: number, minute: number, timezone: string, job: () => void) => { stop(): void };

const nodeCronSchedule: DailySchedule = (hour, minute, timezone, job) => {
  // node-cron 4 reads the expression in `timezone`: 07:00 stays 07:00 local across DST changes.
  const task = cron.schedule(`${minute} ${hour} * * *`, job, { timezone, noOverlap: true });
  return { stop: () => void task.stop() };
};

export interface DigestOptions {
  store: Pick<StateStore, 'read' | 'transaction'>;
  sites: readonly DigestSite[];
  composer: MailComposer;
  logger: Logger;
  now?: () => number;
  /** Local time the digest goes out, "HH:MM", in each site's own zone (default "07:00"). */
  atLocalTime?: string;
  /** Called after digests were enqueued: the outbox sender's kick(). */
  onEnqueued?: () => void;
  schedule?: DailySchedule;
}

/**
 * The daily digest of info alerts (which are never mailed one by one). It runs in each site's own
 * time zone: sites are grouped by zone, one schedule per zone. At `atLocalTime` on day D it covers
 * the info alerts opened during the local day D-1, so every alert is in exactly one digest. Each
 * recipient who takes `info` gets one mail listing its sites' alerts, with a Message-ID stable per
 * (recipient, day, zone): a restart, or the catch-up run at start, enqueues nothing twice.
 * A day without info alerts sends nothing.
 */
export class DigestScheduler implements ServicePart {
  readonly name = 'alert-digest';
  private tasks: { stop(): void }[] = [];

  constructor(private readonly options: DigestOptions) {}

  private get now(): () => number {
    return this.options.now ?? Date.now;
  }

  private time(): { hour: number; minute: number } {
    const at = this.options.atLocalTime ?? '07:00';
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(at);
    if (!m) throw new Error(`digest time: ${JSON.stringify(at)} is not a time HH:MM`);
    return { hour: Number(m[1]), minute: Number(m[2]) };
  }

  private zones(): string[] {
    return [...new Set(this.options.sites.filter((s) => s.notifications?.some((r) => r.severities.includes('info'))).map((s) => s.timezone))];
  }

  async start(): Promise<void> {
    const { hour, minute } = this.time();
    const schedule = this.options.schedule ?? nodeCronSchedule;
    for (const zone of this.zones()) {
      this.tasks.push(schedule(hour, minute, zone, () => void this.runSafely(zone)));
      // Catch up a digest missed while the service was down this morning (idempotent when it was not).
      const today = localDateOf(this.now(), zone);
      if (this.now() >= wallTimeToUtcMs(dateToEpochDayMs(today) + (hour * 60 + minute) * 60_000, zone)) void this.runSafely(zone);
    }
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) task.stop();
  }

  private async runSafely(zone: string): Promise<void> {
    try {
      await this.run(zone, this.now());
    } catch (err) {
      this.options.logger.error({ err, timezone: zone }, 'alert digest failed');
    }
  }

  /** Enqueues the digests of the local day before `nowMs` for the sites in `zone`; returns how many were new. */
  async run(zone: string, nowMs: number): Promise<number> {
    const day = addDays(localDateOf(nowMs, zone), -1);
    const fromMs = localMidnightMs(day, zone);
    const toMs = localMidnightMs(addDays(day, 1), zone);
    const sites = this.options.sites.filter((s) => s.timezone === zone);
    const siteIds = sites.map((s) => s.id);
    const [alerts, silences] = await Promise.all([
      this.options.store.read.alerts({ sites: siteIds, severities: ['info'], fromMs, toMs, limit: 10_000 }),
      this.options.store.read.silences({ sites: siteIds }),
    ]);
    // Opened that day, and not during a silence (a silenced alert is mailed neither alone nor in a digest).
    const opened = alerts.filter((a) => a.openedMs >= fromMs && a.openedMs < toMs && !activeSilence(silences, a.site, a.device, a.openedMs));

    const byRecipient = new Map<string, { recipient: Recipient; sites: DigestSite[] }>();
    for (const site of sites) {
      for (const r of site.notifications ?? []) {
        if (!r.severities.includes('info')) continue;
        const key = r.email.toLowerCase();
        const entry = byRecipient.get(key) ?? { recipient: r, sites: [] };
        entry.sites.push(site);
        byRecipient.set(key, entry);
      }
    }
    const mails: NewMail[] = [];
    for (const { recipient, sites: theirs } of byRecipient.values()) {
      const mail = this.mailFor(recipient, theirs, opened, day, zone, nowMs);
      if (mail) mails.push(mail);
    }
    const added = await this.options.store.transaction(async (tx) => {
      let n = 0;
      for (const m of mails) if (await tx.enqueueMail(m)) n++;
      return n;
    });
    this.options.logger.info({ timezone: zone, day, infoAlerts: opened.length, digests: mails.length, new: added }, 'alert digest');
    if (added > 0) this.options.onEnqueued?.();
    return added;
  }

  private mailFor(r: Recipient, sites: readonly DigestSite[], alerts: readonly Alert[], day: string, zone: string, nowMs: number): NewMail | null {
    const lang = r.language;
    const { composer } = this.options;
    const sections = sites
      .map((site) => ({
        siteName: site.name,
        dashboardUrl: dashboardUrl(composer, site.id),
        alerts: alerts
          .filter((a) => a.site === site.id)
          .sort((a, b) => a.openedMs - b.openedMs)
          .map((a) => ({
            since: formatTime(a.openedMs, zone, lang),
            deviceName: site.devices.find((d) => d.id === a.device)?.name ?? a.device,
            what: ruleLabel(a.ruleType, a.summary, lang),
            severity: severityLabel(a.severity, lang),
            measured: a.measured === null ? '' : formatQuantity(a.measured, a.unit, lang),
            expected: a.expected === null ? '' : formatQuantity(a.expected, a.unit, lang),
          })),
      }))
      .filter((s) => s.alerts.length > 0);
    const count = sections.reduce((n, s) => n + s.alerts.length, 0);
    if (count === 0) return null;
    const rendered = composer.templates.render('digest', lang, { day: formatDate(day, lang), timezone: zone, count: String(count), sites: sections });
    return outboxMail({ messageId: digestMessageId(day, zone, r.email, composer.host), kind: 'digest', alertId: null, recipient: r.email }, rendered, nowMs);
  }
}
