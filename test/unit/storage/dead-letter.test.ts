import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadLetterFile, deadLetterFiles } from '../../../src/storage/dead-letter.js';
import { createTempDir, type TempDir } from '../../helpers/tmp.js';

let tmp: TempDir | null = null;
afterEach(async () => {
  await tmp?.remove();
  tmp = null;
});

const reading = (i: number) => ({ reading: { site: 's', device: 'd', quantity: 'power_w' as const, tsMs: 1_700_000_000_000 + i, value: i }, reason: 'points beyond retention policy' });

describe('DeadLetterFile', () => {
  it('rotates past maxBytes, keeps keepFiles rotated copies, and never exceeds maxBytes per file', async () => {
    tmp = await createTempDir('sbe-dead-letter-');
    const path = join(tmp.path, 'dead-letter.jsonl');
    const file = new DeadLetterFile(path, () => 1_700_000_000_000, { maxBytes: 4096, keepFiles: 2 });
    await file.open();
    for (let i = 0; i < 300; i++) await file.append([reading(i)]);
    await file.close();
    const files = await deadLetterFiles(path, 2);
    expect(files).toEqual([path, `${path}.1`, `${path}.2`]);
    for (const f of files) expect((await stat(f)).size).toBeLessThanOrEqual(4096);
    expect(file.rotations).toBeGreaterThan(2); // so the oldest copies were deleted, not kept
    expect(await stat(`${path}.3`).catch(() => null)).toBeNull();
    // The newest lines are in the current file, whole, the last one last.
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { reading: { value: number } });
    expect(lines.at(-1)?.reading.value).toBe(299);
    const older = (await readFile(`${path}.1`, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { reading: { value: number } });
    expect(older.at(-1)?.reading.value).toBe((lines[0]?.reading.value ?? 0) - 1); // contiguous across the rotation
  });

  it('counts an existing file against the limit after a restart', async () => {
    tmp = await createTempDir('sbe-dead-letter-');
    const path = join(tmp.path, 'dead-letter.jsonl');
    const first = new DeadLetterFile(path, () => 0, { maxBytes: 1_000_000 });
    await first.open();
    for (let i = 0; i < 6; i++) await first.append([reading(i)]);
    await first.close();
    // Room for less than one more line than the file already holds.
    const second = new DeadLetterFile(path, () => 0, { maxBytes: (await stat(path)).size + 10 });
    await second.open();
    await second.append([reading(6)]);
    await second.close();
    expect(second.rotations).toBe(1);
  });
});
