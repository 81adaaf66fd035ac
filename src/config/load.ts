import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type AppConfig } from './schema.js';

/** Every problem found in a configuration file, each with the path of the key at fault. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CONFIG_PATH = 'config/sites.yaml';
export const EXAMPLE_CONFIG_PATH = 'config/sites.example.yaml';

/** `CONFIG` if set; else config/sites.yaml; else the shipped example. */
export function resolveConfigPath(env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  if (env.CONFIG) return resolve(cwd, env.CONFIG);
  const preferred = resolve(cwd, DEFAULT_CONFIG_PATH);
  return existsSync(preferred) ? preferred : resolve(cwd, EXAMPLE_CONFIG_PATH);
}

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): AppConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  return parseConfigText(text, file, env);
}

export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv): AppConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`));
  }
  const problems: string[] = [];
  const interpolated = interpolateEnv(doc.toJS(), env, [], problems);
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) problems.push(...formatZodIssues(parsed.error.issues));
  if (problems.length > 0 || !parsed.success) throw new ConfigError(file, problems);
  return parsed.data;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string, so that secrets can
 * stay out of the file. A variable that is unset and has no default is an error.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: PropertyKey[], problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => {
      const fromEnv = env[name];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      if (fallback !== undefined) return fallback;
      problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, [...path, k], problems)]));
  }
  return value;
}

/** `sites[2].devices[0].quantities[1]: unknown quantity "powr_w"`. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `${formatPath(issue.path)}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${formatPath(issue.path)}: ${issue.message}`;
  });
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
