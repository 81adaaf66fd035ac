import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Reading } from '../model/reading.js';
import { StoreRejectedError } from './errors.js';

/** A reading the store refused for good, with the store's reason. */
export interface RejectedReading {
  reading: Reading;
  reason: string;
}

/** One line of `${DATA_DIR}/dead-letter.jsonl`. */
export interface DeadLetterLine {
  /** ISO 8601 time the reading was dead-lettered (server clock). */
  at: string;
  atMs: number;
  reason: string;
  reading: Reading;
}

export interface DeadLetterOptions {
  /** The current file is rotated once an append would take it past this. Default 16 MiB. */
  maxBytes?: number;
  /** Rotated files kept (`.1` newest … `.N` oldest); older ones are deleted. Default 3. */
  keepFiles?: number;
}

/**
 * Append-only JSON Lines file of readings the store will never take (e.g. InfluxDB
 * "points beyond retention policy"). Each append is fsynced before it resolves, because
 * the MQTT message is acknowledged right after and the reading exists nowhere else.
 *
 * Bounded (issue 11): past `maxBytes` the file is renamed `.1` (`.1` to `.2`…, the oldest
 * deleted) and a new one started, as logrotate's `rotate N` + `size` would do, so a device
 * sending points the store keeps refusing fills at most maxBytes x (keepFiles + 1) of disk.
 */
export class DeadLetterFile {
  private handle: FileHandle | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private sizeBytes = 0;
  private readonly maxBytes: number;
  private readonly keepFiles: number;
  /** Files rotated since the start (status and tests). */
  rotations = 0;

  constructor(
    readonly path: string,
    private readonly now: () => number,
    options: DeadLetterOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.keepFiles = Math.max(1, options.keepFiles ?? 3);
  }

  async open(): Promise<void> {
    if (this.handle) return;
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a');
    this.sizeBytes = (await this.handle.stat()).size;
  }

  append(rejected: readonly RejectedReading[]): Promise<void> {
    if (rejected.length === 0) return Promise.resolve();
    const op = this.chain.then(async () => {
      if (!this.handle) await this.open();
      const atMs = this.now();
      const at = new Date(atMs).toISOString();
      const text = rejected.map(({ reading, reason }) => JSON.stringify({ at, atMs, reason, reading } satisfies DeadLetterLine)).join('\n') + '\n';
      const bytes = Buffer.byteLength(text);
      if (this.sizeBytes > 0 && this.sizeBytes + bytes > this.maxBytes) await this.rotate();
      const handle = this.handle as FileHandle;
      await handle.write(text);
      await handle.sync();
      this.sizeBytes += bytes;
    });
    this.chain = op.catch(() => undefined);
    return op;
  }

  async close(): Promise<void> {
    await this.chain;
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    await unlink(`${this.path}.${this.keepFiles}`).catch(ignoreMissing);
    for (let n = this.keepFiles - 1; n >= 1; n--) await rename(`${this.path}.${n}`, `${this.path}.${n + 1}`).catch(ignoreMissing);
    await rename(this.path, `${this.path}.1`);
    this.rotations += 1;
    await this.open();
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

/** Paths of the dead-letter file and its rotated copies that exist, newest first. */
export async function deadLetterFiles(path: string, keepFiles = 3): Promise<string[]> {
  const candidates = [path, ...Array.from({ length: keepFiles }, (_, i) => `${path}.${i + 1}`)];
  const found: string[] = [];
  for (const p of candidates) if (await stat(p).then(() => true, () => false)) found.push(p);
  return found;
}

/**
 * Finds which readings of `readings` the store refused, given the StoreRejectedError it threw
 * for them. When the error lists them, that is the answer. When it only counts them, the batch
 * is written again in halves, recursing into the halves that are rejected again, down to single
 * readings: about 2·k·log2(n) writes for k rejected among n. This relies on the store's
 * idempotence (ReadingWriter: the same identity stored twice is stored once), so rewriting
 * readings that were already stored is harmless. A StoreUnavailableError (or any other error)
 * from a rewrite propagates: the caller then retries the whole batch later.
 */
export async function isolateRejected(
  write: (readings: readonly Reading[]) => Promise<void>,
  readings: readonly Reading[],
  error: StoreRejectedError,
): Promise<RejectedReading[]> {
  if (error.rejected && error.rejected.length > 0) {
    return error.rejected.map((reading) => ({ reading, reason: error.message }));
  }
  if (readings.length === 1 || error.rejectedCount >= readings.length) {
    return readings.map((reading) => ({ reading, reason: error.message }));
  }
  const middle = Math.ceil(readings.length / 2);
  const found: RejectedReading[] = [];
  for (const half of [readings.slice(0, middle), readings.slice(middle)]) {
    try {
      await write(half);
    } catch (err) {
      if (!(err instanceof StoreRejectedError)) throw err;
      found.push(...(await isolateRejected(write, half, err)));
    }
  }
  return found;
}
