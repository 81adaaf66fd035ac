import type { MailLanguage } from './recipients.js';
import { MAIL_LANGUAGES } from './recipients.js';
import { compileTemplate, type CompiledTemplate, type FieldSpec, type TemplateScope } from './template-compiler.js';
import { EN } from './templates/en.js';
import { FR } from './templates/fr.js';

export const TEMPLATE_NAMES = ['alert-opened', 'alert-resolved', 'silent-devices', 'digest'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** One mail's sources: the subject line and the plain-text body (always sent; RFC 2046 text/plain). */
export interface TemplateSource {
  subject: string;
  text: string;
}
export type TemplateSources = Record<TemplateName, TemplateSource>;

/** Every value is a string already formatted for the recipient's locale (numbers, units, dates). */
const ALERT_FIELDS = {
  severity: 'value',
  siteId: 'value',
  siteName: 'value',
  deviceName: 'value',
  what: 'value',
  summary: 'value',
  since: 'value',
  resolvedAt: 'value',
  duration: 'value',
  measured: 'value',
  expected: 'value',
  deviation: 'value',
  dashboardUrl: 'value',
  reopened: 'value',
} as const satisfies FieldSpec;

const SILENT_DEVICE_FIELDS = { deviceName: 'value', since: 'value', duration: 'value', measured: 'value' } as const satisfies FieldSpec;
const DIGEST_ALERT_FIELDS = { deviceName: 'value', what: 'value', since: 'value', measured: 'value', expected: 'value', severity: 'value' } as const satisfies FieldSpec;

export const TEMPLATE_FIELDS: Record<TemplateName, FieldSpec> = {
  'alert-opened': ALERT_FIELDS,
  'alert-resolved': ALERT_FIELDS,
  'silent-devices': { severity: 'value', resolved: 'value', siteName: 'value', count: 'value', dashboardUrl: 'value', devices: SILENT_DEVICE_FIELDS },
  digest: {
    day: 'value',
    timezone: 'value',
    count: 'value',
    sites: { siteName: 'value', dashboardUrl: 'value', alerts: DIGEST_ALERT_FIELDS },
  },
};

export const DEFAULT_TEMPLATE_SOURCES: Record<MailLanguage, TemplateSources> = { fr: FR, en: EN };

export interface RenderedMail {
  subject: string;
  text: string;
}

/** The templates of every language, compiled. */
export interface MailTemplates {
  render(name: TemplateName, language: MailLanguage, scope: TemplateScope): RenderedMail;
}

// A header line must stay one line: a CR or LF from a site name would start a new header (RFC 5322 §2.2).
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ');

/**
 * Compiles every template of every language; throws a TemplateError naming the template
 * (e.g. `en/alert-opened.text`) and the placeholder at fault. Call it while the service is
 * being built, so that a bad template stops start-up instead of the first alert's e-mail.
 */
export function compileMailTemplates(sources: Record<MailLanguage, TemplateSources> = DEFAULT_TEMPLATE_SOURCES): MailTemplates {
  const compiled = new Map<string, { subject: CompiledTemplate; text: CompiledTemplate }>();
  for (const language of MAIL_LANGUAGES) {
    for (const name of TEMPLATE_NAMES) {
      const source = sources[language]?.[name];
      if (!source) throw new Error(`template "${language}/${name}" is missing`);
      compiled.set(`${language}/${name}`, {
        subject: compileTemplate(`${language}/${name}.subject`, source.subject, TEMPLATE_FIELDS[name]),
        text: compileTemplate(`${language}/${name}.text`, source.text, TEMPLATE_FIELDS[name]),
      });
    }
  }
  return {
    render(name, language, scope) {
      const t = compiled.get(`${language}/${name}`)!;
      return { subject: t.subject.render(scope, oneLine).trim(), text: t.text.render(scope) };
    },
  };
}
