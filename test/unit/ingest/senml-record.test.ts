import { describe, expect, it } from 'vitest';
import { senmlRecordSchema } from '../../../src/ingest/schemas.js';
import { wellFormedRecord } from '../../../src/ingest/senml.js';

// The quick check must never accept what the zod schema refuses (it only skips zod's copy).
const SAMPLES: unknown[] = [
  { n: 'power_w', v: 5 },
  { bn: 'urn:dev:x:', bt: 1_795_000_000, n: 'energy', u: 'kWh', v: 1.5 },
  { bv: 10, bs: 3, s: 4, n: 'energy_kwh' },
  { n: 'power_w', v: 'abc', t: 'soon' },
  { custom_: true, n: 'power_w', v: 1 },
  {},
  { n: 5, v: 1 },
  { bn: null, v: 1 },
  { u: ['W'], v: 1 },
  { bv: '10', v: 1 },
  { bs: true, s: 1 },
  [],
  [{ n: 'power_w' }],
  null,
  'power_w',
  42,
];

describe('wellFormedRecord', () => {
  it.each(SAMPLES.map((s) => [JSON.stringify(s), s]))('agrees with the zod schema on %s', (_label, sample) => {
    const quick = wellFormedRecord(sample);
    const zod = senmlRecordSchema.safeParse(sample);
    if (quick !== null) {
      expect(zod.success).toBe(true);
      expect(zod.data).toEqual(quick);
    } else if (zod.success) {
      // Refusing a valid record is allowed (zod then decides) but none of these samples needs it.
      throw new Error(`quick check refused a valid record: ${JSON.stringify(sample)}`);
    }
  });
});
