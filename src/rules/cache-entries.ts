/** Helpers shared by the rules' two caches (series-cache.ts, bucket-cache.ts). */

/**
 * A factor between 0.75 and 1.25 fixed per key (FNV-1a of it): the rules' caches refill an entry
 * after `maxAgeMs × stagger(key)`, so that the refills of series filled in one cycle do not all
 * fall in one later cycle.
 */
export function stagger(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return 0.75 + ((h >>> 0) % 1000) / 2000;
}

/** Map entries keyed `site\u0000…`, grouped by site. */
export function groupBySite<E>(entries: ReadonlyMap<string, E>): Map<string, Array<[string, E]>> {
  const out = new Map<string, Array<[string, E]>>();
  for (const [key, e] of entries) {
    const site = key.slice(0, key.indexOf('\u0000'));
    const list = out.get(site);
    if (list) list.push([key, e]);
    else out.set(site, [[key, e]]);
  }
  return out;
}
