import { z } from 'zod';
import { QUANTITY_NAMES } from '../config/quantities.js';
import type { Reading } from '../model/reading.js';

/**
 * PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more ("payload string too long",
 * PostgreSQL 15 docs, NOTIFY: "must be shorter than 8000 bytes"); a little under it, in bytes of
 * UTF-8, the server encoding the helpers and the compose profile use.
 */
export const MAX_PAYLOAD_BYTES = 7_900;

/** What an instance tells the others: the latest stored value per series, grouped by site. */
export type LiveReading = Pick<Reading, 'site' | 'device' | 'quantity' | 'tsMs' | 'value'>;

/** `{"i":instance,"s":{site:[[device,quantity,tsMs,value],…]}}`: short, since every byte counts. */
const wireSchema = z.object({
  i: z.string().min(1),
  s: z.record(z.string().min(1), z.array(z.tuple([z.string().min(1), z.enum(QUANTITY_NAMES as [string, ...string[]]), z.number().finite(), z.number().finite()]))),
});

/**
 * Splits `readings` into payloads under `maxBytes` each. A value that alone would not fit (a
 * device id of kilobytes; the config forbids it) is left out and counted in `dropped`.
 */
export function encodeLiveChunks(instance: string, readings: readonly LiveReading[], maxBytes = MAX_PAYLOAD_BYTES): { payloads: string[]; dropped: number } {
  const payloads: string[] = [];
  let dropped = 0;
  const head = `{"i":${JSON.stringify(instance)},"s":{`;
  let bySite = new Map<string, string[]>();
  let bytes = Buffer.byteLength(head) + 2;
  const close = () => {
    if (bySite.size === 0) return;
    payloads.push(`${head}${[...bySite].map(([site, items]) => `${JSON.stringify(site)}:[${items.join(',')}]`).join(',')}}}`);
    bySite = new Map();
    bytes = Buffer.byteLength(head) + 2;
  };
  for (const r of readings) {
    const item = JSON.stringify([r.device, r.quantity, r.tsMs, r.value]);
    const siteCost = Buffer.byteLength(JSON.stringify(r.site)) + 4;
    const cost = (cur: Map<string, string[]>) => Buffer.byteLength(item) + 1 + (cur.has(r.site) ? 0 : siteCost);
    if (bytes + cost(bySite) > maxBytes) close();
    if (bytes + cost(bySite) > maxBytes) {
      dropped += 1;
      continue;
    }
    bytes += cost(bySite);
    const items = bySite.get(r.site);
    if (items) items.push(item);
    else bySite.set(r.site, [item]);
  }
  close();
  return { payloads, dropped };
}

/** A payload from another instance, checked like any input: null when it is not one of ours. */
export function decodeLiveChunk(payload: string): { instance: string; readings: LiveReading[] } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  const r = wireSchema.safeParse(parsed);
  if (!r.success) return null;
  const readings: LiveReading[] = [];
  for (const [site, items] of Object.entries(r.data.s)) {
    for (const [device, quantity, tsMs, value] of items) readings.push({ site, device, quantity: quantity as Reading['quantity'], tsMs, value });
  }
  return { instance: r.data.i, readings };
}
