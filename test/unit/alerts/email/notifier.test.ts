import { describe, expect, it } from 'vitest';
import type { Silence } from '../../../../src/alerts/model.js';
import { alertMessageId, digestMessageId, threadParentOf } from '../../../../src/alerts/email/message-id.js';
import { alertMails, createMailComposer, groupedSilentDeviceMail } from '../../../../src/alerts/email/notifier.js';
import { notificationsSchema } from '../../../../src/alerts/email/recipients.js';
import { credentialScrubber, parseSmtpUrl } from '../../../../src/alerts/email/smtp-url.js';
import { formatZodIssues } from '../../../../src/config/load.js';
import { alert, recipient, SITE, START_MS } from './fixtures.js';

const composer = createMailComposer({ publicUrl: 'https://energie.example.fr:8443/sbe/' });
const NOW = START_MS + 3_600_000;
const a = recipient({ email: 'a@example.fr' });
const b = recipient({ email: 'b@example.com', language: 'en', severities: ['critical'], onResolve: false });

function silence(overrides: Partial<Silence>): Silence {
  return { id: 7, site: 'cleon-bureaux', device: null, fromMs: START_MS - 1, toMs: NOW + 1, reason: 'maintenance', createdBy: 'ops', createdMs: 0, ...overrides };
}

describe('Message-IDs', () => {
  it('are stable per (alert, episode, transition, recipient), differ otherwise, and carry the PUBLIC_URL host', () => {
    const input = { alert: alert(), transition: 'opened' as const, site: SITE, recipients: [a], silences: [], nowMs: NOW };
    const first = alertMails(composer, input).mails[0]!.messageId;
    expect(alertMails(composer, { ...input, nowMs: NOW + 999_999 }).mails[0]!.messageId).toBe(first);
    expect(first).toMatch(/^<alert-42-opened-[0-9a-f]{16}@energie\.example\.fr>$/);
    expect(first).not.toContain('a@example.fr');
    expect(alertMessageId(42, 0, 'opened', ' A@Example.FR ', 'energie.example.fr')).toBe(first);
    const others = [
      alertMessageId(42, 0, 'opened', 'b@example.com', 'energie.example.fr'),
      alertMessageId(42, 0, 'resolved', 'a@example.fr', 'energie.example.fr'),
      alertMessageId(42, 1, 'opened', 'a@example.fr', 'energie.example.fr'),
      alertMessageId(43, 0, 'opened', 'a@example.fr', 'energie.example.fr'),
    ];
    expect(new Set([first, ...others]).size).toBe(5);
    expect(threadParentOf(alertMessageId(42, 1, 'resolved', 'a@example.fr', 'h'))).toBe(alertMessageId(42, 1, 'opened', 'a@example.fr', 'h'));
    expect(threadParentOf(first)).toBeNull();
    expect(digestMessageId('2026-11-23', 'Europe/Paris', 'a@example.fr', 'h')).toBe(digestMessageId('2026-11-23', 'Europe/Paris', 'A@example.fr', 'h'));
  });
});

