import { describe, expect, it } from 'vitest';
import { ruleLabel } from '../../../../src/alerts/email/format.js';
import { defaultRegistry } from '../../../../src/rules/registry.js';

describe('rule labels in alert e-mails', () => {
  it('word every registered rule type in French and in English (never the English summary in a French mail)', () => {
    for (const type of defaultRegistry().keys()) {
      for (const language of ['fr', 'en'] as const) {
        expect(ruleLabel(type, 'FALLBACK', language), `${type} in ${language}`).not.toBe('FALLBACK');
      }
      expect(ruleLabel(type, 'x', 'fr')).not.toBe(ruleLabel(type, 'x', 'en'));
    }
  });
});
