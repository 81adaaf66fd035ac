import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/schema.js';

const allSites = new WeakMap<AppConfig, ReadonlySet<string>>();
function every(config: AppConfig): ReadonlySet<string> {
  let set = allSites.get(config);
  if (!set) allSites.set(config, (set = new Set(config.sites.map((s) => s.id))));
  return set;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * THE one place that says which sites a request may see (issue 11, point 3). The auth plugin
 * (plugins/auth.ts) puts the caller on the request; every route that answers with site data asks
 * here. Anonymous: none. admin and working-group: every configured site. site-manager: their
 * own sites that are still configured.
 */
export function visibleSites(request: FastifyRequest, config: AppConfig): ReadonlySet<string> {
  const caller = request.caller;
  if (!caller) return NONE;
  const all = every(config);
  if (caller.user.role !== 'site-manager') return all;
  return new Set(caller.user.sites.filter((s) => all.has(s)));
}
