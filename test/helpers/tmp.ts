import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  readonly path: string;
  /** Deletes the directory and everything in it. Safe twice. */
  remove(): Promise<void>;
}

/** A fresh directory under os.tmpdir(); call remove() in afterAll/afterEach. */
export async function createTempDir(prefix = 'sbe-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
