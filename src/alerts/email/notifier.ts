import type { Alert, MailKind, Severity, Silence } from '../model.js';
import { SEVERITIES } from '../model.js';
import type { NewMail } from '../state-port.js';
import { formatDateTime, formatDeviation, formatDuration, formatQuantity, ruleLabel, severityLabel } from './format.js';
import { alertMessageId, messageIdHost, silentDevicesMessageId } from './message-id.js';
import type { MailLanguage, Recipient } from './recipients.js';
import { compileMailTemplates, DEFAULT_TEMPLATE_SOURCES, type MailTemplates, type TemplateSources } from './templates.js';
import type { TemplateScope } from './template-compiler.js';

export type Transition = 'opened' | 'resolved';

/** What the notifier needs of a site (a SiteConfig fits). */
export interface SiteForMail {
  id: string;
  name: string;
  /** IANA zone: every date in the mail is local to the site. */
  timezone: string;
  devices: readonly { id: string; name?: string | undefined }[];
}

/** The compiled templates and the public base of the links. Built once, at start-up. */
export interface MailComposer {
  readonly templates: MailTemplates;
  /** PUBLIC_URL without a trailing slash. */
  readonly publicUrl: string;
  /** Right-hand side of every Message-ID: the host of PUBLIC_URL. */
  readonly host: string;
}

/** Throws (TemplateError) when a template is bad: call it while building the service. */
export function createMailComposer(options: { publicUrl: string; sources?: Record<MailLanguage, TemplateSources> }): MailComposer {
  return {
    templates: compileMailTemplates(options.sources ?? DEFAULT_TEMPLATE_SOURCES),
    publicUrl: options.publicUrl.replace(/\/+$/, ''),
    host: messageIdHost(options.publicUrl),
  };
}

export interface TransitionInput {
  alert: Alert;
  transition: Transition;
  site: SiteForMail;
  /** The site's `notifications` (empty when it has none). */
  recipients: readonly Recipient[];
  /** The site's silences (any that could cover now or the alert's opening; others are ignored). */
  silences: readonly Silence[];
  nowMs: number;
}

export interface NotifyResult {
  /** To pass to `tx.enqueueMail`, in the transaction that made the transition. */
  mails: NewMail[];
  /**
   * The silence that suppressed the mails, if any. Silenced alerts are not mailed, not later
   * either (a maintenance window means "do not tell us"); the lifecycle records a `silenced`
   * event with this silence's id so the alert's history says why no mail went out.
   */
  silencedBy: Silence | null;
  /** True for an info alert: no mail now, the daily digest (digest.ts) reads it from the store. */
  toDigest: boolean;
}

/** The silence covering the site (device null) or this device at `atMs`, if any. */
export function activeSilence(silences: readonly Silence[], site: string, device: string, atMs: number): Silence | null {
  return silences.find((s) => s.site === site && (s.device === null || s.device === device) && s.fromMs <= atMs && atMs < s.toMs) ?? null;
}

/**
 * A silence suppresses an opening mail active now; it suppresses a resolution mail when it is
 * active now or was active when the alert opened (nobody was told of the opening, so a lone
 * "resolved" would be noise).
 */
function silenceFor(alert: Alert, transition: Transition, silences: readonly Silence[], nowMs: number): Silence | null {
  return (
    activeSilence(silences, alert.site, alert.device, nowMs) ??
    (transition === 'resolved' ? activeSilence(silences, alert.site, alert.device, alert.openedMs) : null)
  );
}

function wants(r: Recipient, severity: Severity, transition: Transition): boolean {
  return r.severities.includes(severity) && (transition === 'opened' || r.onResolve);
}

export function dashboardUrl(composer: MailComposer, siteId: string): string {
  return `${composer.publicUrl}/#/site/${encodeURIComponent(siteId)}`;
}

function deviceName(site: SiteForMail, device: string): string {
  return site.devices.find((d) => d.id === device)?.name ?? device;
}

/** The values of the alert templates, formatted for one language in the site's zone. */
export function alertScope(composer: MailComposer, alert: Alert, transition: Transition, site: SiteForMail, language: MailLanguage, nowMs: number): TemplateScope {
  const endMs = transition === 'resolved' ? (alert.resolvedMs ?? nowMs) : nowMs;
  return {
    severity: severityLabel(alert.severity, language),
    siteId: site.id,
    siteName: site.name,
    deviceName: deviceName(site, alert.device),
    what: ruleLabel(alert.ruleType, alert.summary, language),
    summary: ruleLabel(alert.ruleType, alert.summary, language) === alert.summary ? '' : alert.summary,
    since: formatDateTime(alert.startMs, site.timezone, language),
    resolvedAt: transition === 'resolved' ? formatDateTime(endMs, site.timezone, language) : '',
    duration: formatDuration(endMs - alert.startMs, language),
    measured: alert.measured === null ? '' : formatQuantity(alert.measured, alert.unit, language),
    expected: alert.expected === null ? '' : formatQuantity(alert.expected, alert.unit, language),
    deviation: alert.measured === null || alert.expected === null ? '' : formatDeviation(alert.measured, alert.expected, language),
    dashboardUrl: dashboardUrl(composer, site.id),
    reopened: transition === 'opened' && alert.flapCount > 0,
  };
}

