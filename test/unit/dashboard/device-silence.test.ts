import { describe, expect, it } from 'vitest';
import { STALE_AFTER_MS as serverStaleAfterMs } from '../../../src/api/device-silence.js';

// The site page judges its devices from the live values in the browser (dashboard/lib/time.js), the
// overview from GET /api/overview's `staleAfterMs` (src/api/device-silence.ts): one rule, two places
// that must not drift apart, or the two pages would call the same device silent and not silent.
const { STALE_AFTER_MS: pageStaleAfterMs } = (await import(new URL('../../../dashboard/lib/time.js', import.meta.url).href)) as { STALE_AFTER_MS: number };

describe('silent devices', () => {
  it('are silent after the same time on the site page as in the API', () => {
    expect(pageStaleAfterMs).toBe(serverStaleAfterMs);
    expect(serverStaleAfterMs).toBe(15 * 60_000);
  });
});
