import { z } from 'zod';

/**
 * Payload shapes, built once at module load (zod schemas are costly to build, cheap to run).
 * Values and times are typed `unknown` here on purpose: a wrong value must reject only its
 * own field or entry with a precise reason, not the whole message.
 */
export const jsonObjectPayloadSchema = z.record(z.string(), z.unknown());

export const senmlPackSchema = z.array(z.unknown()).min(1, 'a SenML pack holds at least one record');

/** RFC 8428 §4.1 labels we read; unknown labels are ignored (§4.4 allows extensions ending with `_` to be refused, we stay lenient). */
export const senmlRecordSchema = z.looseObject({
  bn: z.string().optional(),
  bt: z.unknown().optional(),
  bu: z.string().optional(),
  bv: z.number().optional(),
  bs: z.number().optional(),
  n: z.string().optional(),
  u: z.string().optional(),
  v: z.unknown().optional(),
  s: z.unknown().optional(),
  t: z.unknown().optional(),
  vs: z.unknown().optional(),
  vb: z.unknown().optional(),
  vd: z.unknown().optional(),
});
export type SenmlRecord = z.infer<typeof senmlRecordSchema>;
