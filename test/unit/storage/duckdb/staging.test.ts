import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../../src/model/reading.js';
import { CHUNK_ROWS, lastWins, stagingChunks, timeSpan } from '../../../../src/storage/duckdb/staging.js';

const r = (tsMs: number, value: number, device = 'd'): Reading => ({ site: 's', device, quantity: 'power_w', tsMs, value });

describe('lastWins', () => {
  it('returns the batch itself when every identity is unique', () => {
    const batch = [r(1, 1), r(2, 2), r(1, 3, 'other')];
    expect(lastWins(batch)).toBe(batch);
  });

  it('keeps one reading per identity, the later one', () => {
    expect(lastWins([r(1, 1), r(2, 2), r(1, 3), r(1, 4, 'other'), r(2, 5)])).toEqual([r(1, 3), r(2, 5), r(1, 4, 'other')]);
  });
});

describe('timeSpan', () => {
  it('finds the earliest and latest timestamps in any order', () => {
    expect(timeSpan([r(5, 0), r(-3, 0), r(9, 0), r(0, 0)])).toEqual({ fromMs: -3, toMs: 9 });
  });
});

describe('stagingChunks', () => {
  it('splits a batch into chunks of at most one DuckDB vector', () => {
    const batch = Array.from({ length: CHUNK_ROWS * 2 + 5 }, (_, i) => r(i, i));
    const chunks = [...stagingChunks(batch)];
    expect(chunks.map((c) => c.rowCount)).toEqual([CHUNK_ROWS, CHUNK_ROWS, 5]);
    expect(chunks[2]!.getColumnValues(3)).toEqual([4096, 4097, 4098, 4099, 4100]);
  });

  it('puts every field in its staging column, tsFromServer as a boolean', () => {
    const [chunk] = [...stagingChunks([{ site: "a'b", device: 'c,d', quantity: 'gas_m3', tsMs: 1_774_742_400_123, value: -0.5, tsFromServer: true }, r(1, 2)])];
    expect(chunk!.getRows()).toEqual([
      ["a'b", 'c,d', 'gas_m3', 1_774_742_400_123, -0.5, true],
      ['s', 'd', 'power_w', 1, 2, false],
    ]);
  });
});
