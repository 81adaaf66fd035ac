import * as nodeFs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.js';
import type { Reading } from '../../model/reading.js';
import { SEGMENT_MAGIC, decodeRecords, decodeSegment, encodeRecord } from './record-codec.js';

export interface SpoolOptions {
  /** Directory holding the segment files, e.g. `${DATA_DIR}/spool`. */
  dir: string;
  /** SPOOL_MAX_MB in bytes: appends beyond it are refused ('full'). */
  maxBytes: number;
  /** A new segment file is started once the current one reaches this size. Default 8 MiB. */
  segmentMaxBytes?: number;
  logger: Logger;
  /** The file boundary, node:fs/promises by default; tests inject one that fails (ENOSPC). */
  fs?: SpoolFileSystem;
}

/** The file operations the spool uses: everything it does to the disk goes through these. */
export interface SpoolFileSystem {
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  open(path: string, flags: string): Promise<FileHandle>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  truncate(path: string, length: number): Promise<void>;
  unlink(path: string): Promise<void>;
}

const NODE_FS: SpoolFileSystem = {
  mkdir: (path, options) => nodeFs.mkdir(path, options),
  open: (path, flags) => nodeFs.open(path, flags),
  readdir: (path) => nodeFs.readdir(path),
  readFile: (path) => nodeFs.readFile(path),
  truncate: (path, length) => nodeFs.truncate(path, length),
  unlink: (path) => nodeFs.unlink(path),
};

/** Consecutive records of the oldest segment, handed to the replay loop. */
export interface SpoolChunk {
  readings: Reading[];
  bytes: number;
  records: number;
  /** Identifies where the chunk ends, for commit(). */
  readonly seq: number;
  readonly endOffset: number;
}

interface Segment {
  seq: number;
  path: string;
  /** Committed (fsynced) length of the file. */
  fileBytes: number;
  /** Offset of the next record not yet replayed. */
  cursor: number;
  readings: number;
  records: number;
  /** Open for appends while this is the newest segment. */
  handle: FileHandle | null;
}

const SEGMENT_NAME = /^(\d{16})\.seg$/;
const READ_WINDOW_BYTES = 1024 * 1024;

/**
 * The outage buffer: an append-only, fsynced log of batches in segment files under `dir`,
 * replayed oldest first and deleted once the store committed them. Every file operation runs
 * on one promise chain, so appends, reads and deletions never interleave and the on-disk order
 * is the order in which append() was called.
 */
export class Spool {
  private readonly log: Logger;
  private readonly segmentMaxBytes: number;
  private segments: Segment[] = [];
  private nextSeq = 1;
  private chain: Promise<unknown> = Promise.resolve();
  /** Counted from the moment append() accepts a batch, so isEmpty() never misses one still being written. */
  private pendingReadings = 0;
  private pendingBytes = 0;
  private pendingRecords = 0;
  private spaceWaiters: Array<() => void> = [];
  private readonly fs: SpoolFileSystem;

  constructor(private readonly options: SpoolOptions) {
    this.log = options.logger.child({ module: 'spool' });
    this.fs = options.fs ?? NODE_FS;
    this.segmentMaxBytes = options.segmentMaxBytes ?? 8 * 1024 * 1024;
  }

  get readings(): number {
    return this.pendingReadings;
  }
  /** Bytes of records not yet replayed (file headers and replayed parts of the oldest file excluded). */
  get bytes(): number {
    return this.pendingBytes;
  }
  get maxBytes(): number {
    return this.options.maxBytes;
  }
  isEmpty(): boolean {
    return this.pendingRecords === 0;
  }

