import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROLLUP_FORMAT } from '../../../src/energy/rollups.js';

/**
 * A rollup kept in the store is trusted as long as its readings are unchanged (src/energy/rollups.ts):
 * a change to the code that derives it must bump ROLLUP_FORMAT, or the stored figures of the old
 * code would be served. This pins the derivation's sources to the format: edit one of them and
 * this fails until ROLLUP_FORMAT is bumped and the digest below updated.
 */
const DERIVATION = [
  'counters.ts', 'intervals.ts', 'local-time.ts', 'site-data.ts', 'site-rollups.ts', 'degree-days.ts', 'rollup-codec.ts', 'baseline-rollup.ts',
  'baseline/daily-baseline.ts', 'baseline/segment-model.ts', 'baseline/metrics.ts', 'baseline/ols.ts',
];
const PINNED: Record<string, string> = { r8: '03d9e29dac771fa5' };

describe('rollup format', () => {
  it('is bumped whenever the code that derives the rollups changes', () => {
    const hash = createHash('sha256');
    for (const file of DERIVATION) hash.update(file).update(readFileSync(new URL(`../../../src/energy/${file}`, import.meta.url)));
    const digest = hash.digest('hex').slice(0, 16);
    expect({ format: ROLLUP_FORMAT, digest }, 'the derivation changed: bump ROLLUP_FORMAT in src/energy/rollups.ts and pin the new digest here').toEqual({ format: ROLLUP_FORMAT, digest: PINNED[ROLLUP_FORMAT] });
  });
});
