import type { Reading } from '../model/reading.js';

/** What a page is told of a reading: its series within the site, its time (epoch ms) and value (in the quantity's unit). */
export type LiveValue = Pick<Reading, 'device' | 'quantity' | 'tsMs' | 'value'>;

/** A series' key for "the latest value": one per (device, quantity) of a site. */
export function latestKey(r: Pick<Reading, 'device' | 'quantity'>): string {
  return `${r.device}\u0000${r.quantity}`;
}

/** Keeps in `into` the newest reading of each key (a later write of the same instant wins). */
export function mergeLatest(into: Map<string, LiveValue>, r: LiveValue): void {
  const key = latestKey(r);
  const known = into.get(key);
  if (!known || known.tsMs <= r.tsMs) into.set(key, r);
}

/**
 * What a site's viewers are told at once: the latest reading of each key that changed. Encoded
 * once for all of them (200 viewers, one JSON.stringify), by whoever knows the wire format.
 */
export class LiveBatch {
  private encodedText: string | null = null;

  constructor(readonly values: readonly LiveValue[]) {}

  encoded(encode: (values: readonly LiveValue[]) => string): string {
    return (this.encodedText ??= encode(this.values));
  }
}
