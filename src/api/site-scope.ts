import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/schema.js';

const allSites = new WeakMap<AppConfig, ReadonlySet<string>>();

/**
 * The one place that says which sites a request may see. Every route that answers with site
 * data asks it. Today the API has no accounts, so it is every configured site; user accounts
 * narrow it here, and only here.
 */
export function visibleSites(_request: FastifyRequest, config: AppConfig): ReadonlySet<string> {
  let set = allSites.get(config);
  if (!set) allSites.set(config, (set = new Set(config.sites.map((s) => s.id))));
  return set;
}