describe('alertMails', () => {
  it('mails each recipient who takes the severity, in its language; resolutions only to onResolve recipients', () => {
    const warning = alertMails(composer, { alert: alert(), transition: 'opened', site: SITE, recipients: [a, b], silences: [], nowMs: NOW });
    expect(warning.mails.map((m) => m.recipient)).toEqual(['a@example.fr']);
    const critical = alertMails(composer, { alert: alert({ severity: 'critical' }), transition: 'opened', site: SITE, recipients: [a, b], silences: [], nowMs: NOW });
    expect(critical.mails.map((m) => [m.recipient, m.subject.slice(0, 10), m.kind, m.alertId, m.nextAttemptMs])).toEqual([
      ['a@example.fr', '[Critique]', 'alert-opened', 42, NOW],
      ['b@example.com', '[Critical]', 'alert-opened', 42, NOW],
    ]);
    expect(critical.mails[0]!.text).toContain('https://energie.example.fr:8443/sbe/#/site/cleon-bureaux');
    const resolved = alertMails(composer, { alert: alert({ severity: 'critical', resolvedMs: NOW }), transition: 'resolved', site: SITE, recipients: [a, b], silences: [], nowMs: NOW });
    expect(resolved.mails.map((m) => [m.recipient, m.kind])).toEqual([['a@example.fr', 'alert-resolved']]);
  });

  it('sends info alerts to the digest, not now', () => {
    const r = alertMails(composer, { alert: alert({ severity: 'info' }), transition: 'opened', site: SITE, recipients: [recipient({ email: 'i@example.fr', severities: ['info'] })], silences: [], nowMs: NOW });
    expect(r).toEqual({ mails: [], silencedBy: null, toDigest: true });
  });

  it('mails nothing for a silenced site or device, says which silence, and ignores other devices\' silences', () => {
    const site = silence({});
    expect(alertMails(composer, { alert: alert(), transition: 'opened', site: SITE, recipients: [a], silences: [site], nowMs: NOW })).toEqual({ mails: [], silencedBy: site, toDigest: false });
    const device = silence({ id: 8, device: 'tgbt' });
    expect(alertMails(composer, { alert: alert(), transition: 'opened', site: SITE, recipients: [a], silences: [device], nowMs: NOW }).silencedBy).toBe(device);
    const other = silence({ id: 9, device: 'eclairage' });
    const expired = silence({ id: 10, toMs: NOW });
    expect(alertMails(composer, { alert: alert(), transition: 'opened', site: SITE, recipients: [a], silences: [other, expired], nowMs: NOW }).mails).toHaveLength(1);
    // Opened during maintenance (not mailed), resolved after it: the resolution is not mailed either.
    const during = silence({ id: 11, fromMs: START_MS, toMs: START_MS + 3_600_000 });
    const resolved = alertMails(composer, { alert: alert({ resolvedMs: NOW + 7_200_000 }), transition: 'resolved', site: SITE, recipients: [a], silences: [during], nowMs: NOW + 7_200_000 });
    expect(resolved.silencedBy).toBe(during);
  });
});

describe('groupedSilentDeviceMail', () => {
  const silent = (id: number, device: string, severity: 'warning' | 'critical' | 'info' = 'warning') =>
    alert({ id, device, severity, ruleType: 'silent-device', rule: 'silent', measured: 6, expected: 1, unit: 'h', summary: 'no reading' });

  it('gives each recipient one mail listing every silent device of the batch, never one per device', () => {
    const batch = [silent(51, 'tgbt'), silent(52, 'eclairage'), silent(53, 'co2-salle-1', 'critical'), silent(54, 'tgbt', 'info')];
    const r = groupedSilentDeviceMail(composer, { site: SITE, alerts: batch, transition: 'opened', recipients: [a, b], silences: [], nowMs: NOW });
    expect(r.toDigest).toEqual([54]);
    expect(r.mails).toHaveLength(2);
    const [toA, toB] = r.mails;
    expect(toA!.subject).toBe('[Critique] Bureaux – Cléon : 3 appareils muets');
    expect(toA!.text).toContain('- CO2 salle 1 : muet depuis');
    expect(toA!.text).toContain('- eclairage : muet depuis');
    expect(toA!.text).toContain('- TGBT principal : muet depuis');
    expect(toA!.text).toContain('6\u00a0h sans mesure');
    expect(toA!.messageId).toMatch(/^<silent-cleon-bureaux-51-[0-9a-f]{12}-opened-[0-9a-f]{16}@energie\.example\.fr>$/);
    // b takes critical only: a single device, so the ordinary alert mail.
    expect(toB!.messageId).toBe(alertMessageId(53, 0, 'opened', 'b@example.com', 'energie.example.fr'));
    const again = groupedSilentDeviceMail(composer, { site: SITE, alerts: [...batch].reverse(), transition: 'opened', recipients: [a, b], silences: [], nowMs: NOW + 5 });
    expect(again.mails.map((m) => m.messageId)).toEqual(r.mails.map((m) => m.messageId));
  });

  it('leaves silenced devices out and reports them; resolutions are grouped too', () => {
    const batch = [silent(51, 'tgbt'), silent(52, 'eclairage'), silent(53, 'co2-salle-1')].map((x) => ({ ...x, resolvedMs: NOW }));
    const s = silence({ device: 'eclairage' });
    const r = groupedSilentDeviceMail(composer, { site: SITE, alerts: batch, transition: 'resolved', recipients: [a], silences: [s], nowMs: NOW + 1 });
    expect(r.silenced).toEqual([{ alertId: 52, silence: s }]);
    expect(r.mails).toHaveLength(1);
    expect(r.mails[0]!.subject).toBe('[Résolu] Bureaux – Cléon : 2 appareils de nouveau actifs');
    expect(r.mails[0]!.text).not.toContain('eclairage');
    expect(r.mails[0]!.kind).toBe('alert-resolved');
  });
});