  /** Scans the segments left by a previous run; a torn tail record is cut off, the rest kept. */
  open(): Promise<void> {
    return this.serial(async () => {
      await this.fs.mkdir(this.options.dir, { recursive: true });
      const names = (await this.fs.readdir(this.options.dir)).filter((n) => SEGMENT_NAME.test(n)).sort();
      for (const name of names) {
        const path = join(this.options.dir, name);
        const seq = Number(SEGMENT_NAME.exec(name)?.[1]);
        this.nextSeq = Math.max(this.nextSeq, seq + 1);
        const decoded = decodeSegment(await this.fs.readFile(path));
        if (decoded.droppedBytes > 0) {
          this.log.warn({ segment: name, droppedBytes: decoded.droppedBytes, keptRecords: decoded.records.length }, 'spool segment has a torn or corrupt tail; dropping it');
        }
        if (decoded.records.length === 0) {
          await this.fs.unlink(path);
          continue;
        }
        if (decoded.droppedBytes > 0) await this.fs.truncate(path, decoded.validEnd);
        const readings = decoded.records.reduce((n, r) => n + r.readings.length, 0);
        this.segments.push({ seq, path, fileBytes: decoded.validEnd, cursor: SEGMENT_MAGIC.length, readings, records: decoded.records.length, handle: null });
        this.pendingReadings += readings;
        this.pendingRecords += decoded.records.length;
        this.pendingBytes += decoded.validEnd - SEGMENT_MAGIC.length;
      }
      if (this.pendingRecords > 0) {
        this.log.info({ segments: this.segments.length, readings: this.pendingReadings, bytes: this.pendingBytes }, 'spool from a previous run found; it will be replayed');
      }
    });
  }

  /**
   * Appends one batch and fsyncs it. Resolves 'appended' once it is on disk, 'full' at once
   * (nothing written) when it would take the spool past maxBytes. A batch larger than the
   * whole limit is still taken when the spool is empty, so it can never block forever.
   */
  append(readings: readonly Reading[]): Promise<'appended' | 'full'> {
    const record = encodeRecord(readings);
    if (this.pendingRecords > 0 && this.pendingBytes + record.length > this.options.maxBytes) return Promise.resolve('full');
    this.pendingReadings += readings.length;
    this.pendingBytes += record.length;
    this.pendingRecords += 1;
    return this.serial(async () => {
      try {
        await this.writeRecord(record, readings.length);
        return 'appended' as const;
      } catch (err) {
        this.pendingReadings -= readings.length;
        this.pendingBytes -= record.length;
        this.pendingRecords -= 1;
        throw err;
      }
    });
  }

  /** Reads the next records to replay (at least one, up to about maxReadings), or null when empty. */
  next(maxReadings: number): Promise<SpoolChunk | null> {
    return this.serial(async () => {
      const segment = this.segments[0];
      if (!segment || segment.cursor >= segment.fileBytes) return null;
      const handle = segment.handle ?? (await this.fs.open(segment.path, 'r'));
      try {
        let window = Math.min(READ_WINDOW_BYTES, segment.fileBytes - segment.cursor);
        for (;;) {
          const buf = Buffer.allocUnsafe(window);
          const { bytesRead } = await handle.read(buf, 0, window, segment.cursor);
          const { records, consumed, nextRecordBytes } = decodeRecords(buf.subarray(0, bytesRead), maxReadings);
          if (records.length > 0) {
            const chunkReadings = records.flatMap((r) => r.readings);
            return { readings: chunkReadings, bytes: consumed, records: records.length, seq: segment.seq, endOffset: segment.cursor + consumed };
          }
          if (nextRecordBytes !== null && nextRecordBytes > window && segment.cursor + nextRecordBytes <= segment.fileBytes) {
            window = nextRecordBytes;
            continue;
          }
          // Validated at open() or written by us: only disk corruption gets here. Keep going with the next segment.
          this.log.error({ segment: segment.path, offset: segment.cursor }, 'unreadable spool record; dropping the rest of the segment');
          await this.dropSegmentRest(segment);
          return null;
        }
      } finally {
        if (!segment.handle) await handle.close();
      }
    });
  }

