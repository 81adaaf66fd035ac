import { crc32 } from 'node:zlib';
import type { Reading } from '../../model/reading.js';

/**
 * On-disk format of a spool segment (one file, appended to, then deleted once replayed):
 *
 *   header  8 bytes  ASCII "SBESPL01" (format version 1)
 *   record  repeated:
 *     u32 LE  payload length in bytes
 *     u32 LE  CRC-32 (zlib / IEEE 802.3) of the payload
 *     payload UTF-8 JSON array of readings, each [site, device, quantity, tsMs, value, tsFromServer 0|1]
 *
 * A record is one batch as it was committed to the spool. A crash while appending can leave a
 * torn last record (short header, short payload, or bytes whose checksum does not match); the
 * reader stops at the first record that does not check out and reports where valid data ends,
 * so only that tail is dropped. Length-then-checksum framing is the classic write-ahead-log
 * layout (e.g. LevelDB's log format, doc/log_format.md), minus its block padding.
 */
export const SEGMENT_MAGIC = Buffer.from('SBESPL01', 'ascii');
export const RECORD_HEADER_BYTES = 8;
/** Refuse absurd lengths from a corrupt header instead of allocating them. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

type ReadingTuple = [string, string, string, number, number, 0 | 1];

export function encodeRecord(readings: readonly Reading[]): Buffer {
  const tuples: ReadingTuple[] = readings.map((r) => [r.site, r.device, r.quantity, r.tsMs, r.value, r.tsFromServer ? 1 : 0]);
  const payload = Buffer.from(JSON.stringify(tuples), 'utf8');
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  record.writeUInt32LE(payload.length, 0);
  record.writeUInt32LE(crc32(payload), 4);
  payload.copy(record, RECORD_HEADER_BYTES);
  return record;
}

export interface DecodedRecord {
  readings: Reading[];
  /** Bytes the record takes in the file, header included. */
  bytes: number;
}

export interface DecodedSegment {
  records: DecodedRecord[];
  /** Offset just past the last valid record: the file should be truncated here. */
  validEnd: number;
  /** Bytes after validEnd that were dropped (torn or corrupt tail). */
  droppedBytes: number;
  /** False when the file does not even start with a complete header. */
  headerOk: boolean;
}

export function decodeSegment(buf: Buffer): DecodedSegment {
  if (buf.length < SEGMENT_MAGIC.length || !buf.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    return { records: [], validEnd: 0, droppedBytes: buf.length, headerOk: false };
  }
  const { records, consumed } = decodeRecords(buf.subarray(SEGMENT_MAGIC.length));
  const validEnd = SEGMENT_MAGIC.length + consumed;
  return { records, validEnd, droppedBytes: buf.length - validEnd, headerOk: true };
}

/**
 * Decodes the complete, valid records at the start of `buf` (a window of a segment, starting
 * on a record boundary). `consumed` is where decoding stopped; `nextRecordBytes` is the size
 * of the next record when its header is readable but its payload is not in the window.
 */
export function decodeRecords(buf: Buffer, maxReadings = Infinity): { records: DecodedRecord[]; consumed: number; nextRecordBytes: number | null } {
  const records: DecodedRecord[] = [];
  let offset = 0;
  let readings = 0;
  while (offset + RECORD_HEADER_BYTES <= buf.length && readings < maxReadings) {
    const length = buf.readUInt32LE(offset);
    const checksum = buf.readUInt32LE(offset + 4);
    const end = offset + RECORD_HEADER_BYTES + length;
    if (length > MAX_PAYLOAD_BYTES) break;
    if (end > buf.length) return { records, consumed: offset, nextRecordBytes: RECORD_HEADER_BYTES + length };
    const payload = buf.subarray(offset + RECORD_HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    const decoded = parsePayload(payload);
    if (!decoded) break;
    // Whole records only, and not past maxReadings unless it is the first (one record is one original batch).
    if (records.length > 0 && readings + decoded.length > maxReadings) break;
    records.push({ readings: decoded, bytes: end - offset });
    readings += decoded.length;
    offset = end;
  }
  return { records, consumed: offset, nextRecordBytes: null };
}

function parsePayload(payload: Buffer): Reading[] | null {
  try {
    const tuples = JSON.parse(payload.toString('utf8')) as ReadingTuple[];
    if (!Array.isArray(tuples)) return null;
    return tuples.map(([site, device, quantity, tsMs, value, fromServer]) => {
      const reading: Reading = { site, device, quantity: quantity as Reading['quantity'], tsMs, value };
      if (fromServer === 1) reading.tsFromServer = true;
      return reading;
    });
  } catch {
    // A checksum collision on garbage is astronomically unlikely; treat it like a torn record anyway.
    return null;
  }
}