describe('notifications schema', () => {
  it('fills the defaults', () => {
    expect(notificationsSchema.parse([{ email: 'a@example.fr' }])).toEqual([{ email: 'a@example.fr', severities: ['warning', 'critical'], language: 'fr', onResolve: true }]);
  });

  it('names the path of every bad entry', () => {
    const parsed = notificationsSchema.safeParse([
      { email: 'a@example.fr' },
      { email: 'pas une adresse' },
      { email: 'b@example.fr', severities: ['urgent'], language: 'de', onResolve: 'yes' },
      { email: 'c@example.fr', cc: 'x' },
    ]);
    expect(parsed.success).toBe(false);
    expect(formatZodIssues(parsed.error!.issues)).toEqual([
      '[1].email: not an e-mail address: "pas une adresse"',
      '[2].severities[0]: unknown severity "urgent" (known: info, warning, critical)',
      '[2].language: unknown language "de" (known: fr, en)',
      '[2].onResolve: Invalid input: expected boolean, received string',
      '[3]: unknown key "cc"',
    ]);
    // Checked once the entries themselves are valid (zod runs list refinements on a valid list).
    const twice = notificationsSchema.safeParse([{ email: 'a@example.fr' }, { email: 'A@example.fr ' }]);
    expect(formatZodIssues(twice.error!.issues)).toEqual(['[1].email: "A@example.fr" is already listed at [0]']);
  });
});

describe('SMTP_URL', () => {
  it('is masked for logs, and its credentials are scrubbed from error texts in every form', () => {
    const endpoint = parseSmtpUrl('smtps://alerts%40corp:p%40ss%3Aw0rd@mail.example.fr:465');
    expect(endpoint).toMatchObject({ username: 'alerts@corp', password: 'p@ss:w0rd', masked: 'smtps://alerts%40corp:***@mail.example.fr:465' });
    const scrub = credentialScrubber(endpoint);
    const plain = Buffer.from('\u0000alerts@corp\u0000p@ss:w0rd').toString('base64');
    expect(scrub(`535 bad p@ss:w0rd / p%40ss%3Aw0rd / ${plain} / smtp://x:y@h`)).toBe('535 bad *** / *** / *** / smtp://x:***@h');
  });
});

describe('site configuration', () => {
  it('reports a bad recipient with its full path in the sites file', async () => {
    const { parseConfigText, ConfigError } = await import('../../../../src/config/load.js');
    const text = `
sites:
  - id: cleon-bureaux
    name: "Bureaux – Cléon"
    usage: office
    floorAreaM2: 1850
    notifications:
      - email: gestion@cleon.example.fr
      - email: "gestion@cleon"
        language: es
    devices:
      - { id: tgbt, kind: electricity-meter, quantities: [energy_kwh], secret: a-long-secret }
`;
    const err = (() => {
      try {
        parseConfigText(text, 'sites.yaml', {});
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as InstanceType<typeof ConfigError>).problems).toEqual([
      'sites[0].notifications[1].email: not an e-mail address: "gestion@cleon"',
      'sites[0].notifications[1].language: unknown language "es" (known: fr, en)',
    ]);
  });
});