  /** Marks a chunk as stored; its segment file is deleted once nothing in it is left to replay. */
  commit(chunk: SpoolChunk): Promise<void> {
    return this.serial(async () => {
      const segment = this.segments[0];
      if (!segment || segment.seq !== chunk.seq) throw new Error('spool chunks must be committed in order');
      segment.cursor = chunk.endOffset;
      segment.readings -= chunk.readings.length;
      segment.records -= chunk.records;
      try {
        // Counted as gone only once the file is, so status never shows an empty spool with files left.
        if (segment.cursor >= segment.fileBytes) await this.removeSegment(segment);
      } finally {
        this.pendingReadings -= chunk.readings.length;
        this.pendingBytes -= chunk.bytes;
        this.pendingRecords -= chunk.records;
        this.wakeSpaceWaiters();
      }
    });
  }

  /** Resolves at the next commit (space freed); the caller re-checks. */
  waitForSpace(): Promise<void> {
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Closes the open segment; the files stay for the next run. */
  close(): Promise<void> {
    return this.serial(async () => {
      for (const segment of this.segments) await this.seal(segment);
      this.wakeSpaceWaiters();
    });
  }

  private async writeRecord(record: Buffer, readings: number): Promise<void> {
    let segment = this.segments.at(-1);
    if (!segment?.handle || segment.fileBytes + record.length > this.segmentMaxBytes) {
      if (segment) await this.seal(segment);
      segment = await this.createSegment();
    }
    const handle = segment.handle as FileHandle;
    try {
      await handle.write(record, 0, record.length, segment.fileBytes);
      // Acknowledging the MQTT message is a promise that the batch survives a power cut: fsync before resolving.
      await handle.sync();
    } catch (err) {
      // Cut off what may have been half-written, and never append after it: later records would be unreachable.
      await handle.truncate(segment.fileBytes).catch(() => undefined);
      await this.seal(segment);
      throw err;
    }
    segment.fileBytes += record.length;
    segment.readings += readings;
    segment.records += 1;
  }

  private async createSegment(): Promise<Segment> {
    const seq = this.nextSeq++;
    const path = join(this.options.dir, `${String(seq).padStart(16, '0')}.seg`);
    const handle = await this.fs.open(path, 'wx+');
    try {
      await handle.write(SEGMENT_MAGIC, 0, SEGMENT_MAGIC.length, 0);
      await handle.sync();
      // A new file's directory entry is durable only once the directory itself is fsynced (fsync(2), NOTES).
      const dir = await this.fs.open(this.options.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (err) {
      // Disk full or unwritable: no handle and no empty file may be left per retry (issue 11).
      await handle.close().catch(() => undefined);
      await this.fs.unlink(path).catch(() => undefined);
      throw err;
    }
    const segment: Segment = { seq, path, fileBytes: SEGMENT_MAGIC.length, cursor: SEGMENT_MAGIC.length, readings: 0, records: 0, handle };
    this.segments.push(segment);
    return segment;
  }

  private async seal(segment: Segment): Promise<void> {
    const handle = segment.handle;
    segment.handle = null;
    if (handle) await handle.close();
    if (segment.cursor >= segment.fileBytes) await this.removeSegment(segment);
  }

  private async removeSegment(segment: Segment): Promise<void> {
    if (segment.handle) {
      await segment.handle.close();
      segment.handle = null;
    }
    this.segments = this.segments.filter((s) => s !== segment);
    await this.fs.unlink(segment.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private async dropSegmentRest(segment: Segment): Promise<void> {
    this.pendingReadings -= segment.readings;
    this.pendingBytes -= segment.fileBytes - segment.cursor;
    this.pendingRecords -= segment.records;
    await this.removeSegment(segment);
    this.wakeSpaceWaiters();
  }

  private wakeSpaceWaiters(): void {
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const wake of waiters) wake();
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const result = this.chain.then(op);
    this.chain = result.catch(() => undefined);
    return result;
  }
}
