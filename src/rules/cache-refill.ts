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
