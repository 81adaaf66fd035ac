import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError } from '../../../../src/alerts/email/template-compiler.js';
import { DEFAULT_TEMPLATE_SOURCES } from '../../../../src/alerts/email/templates.js';
import { createMailComposer, alertMails } from '../../../../src/alerts/email/notifier.js';
import { alert, recipient, SITE, START_MS } from './fixtures.js';

const composer = createMailComposer({ publicUrl: 'https://energie.example.fr/' });
const NOW = START_MS + 2 * 3_600_000 + 15 * 60_000;

function refusal(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err;
    throw err;
  }
  throw new Error('expected a TemplateError');
}

describe('template compiler', () => {
  const fields = { a: 'value', list: { b: 'value' } } as const;

  it('renders values, conditions and lists', () => {
    const t = compileTemplate('t', '{{a}}{{#if a}}+{{else}}-{{/if}}{{#each list}}[{{b}}]{{/each}}', fields);
    expect(t.render({ a: 'x', list: [{ b: '1' }, { b: '2' }] })).toBe('x+[1][2]');
    expect(t.render({ a: '', list: [] })).toBe('-');
  });

  it('escapes every value through the given escape, never the template text', () => {
    const t = compileTemplate('t', '<p>{{a}}</p>', fields);
    expect(t.render({ a: '<b>&' }, (v) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;'))).toBe('<p>&lt;b>&amp;</p>');
  });

  it('refuses an unknown placeholder with the template name, the placeholder and its line', () => {
    const err = refusal(() => compileTemplate('fr/alert-opened.text', 'Site : {{a}}\nAppareil : {{deviceNmae}}', fields));
    expect(err.template).toBe('fr/alert-opened.text');
    expect(err.placeholder).toBe('deviceNmae');
    expect(err.message).toBe('template "fr/alert-opened.text", line 2: unknown placeholder "deviceNmae" (known here: a, list)');
  });

  it('refuses an item field used outside its list, and a list used as a value', () => {
    expect(refusal(() => compileTemplate('t', '{{b}}', fields)).placeholder).toBe('b');
    expect(refusal(() => compileTemplate('t', '{{list}}', fields)).message).toContain('"list" is a list');
    expect(refusal(() => compileTemplate('t', '{{#each a}}{{/each}}', fields)).message).toContain('"a" is not a list');
  });

  it('refuses unbalanced and malformed syntax', () => {
    expect(refusal(() => compileTemplate('t', '{{#if a}}open', fields)).message).toBe('template "t", line 1: {{#if a}} is never closed');
    expect(refusal(() => compileTemplate('t', 'x\n{{/each}}', fields)).message).toBe('template "t", line 2: unbalanced {{/each}}: nothing is open');
    expect(refusal(() => compileTemplate('t', '{{#each list}}{{/if}}', fields)).message).toContain('{{#each list}} of line 1 is open');
    expect(refusal(() => compileTemplate('t', 'Bonjour {{a}', fields)).message).toContain('malformed tag "{{"');
    expect(refusal(() => compileTemplate('t', '{{a b}}', fields)).message).toContain('malformed tag "{{a b}}"');
    expect(refusal(() => compileTemplate('t', '{{else}}', fields)).message).toContain('{{else}} outside an {{#if}}');
  });
});

describe('shipped templates', () => {
  it('a bad template stops the composer from being built, naming the template and the placeholder', () => {
    const sources = { ...DEFAULT_TEMPLATE_SOURCES, en: { ...DEFAULT_TEMPLATE_SOURCES.en, digest: { subject: 'Digest {{dya}}', text: '' } } };
    expect(() => createMailComposer({ publicUrl: 'http://localhost:8080', sources })).toThrow(
      'template "en/digest.subject", line 1: unknown placeholder "dya"',
    );
  });

  it('French: site, device, what, since when (Paris time), measured against expected with units, and the dashboard link', () => {
    const [mail] = alertMails(composer, { alert: alert(), transition: 'opened', site: SITE, recipients: [recipient({ email: 'gestion@cleon.example.fr' })], silences: [], nowMs: NOW }).mails;
    expect(mail!.subject).toBe('[Avertissement] Bureaux – Cléon : consommation hors horaires – TGBT principal');
    expect(mail!.text).toContain('Site : Bureaux – Cléon\n');
    expect(mail!.text).toContain('Appareil : TGBT principal\n');
    expect(mail!.text).toContain('Constat : consommation hors horaires\n');
    expect(mail!.text).toContain('Détail : consumption 1234.5 kWh out of hours, allowed 800 kWh\n');
    expect(mail!.text).toMatch(/Depuis : lundi 23 novembre 2026 à 10:15 UTC\+1 \(2\u00a0h 15\u00a0min\)\n/);
    expect(mail!.text).toContain('Valeur mesurée : 1\u202f235\u00a0kWh\n');
    expect(mail!.text).toContain('Valeur attendue ou seuil : 800\u00a0kWh (écart +54\u00a0%)\n');
    expect(mail!.text).toContain('Tableau de bord du site : https://energie.example.fr/#/site/cleon-bureaux\n');
    expect(mail!.text).not.toMatch(/\{\{|\}\}/);
  });

  it('English per recipient, with English number and date formats', () => {
    const [mail] = alertMails(composer, {
      alert: alert({ measured: 12.25, expected: 9.5 }),
      transition: 'opened',
      site: SITE,
      recipients: [recipient({ email: 'facility@example.com', language: 'en' })],
      silences: [],
      nowMs: NOW,
    }).mails;
    expect(mail!.subject).toBe('[Warning] Bureaux – Cléon: out-of-hours consumption – TGBT principal');
    expect(mail!.text).toContain('Device: TGBT principal\n');
    expect(mail!.text).toMatch(/Since: Monday(,)? 23 November 2026(,| at) 10:15 CET \(2\u00a0h 15\u00a0min\)\n/);
    expect(mail!.text).toContain('Measured: 12.3\u00a0kWh\n');
    expect(mail!.text).toContain('Expected or threshold: 9.5\u00a0kWh (deviation +29%)\n');
    expect(mail!.text).toContain('Site dashboard: https://energie.example.fr/#/site/cleon-bureaux\n');
  });

  it('a resolution states when it resolved and how long it lasted; a rule type without a label uses the summary', () => {
    const resolved = alert({ state: 'resolved', resolvedMs: START_MS + 26 * 3_600_000, ruleType: 'co2-hysteresis', summary: 'CO2 au-dessus de 1500 ppm', unit: 'ppm', measured: 1820, expected: 1500 });
    const [mail] = alertMails(composer, { alert: resolved, transition: 'resolved', site: SITE, recipients: [recipient({ email: 'a@example.fr' })], silences: [], nowMs: NOW + 86_400_000 }).mails;
    expect(mail!.subject).toBe('[Résolu] Bureaux – Cléon : CO2 au-dessus de 1500 ppm – TGBT principal');
    expect(mail!.text).toMatch(/Résolue : mardi 24 novembre 2026 à 12:15 UTC\+1 \(durée 1\u00a0j 2\u00a0h\)/);
    expect(mail!.text).toContain('Pire valeur mesurée : 1\u202f820\u00a0ppm\n');
    expect(mail!.text).not.toContain('Détail :');
  });

  it('an alert without figures leaves the figure lines out, and a newline in a site name cannot break the subject', () => {
    const site = { ...SITE, name: 'Cléon\r\nBcc: victim@example.com' };
    const [mail] = alertMails(composer, { alert: alert({ measured: null, expected: null }), transition: 'opened', site, recipients: [recipient({ email: 'a@example.fr' })], silences: [], nowMs: NOW }).mails;
    expect(mail!.subject).not.toMatch(/[\r\n]/);
    expect(mail!.subject).toContain('Cléon Bcc: victim@example.com');
    expect(mail!.text).not.toContain('Valeur mesurée');
    expect(mail!.text).not.toContain('Valeur attendue');
  });
});
