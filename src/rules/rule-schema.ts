import { z } from 'zod';
import { DEVICE_KINDS, QUANTITY_NAMES, SITE_USAGES, type QuantityName } from '../config/quantities.js';
import type { AppConfig } from '../config/schema.js';
import { formatZodIssues } from '../config/load.js';
import { SEVERITIES, type Severity } from '../alerts/model.js';
import { durationSchema } from './duration.js';
import type { RuleTypeDef } from './rule-type.js';
import type { RuleTypeRegistry } from './registry.js';

const identifier = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lower-case letters, digits and dashes (1-64)');

const selectSchema = z.strictObject({
  sites: z.array(identifier).min(1).optional(),
  devices: z.array(identifier).min(1).optional(),
  quantities: z.array(z.enum(QUANTITY_NAMES as [QuantityName, ...QuantityName[]])).min(1).optional(),
  /** Site usages (office, industrial, …). */
  usages: z.array(z.enum(SITE_USAGES)).min(1).optional(),
  /** Device kinds, e.g. [multi-sensor] to leave the weather station out of an indoor rule. */
  kinds: z.array(z.enum(DEVICE_KINDS)).min(1).optional(),
});
export type RuleSelect = z.infer<typeof selectSchema>;

/** Fields every rule has; the rest of a rule belongs to its type and is checked by the type's schema. */
const commonSchema = z.strictObject({
  id: identifier,
  type: z.string(),
  description: z.string().optional(),
  severity: z.enum(SEVERITIES).default('warning'),
  select: selectSchema.default({}),
  /** How long the condition must hold before the alert opens. */
  for: durationSchema.prefault('0'),
  /** How long the clear condition must hold before the alert resolves (hysteresis). */
  clearFor: durationSchema.prefault('0'),
  /** A recurrence within this time after resolving re-opens the same alert (a flap), with no new e-mail. */
  cooldown: durationSchema.prefault('6h'),
  notifyOnResolve: z.boolean().default(true),
  enabled: z.boolean().default(true),
  /**
   * Readings further apart than this break a pending duration: "above for 15 min" needs readings
   * all along, not one at the start and one at the end. Default 15 min for live rules (three
   * missed readings of a 5-min sensor); hourly rules judge every hour and need none.
   */
  maxGap: durationSchema.optional(),
});
const COMMON_KEYS = new Set(Object.keys(commonSchema.shape));

/** A rule checked and ready to evaluate. */
export interface CompiledRule {
  id: string;
  type: string;
  description?: string;
  severity: Severity;
  select: RuleSelect;
  forMs: number;
  clearForMs: number;
  cooldownMs: number;
  /** Gap that breaks a pending duration; null: none. */
  maxGapMs: number | null;
  notifyOnResolve: boolean;
  enabled: boolean;
  params: unknown;
  def: RuleTypeDef<never>;
}

export class RulesError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid rules in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RulesError';
  }
}

function prefixed(prefix: (string | number)[], issues: readonly z.core.$ZodIssue[]): string[] {
  return formatZodIssues(issues.map((issue) => ({ ...issue, path: [...prefix, ...issue.path] })));
}

/**
 * Checks a list of rules strictly, as the site configuration is checked: every problem is
 * reported with its path (`rules[2].above: …`), unknown keys and types included, and selectors
 * must name sites and devices that exist. Throws RulesError listing all of them.
 */
export function compileRules(raw: unknown, registry: RuleTypeRegistry, config: AppConfig, source: string, pathRoot = 'rules'): CompiledRule[] {
  const problems: string[] = [];
  if (!Array.isArray(raw)) throw new RulesError(source, [`${pathRoot}: must be a list of rules`]);
  const rules: CompiledRule[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item, i) => {
    const at = [pathRoot, i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(...prefixed(at, [{ code: 'custom', path: [], message: 'must be a rule (a mapping with id and type)', input: item }]));
      return;
    }
    const entries = Object.entries(item as Record<string, unknown>);
    const common = commonSchema.safeParse(Object.fromEntries(entries.filter(([k]) => COMMON_KEYS.has(k))));
    if (!common.success) {
      problems.push(...prefixed(at, common.error.issues));
      return;
    }
    const c = common.data;
    const def = registry.get(c.type);
    if (!def) {
      problems.push(`${pathRoot}[${i}].type: unknown rule type "${c.type}" (known: ${[...registry.keys()].sort().join(', ')})`);
      return;
    }
    const params = def.params.safeParse(Object.fromEntries(entries.filter(([k]) => !COMMON_KEYS.has(k))));
    if (!params.success) {
      problems.push(...prefixed(at, params.error.issues));
      return;
    }
    if (seen.has(c.id)) problems.push(`${pathRoot}[${i}].id: rule id "${c.id}" is already used by ${pathRoot}[${seen.get(c.id)}]`);
    seen.set(c.id, i);
    if (def.type === 'threshold' && !c.select.quantities) problems.push(`${pathRoot}[${i}].select.quantities: a threshold rule names the quantities it watches`);
    c.select.sites?.forEach((site, j) => {
      if (!config.sites.some((s) => s.id === site)) problems.push(`${pathRoot}[${i}].select.sites[${j}]: no site "${site}" in the configuration`);
    });
    c.select.devices?.forEach((device, j) => {
      const inSites = config.sites.filter((s) => !c.select.sites || c.select.sites.includes(s.id));
      if (!inSites.some((s) => s.devices.some((d) => d.id === device))) problems.push(`${pathRoot}[${i}].select.devices[${j}]: no device "${device}" in the selected sites`);
    });
    rules.push({
      id: c.id,
      type: c.type,
      ...(c.description !== undefined ? { description: c.description } : {}),
      severity: c.severity,
      select: c.select,
      forMs: c.for,
      clearForMs: c.clearFor,
      cooldownMs: c.cooldown,
      maxGapMs: c.maxGap ?? (def.cadence === 'minute' ? 15 * 60_000 : null),
      notifyOnResolve: c.notifyOnResolve,
      enabled: c.enabled,
      params: params.data,
      def,
    });
  });
  if (problems.length > 0) throw new RulesError(source, problems);
  return rules;
}
