import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * `DEMO_DATA_DIR/demo.json`: written when the first start plans its history, and marked ready once
 * that history is stored and judged. A later start reads it to simulate the same buildings (same origin, seed and history length: the
 * simulator then continues every index) and publishes only what it missed while stopped.
 */
const markerSchema = z.object({
  version: z.literal(1),
  originMs: z.number(),
  backfillDays: z.number(),
  seed: z.number(),
  /** The history is published and judged (false: a first start was interrupted; the next one resumes it). */
  ready: z.boolean(),
  backfillSeconds: z.number(),
  injections: z.number(),
});
export type DemoMarker = z.infer<typeof markerSchema>;

export const markerPath = (dataDir: string) => join(dataDir, 'demo.json');

export function readMarker(dataDir: string): DemoMarker | null {
  let text: string;
  try {
    text = readFileSync(markerPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  const parsed = markerSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

/** Written to a temporary file then renamed: a demo killed mid-write starts from scratch, never from half a marker. */
export async function writeMarker(dataDir: string, marker: DemoMarker): Promise<void> {
  const tmp = `${markerPath(dataDir)}.tmp`;
  await writeFile(tmp, `${JSON.stringify(marker, null, 2)}\n`);
  await rename(tmp, markerPath(dataDir));
}
