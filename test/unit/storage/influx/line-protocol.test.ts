import { describe, expect, it } from 'vitest';
import type { Reading } from '../../../../src/model/reading.js';
import { encodeReadings, pointLine } from '../../../../src/storage/influx/line-protocol.js';
import { tagValueProblem } from '../../../../src/storage/influx/schema.js';

const reading = (over: Partial<Reading> = {}): Reading => ({ site: 's', device: 'd', quantity: 'power_w', tsMs: 1_700_000_000_123, value: 1.5, ...over });

describe('encodeReadings', () => {
  it('writes the schema: measurement, sorted tags, float value, ts_from_server always, ms timestamp', () => {
    const { lines, refused } = encodeReadings([reading(), reading({ value: 2, tsFromServer: true })]);
    expect(refused).toEqual([]);
    expect(lines).toEqual([
      'readings,device=d,quantity=power_w,site=s ts_from_server=F,value=1.5 1700000000123',
      'readings,device=d,quantity=power_w,site=s ts_from_server=T,value=2 1700000000123',
    ]);
  });

  it('escapes commas, equals signs and spaces in tags (Point does)', () => {
    const { lines } = encodeReadings([reading({ site: 'a,b=c d', device: `"; DROP DATABASE energy` })]);
    expect(lines[0]).toBe('readings,device=";\\ DROP\\ DATABASE\\ energy,quantity=power_w,site=a\\,b\\=c\\ d ts_from_server=F,value=1.5 1700000000123');
    expect(lines[0]).not.toContain('\n');
  });

  it('refuses what cannot be stored verbatim, and keeps the rest in order', () => {
    const bad = [
      reading({ site: 'multi\nline' }),
      reading({ device: 'trailing\\' }),
      reading({ device: 'cr\r' }),
      reading({ site: '' }),
      reading({ value: Number.NaN }),
      reading({ value: Number.POSITIVE_INFINITY }),
      reading({ tsMs: 1.5 }),
    ];
    const { lines, refused } = encodeReadings([reading({ device: 'first' }), ...bad, reading({ device: 'last' })]);
    expect(lines.map((l) => /device=(\w+)/.exec(l)?.[1])).toEqual(['first', 'last']);
    expect(refused.map((r) => r.reading)).toEqual(bad);
    expect(refused.map((r) => r.reason)).toEqual([
      'site contains a control character',
      'device ends with a backslash',
      'device contains a control character',
      'site is empty',
      'value NaN is not a finite number',
      'value Infinity is not a finite number',
      'tsMs 1.5 is not an integer of epoch ms',
    ]);
  });
});

describe('tagValueProblem', () => {
  it.each(["O'Brien", 'back\\slash', '\\,', 'x\\ y', ' spaced ', '"; DROP DATABASE energy', 'literal \\n'])('accepts %j', (value) => {
    expect(tagValueProblem(value)).toBeNull();
  });
  it.each(['', 'a\\', 'a\\\\', 'nl\n', 'tab\t', 'nul\u0000', 'del\u007f'])('refuses %j', (value) => {
    expect(tagValueProblem(value)).not.toBeNull();
  });
});

describe('encodeReadings fast path', () => {
  it('writes exactly the line Point writes, for awkward tags, values and flags', () => {
    const tags = ['cleon-bureaux', 'a b', 'a,b', 'a=b', 'quote"d', "it's", 'é à ü', 'x\\y', '#1', '🔥'];
    const values = [0, -0, 1, -1, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 123456789.123456];
    const readings: Reading[] = [];
    tags.forEach((tag, i) =>
      values.forEach((value, j) => readings.push({ site: tag, device: tags[(i + j) % tags.length]!, quantity: 'energy_kwh', tsMs: 1_700_000_000_000 + i * 100 + j, value, tsFromServer: j % 2 === 0 })),
    );
    const { lines, refused } = encodeReadings(readings);
    expect(refused).toEqual([]);
    expect(lines).toEqual(readings.map((r) => pointLine(r)));
  });
});
