import { z } from 'zod';
import { SEVERITIES, type Severity } from '../model.js';

/** Languages the e-mail templates exist in; French first, as the dashboard. */
export const MAIL_LANGUAGES = ['fr', 'en'] as const;
export type MailLanguage = (typeof MAIL_LANGUAGES)[number];

/**
 * An address as SMTP will carry it: one addr-spec (RFC 5322 §3.4.1), no display name, no list.
 * zod's own e-mail check is stricter than RFC 5322 on purpose (it refuses quoted local parts),
 * which suits an alert address; the message names the offending value so a typo is found at once.
 */
const emailAddress = z
  .string()
  .trim()
  .pipe(z.email({ error: (issue) => `not an e-mail address: ${JSON.stringify(issue.input)}` }));

const severity = z.enum(SEVERITIES, {
  error: (issue) => `unknown severity ${JSON.stringify(issue.input)} (known: ${SEVERITIES.join(', ')})`,
});

export const recipientSchema = z.strictObject({
  email: emailAddress,
  /** Severities mailed to this address; `info` alerts go to the daily digest, never one by one. */
  severities: z
    .array(severity)
    .min(1, 'list at least one severity, or remove the recipient')
    .default(['warning', 'critical']),
  language: z.enum(MAIL_LANGUAGES, { error: (issue) => `unknown language ${JSON.stringify(issue.input)} (known: ${MAIL_LANGUAGES.join(', ')})` }).default('fr'),
  /** Also mail when the alert resolves. */
  onResolve: z.boolean().default(true),
});

/** A site's `notifications:` list in the site configuration. */
export const notificationsSchema = z.array(recipientSchema).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((r, i) => {
    const key = r.email.toLowerCase();
    const first = seen.get(key);
    // Two entries for one address would mail it twice for the same alert: refuse rather than guess.
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'email'], message: `"${r.email}" is already listed at [${first}]` });
    else seen.set(key, i);
  });
});

export type Recipient = z.infer<typeof recipientSchema>;
export type Notifications = z.infer<typeof notificationsSchema>;

/** The recipients of one severity (in list order). */
export function recipientsOf(list: readonly Recipient[], sev: Severity): Recipient[] {
  return list.filter((r) => r.severities.includes(sev));
}
