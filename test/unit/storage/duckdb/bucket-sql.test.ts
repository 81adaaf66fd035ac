import { describe, expect, it } from 'vitest';
import { bucketSql, QUARTER_HOUR_SLOTS_SINCE_MS } from '../../../../src/storage/duckdb/bucket-sql.js';
import { BUCKET_WIDTH_MS, BUCKET_WIDTHS } from '../../../../src/storage/port.js';

const FROM_2026 = Date.parse('2026-01-01T00:00:00Z');

describe('bucketSql', () => {
  it.each(BUCKET_WIDTHS.filter((w) => w !== '1d'))('%s binds its width in ms and ignores the zone', (every) => {
    const { sql, sixth } = bucketSql(every, FROM_2026);
    expect(sixth('Europe/Paris')).toBe(BigInt(BUCKET_WIDTH_MS[every]));
    expect(sql).not.toContain('timezone(');
  });

  it('1d binds the zone and converts 15-minute slot starts, not rows', () => {
    const { sql, sixth } = bucketSql('1d', FROM_2026);
    expect(sixth("Europe/Paris'; DROP TABLE readings; --")).toBe("Europe/Paris'; DROP TABLE readings; --");
    expect(sql).toContain("time_bucket(INTERVAL '1 day', timezone($6, make_timestamptz(slot_ms * 1000)))");
    expect(sql).not.toContain('Europe/Paris');
  });

  it('1d falls back to the per-row fast form for ranges starting before 2012', () => {
    expect(bucketSql('1d', QUARTER_HOUR_SLOTS_SINCE_MS).sql).toBe(bucketSql('1d', FROM_2026).sql);
    const { sql } = bucketSql('1d', QUARTER_HOUR_SLOTS_SINCE_MS - 1);
    expect(sql).toContain("time_bucket(INTERVAL '1 day', timezone($6, ts))");
    expect(sql).not.toContain('slot_ms');
  });
});
