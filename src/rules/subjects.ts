import type { AppConfig, SiteConfig } from '../config/schema.js';
import { siteCalendar } from '../energy/calendar.js';
import type { RuleSubject } from './rule-type.js';
import type { CompiledRule } from './rule-schema.js';

/** One rule on one subject, with the alert key it opens under. */
export interface RuleBinding {
  rule: CompiledRule;
  subject: RuleSubject;
  /** The alert key's rule part: the rule id, plus the quantity when the rule watches several of the device's. */
  ruleKey: string;
}

function ruleSelectsSite(rule: CompiledRule, site: SiteConfig): boolean {
  return (!rule.select.sites || rule.select.sites.includes(site.id)) && (!rule.select.usages || rule.select.usages.includes(site.usage));
}

/**
 * The rules that apply to a site: the configured rules that select it; when none does, the
 * shipped defaults, so a new site is watched from the day it is configured.
 */
export function rulesForSite(site: SiteConfig, configured: readonly CompiledRule[], defaults: readonly CompiledRule[]): CompiledRule[] {
  const own = configured.filter((r) => ruleSelectsSite(r, site));
  return (own.length > 0 ? own : defaults.filter((r) => ruleSelectsSite(r, site))).filter((r) => r.enabled);
}

/** Every (rule, site, device, quantity) to evaluate. */
export function bindRules(config: AppConfig, configured: readonly CompiledRule[], defaults: readonly CompiledRule[]): RuleBinding[] {
  const bindings: RuleBinding[] = [];
  for (const site of config.sites) {
    const calendar = siteCalendar(site);
    for (const rule of rulesForSite(site, configured, defaults)) {
      for (const device of site.devices) {
        if (rule.select.devices && !rule.select.devices.includes(device.id)) continue;
        if (rule.select.kinds && !rule.select.kinds.includes(device.kind)) continue;
        const quantities = device.quantities.filter((q) => (rule.select.quantities ? rule.select.quantities.includes(q) : rule.def.defaultQuantity(q, device, site)));
        for (const quantity of quantities) {
          bindings.push({ rule, subject: { site, device, quantity, calendar }, ruleKey: quantities.length > 1 ? `${rule.id}:${quantity}` : rule.id });
        }
      }
    }
  }
  return bindings;
}
