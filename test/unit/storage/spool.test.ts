import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import type { Reading } from '../../../src/model/reading.js';
import { SEGMENT_MAGIC, decodeSegment, encodeRecord } from '../../../src/storage/spool/record-codec.js';
import { Spool, type SpoolChunk } from '../../../src/storage/spool/spool.js';

const reading = (i: number, extra: Partial<Reading> = {}): Reading => ({ site: 'rouen-ecole', device: 'gaz', quantity: 'gas_m3', tsMs: 1_700_000_000_000 + i, value: i / 3, ...extra });
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => reading(from + i));

describe('spool record codec', () => {
  it('round-trips readings, including tsFromServer and unicode', () => {
    const readings = [reading(1), reading(2, { tsFromServer: true, site: 'évreux-mairie', value: -0.5 })];
    const segment = Buffer.concat([SEGMENT_MAGIC, encodeRecord(readings), encodeRecord([reading(3)])]);
    const decoded = decodeSegment(segment);
    expect(decoded.records.map((r) => r.readings)).toEqual([readings, [reading(3)]]);
    expect(decoded).toMatchObject({ validEnd: segment.length, droppedBytes: 0, headerOk: true });
  });

  it('keeps every whole record and drops only the tail, wherever a crash cut the last one', () => {
    const whole = Buffer.concat([SEGMENT_MAGIC, encodeRecord(batch(0, 3)), encodeRecord(batch(3, 2))]);
    const last = encodeRecord(batch(5, 4));
    for (let cut = 1; cut < last.length; cut++) {
      const decoded = decodeSegment(Buffer.concat([whole, last.subarray(0, cut)]));
      expect(decoded.records.flatMap((r) => r.readings)).toEqual(batch(0, 5));
      expect(decoded.validEnd).toBe(whole.length);
      expect(decoded.droppedBytes).toBe(cut);
    }
  });

  it('stops at a record whose checksum does not match', () => {
    const first = encodeRecord(batch(0, 2));
    const second = encodeRecord(batch(2, 2));
    second.writeUInt8(second.readUInt8(second.length - 3) ^ 0xff, second.length - 3); // a flipped byte in the payload
    const decoded = decodeSegment(Buffer.concat([SEGMENT_MAGIC, first, second]));
    expect(decoded.records.flatMap((r) => r.readings)).toEqual(batch(0, 2));
    expect(decoded.droppedBytes).toBe(second.length);
  });

  it('refuses a file without the segment header', () => {
    expect(decodeSegment(Buffer.from('SBESP')).headerOk).toBe(false);
    expect(decodeSegment(Buffer.concat([Buffer.from('NOTSPOOL'), encodeRecord(batch(0, 1))])).records).toEqual([]);
  });
});

describe('Spool', () => {
  let dir: string;
  const spools: Spool[] = [];
  const open = async (options: { maxBytes?: number; segmentMaxBytes?: number } = {}) => {
    const spool = new Spool({ dir, maxBytes: options.maxBytes ?? 1 << 20, segmentMaxBytes: options.segmentMaxBytes, logger: createLogger('silent') });
    spools.push(spool);
    await spool.open();
    return spool;
  };
  const drain = async (spool: Spool, maxReadings = 1000) => {
    const out: Reading[] = [];
    let chunk: SpoolChunk | null;
    while ((chunk = await spool.next(maxReadings))) {
      out.push(...chunk.readings);
      await spool.commit(chunk);
    }
    return out;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sbe-spool-'));
  });
  afterEach(async () => {
    for (const s of spools.splice(0)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('appends, counts, replays in order in chunks of about maxReadings, and deletes replayed segments', async () => {
    const spool = await open({ segmentMaxBytes: 600 });
    for (let i = 0; i < 10; i++) expect(await spool.append(batch(i * 4, 4))).toBe('appended');
    expect(spool.readings).toBe(40);
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(1); // rolled over to new segments
    const onDisk = (await Promise.all(files.map((f) => stat(join(dir, f))))).reduce((n, s) => n + s.size, 0);
    expect(spool.bytes).toBe(onDisk - files.length * SEGMENT_MAGIC.length);

    const first = await spool.next(9);
    expect(first?.readings).toEqual(batch(0, 8)); // whole records, up to 9 readings: 4 + 4
    await spool.commit(first as SpoolChunk);
    expect(spool.readings).toBe(32);
    expect(await drain(spool)).toEqual(batch(8, 32));
    expect(spool.isEmpty()).toBe(true);
    expect(spool.bytes).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an append beyond maxBytes, unless the spool is empty', async () => {
    const oneRecord = encodeRecord(batch(0, 5)).length;
    const spool = await open({ maxBytes: oneRecord * 2 });
    expect(await spool.append(batch(0, 5))).toBe('appended');
    expect(await spool.append(batch(5, 5))).toBe('appended');
    expect(await spool.append(batch(10, 1))).toBe('full');
    const freed = spool.waitForSpace();
    const chunk = await spool.next(1);
    await spool.commit(chunk as SpoolChunk);
    await freed;
    expect(await spool.append(batch(10, 1))).toBe('appended');
    expect(await drain(spool)).toEqual(batch(5, 6));
    expect(await spool.append(batch(0, 50))).toBe('appended'); // larger than maxBytes, but the spool was empty
  });

  it('survives a restart: the next run sees the same records, a torn tail cut off the file', async () => {
    const first = await open();
    await first.append(batch(0, 3));
    await first.append(batch(3, 3));
    await first.close();
    const [name] = await readdir(dir);
    const path = join(dir, name as string);
    const sizeBefore = (await stat(path)).size;
    await appendFile(path, encodeRecord(batch(6, 3)).subarray(0, 20));

    const second = await open();
    expect(second.readings).toBe(6);
    expect((await stat(path)).size).toBe(sizeBefore);
    // Appends after recovery go to a new segment, replayed after the old one.
    await second.append(batch(100, 2));
    expect(await drain(second)).toEqual([...batch(0, 6), ...batch(100, 2)]);
  });

  it('deletes an empty or headerless segment on open, and resumes numbering after the highest', async () => {
    await writeFile(join(dir, '0000000000000007.seg'), Buffer.from('SBE'));
    await writeFile(join(dir, 'unrelated.txt'), 'kept');
    const spool = await open();
    expect(spool.isEmpty()).toBe(true);
    await spool.append(batch(0, 1));
    expect((await readdir(dir)).sort()).toEqual(['0000000000000008.seg', 'unrelated.txt']);
    expect(await readFile(join(dir, 'unrelated.txt'), 'utf8')).toBe('kept');
  });

  it('removes a segment whose only record is torn, and keeps appending', async () => {
    const spool = await open();
    await spool.append(batch(0, 2));
    await spool.close(); // seals the segment; the next append opens a new one
    const [name] = await readdir(dir);
    await truncate(join(dir, name as string), 8 + 5); // simulate a torn write in a sealed file
    const reopened = await open();
    expect(reopened.isEmpty()).toBe(true);
    await reopened.append(batch(2, 2));
    expect(await drain(reopened)).toEqual(batch(2, 2));
  });
});
