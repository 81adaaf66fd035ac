import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { loadRules } from '../../../src/rules/load-rules.js';
import { defaultRegistry } from '../../../src/rules/registry.js';
import { RulesError } from '../../../src/rules/rule-schema.js';
import { bindRules } from '../../../src/rules/subjects.js';

describe('config/rules.example.yaml', () => {
  const config = loadConfigFile('config/sites.example.yaml', {});

  it('compiles against the example sites, and the sites it does not select keep the defaults', () => {
    const rules = loadRules({ rulesFile: 'config/rules.example.yaml', config, registry: defaultRegistry(), env: {} });
    expect(rules.configured.map((r) => r.id)).toContain('co2-salles');
    const bindings = bindRules(config, rules.configured, rules.defaults);
    const ruleIdsOf = (site: string) => new Set(bindings.filter((b) => b.subject.site.id === site).map((b) => b.rule.id));
    expect(ruleIdsOf('cleon-bureaux').has('co2-salles')).toBe(true);
    expect(ruleIdsOf('cleon-bureaux').has('co2-high')).toBe(false);
    const untouched = config.sites.find((s) => s.id !== 'cleon-bureaux' && s.id !== 'elbeuf-atelier')!;
    expect(ruleIdsOf(untouched.id).has('device-silent')).toBe(true);
    expect([...ruleIdsOf('elbeuf-atelier')].sort()).toEqual(['appareils-muets', 'atelier-nuit', 'compteurs']);
  });

  it('reports a file with a bad rule with the file and the path', () => {
    expect(() => loadRules({ rulesFile: 'config/does-not-exist.yaml', config, registry: defaultRegistry(), env: {} })).toThrow(RulesError);
  });
});
