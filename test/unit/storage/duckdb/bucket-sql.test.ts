import { describe, expect, it } from 'vitest';
import { bucketSql } from '../../../../src/storage/duckdb/bucket-sql.js';
import { BUCKET_WIDTH_MS, BUCKET_WIDTHS } from '../../../../src/storage/port.js';

describe('bucketSql', () => {
  it.each(BUCKET_WIDTHS.filter((w) => w !== '1d'))('%s binds its width in ms and ignores the zone', (every) => {
    const { sql, sixth } = bucketSql(every);
    expect(sixth('Europe/Paris')).toBe(BigInt(BUCKET_WIDTH_MS[every]));
    expect(sql).not.toContain('timezone(');
  });

  it('1d binds the zone and buckets local wall-clock time (the fast form)', () => {
    const { sql, sixth } = bucketSql('1d');
    expect(sixth("Europe/Paris'; DROP TABLE readings; --")).toBe("Europe/Paris'; DROP TABLE readings; --");
    expect(sql).toContain("time_bucket(INTERVAL '1 day', timezone($6, ts))");
    expect(sql).not.toContain('Europe/Paris');
  });
});
