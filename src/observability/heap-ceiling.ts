import { getHeapStatistics } from 'node:v8';

/**
 * Old-generation ceiling of the service's V8 heap, in MB. Node sizes the heap from the machine's
 * memory (about 4 GB on a 24 GiB host) and then lets the old generation grow up to four times
 * its live size between full collections: during an ingest burst the service's live heap stays
 * near 40 MB, yet RSS climbed to 255–300 MB, almost all of it garbage awaiting collection. With
 * a ceiling V8 grows the heap by a smaller factor: the same burst peaks at 150–190 MB RSS at the
 * same throughput (figures in the README). 512 MB leaves an order of magnitude of room for the
 * analytics of many site-years; a request that needs more is a bug to fix, not memory to give.
 */
export const HEAP_CEILING_MB = 512;

/** Node flags the service runs with: `npm start`, the Docker image and the tests' service processes. */
export const SERVICE_NODE_FLAGS: readonly string[] = [`--max-old-space-size=${HEAP_CEILING_MB}`];

/**
 * Why the running process lacks the ceiling, or null when it has it. The limit V8 reports adds
 * the young generation (a few tens of MB) to the old-generation ceiling, hence the margin.
 */
export function heapCeilingProblem(heapSizeLimitBytes: number = getHeapStatistics().heap_size_limit): string | null {
  const limitMb = Math.round(heapSizeLimitBytes / 1048576);
  if (limitMb <= HEAP_CEILING_MB + 128) return null;
  return `the V8 heap limit is ${limitMb} MB: start the service with ${SERVICE_NODE_FLAGS.join(' ')} (as npm start and the Docker image do), or RSS may reach several times the live heap during ingest bursts`;
}