const kindOf = (t: Transition): MailKind => (t === 'opened' ? 'alert-opened' : 'alert-resolved');

/**
 * The mails of one alert transition: one per recipient who takes the alert's severity (and, for
 * a resolution, `onResolve`), in the recipient's language. Pure: same input, same mails, same
 * Message-IDs, so a transaction retried after a crash enqueues nothing twice.
 */
/** An outbox row for one rendered mail, due now (the sender takes it at its next pass). */
export function outboxMail(fields: Pick<NewMail, 'messageId' | 'kind' | 'alertId' | 'recipient'>, rendered: { subject: string; text: string }, nowMs: number): NewMail {
  return { ...fields, subject: rendered.subject, text: rendered.text, html: null, createdMs: nowMs, nextAttemptMs: nowMs };
}

export function alertMails(composer: MailComposer, input: TransitionInput): NotifyResult {
  const { alert, transition, site, nowMs } = input;
  const silencedBy = silenceFor(alert, transition, input.silences, nowMs);
  if (silencedBy) return { mails: [], silencedBy, toDigest: false };
  if (alert.severity === 'info') return { mails: [], silencedBy: null, toDigest: transition === 'opened' };
  const mails = input.recipients
    .filter((r) => wants(r, alert.severity, transition))
    .map((r): NewMail => {
      const rendered = composer.templates.render(transition === 'opened' ? 'alert-opened' : 'alert-resolved', r.language, alertScope(composer, alert, transition, site, r.language, nowMs));
      return outboxMail({ messageId: alertMessageId(alert.id, alert.flapCount, transition, r.email, composer.host), kind: kindOf(transition), alertId: alert.id, recipient: r.email }, rendered, nowMs);
    });
  return { mails, silencedBy: null, toDigest: false };
}

export interface SilentBatchInput {
  site: SiteForMail;
  /** The silent-device alerts of one site that made the same transition in one evaluation. */
  alerts: readonly Alert[];
  transition: Transition;
  recipients: readonly Recipient[];
  silences: readonly Silence[];
  nowMs: number;
}

export interface SilentBatchResult {
  mails: NewMail[];
  /** Alerts whose mail a silence suppressed (record a `silenced` event for each). */
  silenced: { alertId: number; silence: Silence }[];
  /** Info alerts, left to the digest. */
  toDigest: number[];
}

const worst = (alerts: readonly Alert[]): Severity =>
  alerts.reduce<Severity>((w, a) => (SEVERITIES.indexOf(a.severity) > SEVERITIES.indexOf(w) ? a.severity : w), 'info');

/**
 * Silent-device alerts come in waves (a gateway or a site's network goes down): the issue asks
 * for one alert per device but one mail per site, "never a storm". Given the batch of one
 * evaluation, each recipient gets one mail listing every device it should hear about; a
 * recipient concerned by a single device gets the ordinary alert mail.
 */
export function groupedSilentDeviceMail(composer: MailComposer, input: SilentBatchInput): SilentBatchResult {
  const { site, transition, nowMs } = input;
  const silenced: SilentBatchResult['silenced'] = [];
  const toDigest: number[] = [];
  const mailable: Alert[] = [];
  for (const alert of input.alerts) {
    if (alert.site !== site.id) throw new Error(`alert ${alert.id} belongs to site "${alert.site}", not "${site.id}"`);
    const silence = silenceFor(alert, transition, input.silences, nowMs);
    if (silence) silenced.push({ alertId: alert.id, silence });
    else if (alert.severity === 'info') {
      if (transition === 'opened') toDigest.push(alert.id);
    } else mailable.push(alert);
  }
  const mails: NewMail[] = [];
  for (const r of input.recipients) {
    const mine = mailable.filter((a) => wants(r, a.severity, transition)).sort((a, b) => a.id - b.id);
    if (mine.length === 0) continue;
    if (mine.length === 1) {
      mails.push(...alertMails(composer, { alert: mine[0]!, transition, site, recipients: [r], silences: [], nowMs }).mails);
      continue;
    }
    const devices = mine
      .map((a) => ({
        deviceName: deviceName(site, a.device),
        since: formatDateTime(a.startMs, site.timezone, r.language),
        duration: formatDuration((transition === 'resolved' ? (a.resolvedMs ?? nowMs) : nowMs) - a.startMs, r.language),
        measured: a.measured === null ? '' : formatQuantity(a.measured, a.unit, r.language),
      }))
      .sort((a, b) => a.deviceName.localeCompare(b.deviceName, r.language));
    const rendered = composer.templates.render('silent-devices', r.language, {
      severity: severityLabel(worst(mine), r.language),
      resolved: transition === 'resolved',
      siteName: site.name,
      count: String(mine.length),
      dashboardUrl: dashboardUrl(composer, site.id),
      devices,
    });
    const ids = mine.map((a) => a.id);
    mails.push(outboxMail({ messageId: silentDevicesMessageId(site.id, ids, transition, r.email, composer.host), kind: kindOf(transition), alertId: ids[0]!, recipient: r.email }, rendered, nowMs));
  }
  return { mails, silenced, toDigest };
}
