import type { Reading } from '../../src/model/reading.js';
import { BUCKET_WIDTH_MS, type SeriesBucket, type SiteBucketQuery } from '../../src/storage/port.js';

/** siteBuckets of the in-memory fakes: epoch-aligned buckets of readings ordered by series then time. */
export function siteBucketsOf(readings: readonly Reading[], q: SiteBucketQuery): SeriesBucket[] {
  const widthMs = BUCKET_WIDTH_MS[q.every];
  const out: SeriesBucket[] = [];
  let cur: SeriesBucket | null = null;
  let sum = 0;
  for (const r of readings) {
    const startMs = Math.floor(r.tsMs / widthMs) * widthMs;
    if (!cur || cur.startMs !== startMs || cur.device !== r.device || cur.quantity !== r.quantity) {
      if (cur) out.push({ ...cur, mean: sum / cur.count });
      cur = { device: r.device, quantity: r.quantity, startMs, count: 0, mean: 0, min: r.value, max: r.value, first: r.value, last: r.value };
      sum = 0;
    }
    cur.count += 1;
    sum += r.value;
    cur.min = Math.min(cur.min, r.value);
    cur.max = Math.max(cur.max, r.value);
    cur.last = r.value;
  }
  if (cur) out.push({ ...cur, mean: sum / cur.count });
  return out;
}
