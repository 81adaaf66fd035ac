import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { compileDefaultRules, defaultRuleEntries } from '../../../src/rules/default-rules.js';
import { defaultRegistry } from '../../../src/rules/registry.js';
import { compileRules, RulesError } from '../../../src/rules/rule-schema.js';
import { bindRules } from '../../../src/rules/subjects.js';
import { testConfig } from './harness.js';

const registry = defaultRegistry();
const config = testConfig();

function problemsOf(rules: unknown): string[] {
  try {
    compileRules(rules, registry, config, 'rules.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RulesError);
    return (err as RulesError).problems;
  }
  throw new Error('expected the rules to be refused');
}

const co2 = { id: 'co2', type: 'threshold', select: { quantities: ['co2_ppm'] }, above: 1500 };

describe('rule file schema: every problem with its path', () => {
  it('accepts a good threshold rule, with durations read as ms', () => {
    const [rule] = compileRules([{ ...co2, clearAt: 1200, for: '15m', clearFor: '10m', cooldown: '2h' }], registry, config, 'rules.yaml');
    expect(rule).toMatchObject({ id: 'co2', type: 'threshold', forMs: 900_000, clearForMs: 600_000, cooldownMs: 7_200_000, severity: 'warning', params: { above: 1500, clearAt: 1200, during: 'always' } });
  });

  it('an unknown type', () => {
    expect(problemsOf([{ id: 'x', type: 'tresholdd' }])).toEqual([expect.stringMatching(/^rules\[0\]\.type: unknown rule type "tresholdd" \(known: .*threshold/)]);
  });

  it('an unknown key, common or of the type', () => {
    expect(problemsOf([{ ...co2, abov: 1500 }]).join('\n')).toMatch(/^rules\[0\].*abov/m);
    expect(problemsOf([{ ...co2, select: { quantities: ['co2_ppm'], site: ['site-a'] } }]).join('\n')).toMatch(/^rules\[0\]\.select.*site/m);
  });

  it('a bad duration', () => {
    expect(problemsOf([{ ...co2, for: '15 minutes' }])).toEqual([expect.stringMatching(/^rules\[0\]\.for: "15 minutes" is not a duration/)]);
    expect(problemsOf([{ id: 's', type: 'silent-device', after: '1hour' }])).toEqual([expect.stringMatching(/^rules\[0\]\.after: "1hour" is not a duration/)]);
  });

  it('a threshold without quantities, or without exactly one of above/below, or a clearAt past the threshold', () => {
    expect(problemsOf([{ id: 't', type: 'threshold', above: 1500 }])).toEqual(['rules[0].select.quantities: a threshold rule names the quantities it watches']);
    expect(problemsOf([{ ...co2, above: undefined }]).join('\n')).toMatch(/^rules\[0\]\.above: give exactly one of `above` or `below`/m);
    expect(problemsOf([{ ...co2, clearAt: 1600 }]).join('\n')).toMatch(/^rules\[0\]\.clearAt: must be at most `above`/m);
  });

  it('a selector naming an unknown site or device', () => {
    expect(problemsOf([{ ...co2, select: { quantities: ['co2_ppm'], sites: ['site-b'] } }])).toEqual(['rules[0].select.sites[0]: no site "site-b" in the configuration']);
    expect(problemsOf([{ ...co2, select: { quantities: ['co2_ppm'], devices: ['salle', 'couloir'] } }])).toEqual(['rules[0].select.devices[1]: no device "couloir" in the selected sites']);
  });

  it('several problems at once, each with its own path, in one error', () => {
    const problems = problemsOf([
      co2,
      { id: 'x', type: 'nope' },
      { ...co2, id: 'co2' },
      { ...co2, id: 'y', for: '5 min' },
      { id: 'z', type: 'threshold', above: 1 },
      'not a rule',
      { ...co2, id: 'w', select: { quantities: ['co2_ppm'], sites: ['ailleurs'] } },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^rules\[1\]\.type: unknown rule type "nope"/),
      'rules[2].id: rule id "co2" is already used by rules[0]',
      expect.stringMatching(/^rules\[3\]\.for: /),
      'rules[4].select.quantities: a threshold rule names the quantities it watches',
      expect.stringMatching(/^rules\[5\]: must be a rule/),
      'rules[6].select.sites[0]: no site "ailleurs" in the configuration',
    ]);
    try {
      compileRules([{ id: 'x', type: 'nope' }, 'y'], registry, config, 'rules.yaml');
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid rules in rules\.yaml:\n {2}- rules\[0\]\.type.*\n {2}- rules\[1\]/);
    }
  });

  it('not a list', () => {
    expect(problemsOf({ id: 'co2' })).toEqual(['rules: must be a list of rules']);
  });
});

describe('shipped defaults', () => {
  it('compile against config/sites.example.yaml and bind to its devices', () => {
    const example = loadConfigFile('config/sites.example.yaml', {});
    const defaults = compileDefaultRules(registry, example);
    expect(defaults.map((r) => r.id)).toEqual(defaultRuleEntries().map((r) => r.id));
    expect(defaults.map((r) => r.id)).toEqual(expect.arrayContaining(['co2-high', 'indoor-cold', 'device-silent', 'counter-integrity', 'energy-spike-drop', 'energy-flatline', 'energy-out-of-hours']));
    const bindings = bindRules(example, [], defaults);
    const cleon = bindings.filter((b) => b.subject.site.id === 'cleon-bureaux').map((b) => `${b.ruleKey}@${b.subject.device.id}/${b.subject.quantity}`);
    expect(cleon).toEqual(expect.arrayContaining(['co2-high@open-space/co2_ppm', 'indoor-cold@open-space/temperature_c', 'energy-spike-drop@tgbt/energy_kwh', 'device-silent@meteo/temperature_c']));
    // indoor-cold is for indoor sensors: never the weather station
    expect(cleon).not.toContain('indoor-cold@meteo/temperature_c');
    // one silent-device binding per device
    const silent = bindings.filter((b) => b.rule.id === 'device-silent');
    expect(silent).toHaveLength(example.sites.reduce((n, s) => n + s.devices.length, 0));
  });

  it('a site that selects a rule of its own gets no defaults; the others keep them', () => {
    const defaults = compileDefaultRules(registry, config);
    const own = compileRules([co2], registry, config, 'rules.yaml');
    const bindings = bindRules(config, own, defaults);
    expect(new Set(bindings.map((b) => b.rule.id))).toEqual(new Set(['co2']));
    expect(new Set(bindRules(config, [], defaults).map((b) => b.rule.id)).size).toBeGreaterThan(4);
  });
});
