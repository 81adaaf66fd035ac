import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { AppConfig } from '../config/schema.js';
import { interpolateEnv } from '../config/load.js';
import { compileDefaultRules } from './default-rules.js';
import type { RuleTypeRegistry } from './registry.js';
import { compileRules, RulesError, type CompiledRule } from './rule-schema.js';

export interface LoadedRules {
  /** Rules written by the user (RULES_FILE, or the configuration's `rules:`). */
  configured: CompiledRule[];
  /** The shipped defaults, for sites no configured rule selects. */
  defaults: CompiledRule[];
  source: string;
}

/** Reads a rules file: a `rules:` mapping, or a bare list. Every problem is reported with its path. */
export function readRulesFile(file: string, env: NodeJS.ProcessEnv): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RulesError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new RulesError(file, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  const problems: string[] = [];
  const value = interpolateEnv(doc.toJS(), env, [], problems);
  if (problems.length > 0) throw new RulesError(file, problems);
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && 'rules' in value) {
    const extra = Object.keys(value).filter((k) => k !== 'rules');
    if (extra.length > 0) throw new RulesError(file, [`(root): unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`]);
    return (value as { rules: unknown }).rules;
  }
  throw new RulesError(file, ['(root): must be a list of rules, or a mapping with `rules:`']);
}

/** The rules in force: checked at start, so a bad rule stops start-up with its path. */
export function loadRules(options: { rulesFile?: string | undefined; config: AppConfig; registry: RuleTypeRegistry; env?: NodeJS.ProcessEnv; configSource?: string }): LoadedRules {
  const defaults = compileDefaultRules(options.registry, options.config);
  if (options.rulesFile) {
    return { configured: compileRules(readRulesFile(options.rulesFile, options.env ?? process.env), options.registry, options.config, options.rulesFile), defaults, source: options.rulesFile };
  }
  if (options.config.rules) {
    const source = options.configSource ?? 'the site configuration';
    return { configured: compileRules(options.config.rules, options.registry, options.config, source), defaults, source };
  }
  return { configured: [], defaults, source: 'the shipped defaults' };
}
