import { describe, expect, it } from 'vitest';
import { InfluxqlValueError, quoteIdent, quoteString, tagConditions, timeLiteral, tzClause, widthLiteral } from '../../../../src/storage/influx/influxql.js';
import type { BucketWidth } from '../../../../src/storage/port.js';

/**
 * A transcription of InfluxQL's ScanString (influxql/scanner.go): reads one quoted token
 * and returns its value and what follows, or throws where InfluxDB would answer "bad string"
 * or "bad escape". Proves a quoted value can never end early and leak text into the query.
 */
function scanQuoted(text: string): { value: string; rest: string } {
  const quote = text[0];
  let value = '';
  for (let i = 1; i < text.length; i += 1) {
    const ch = text[i]!;
    if (ch === quote) return { value, rest: text.slice(i + 1) };
    if (ch === '\n' || ch === '\r' || ch === '\u0000') throw new Error('bad string');
    if (ch === '\\') {
      const next = text[i + 1];
      i += 1;
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"' || next === "'") value += next;
      else throw new Error('bad escape');
    } else value += ch;
  }
  throw new Error('bad string (unterminated)');
}

const HOSTILE = [
  "O'Brien",
  "' OR 1=1 --",
  '"; DROP DATABASE energy',
  "x' OR site =~ /.*/ --",
  'back\\slash',
  'ends with backslash\\',
  "\\'",
  '\\"',
  '\\\\\'',
  'multi\nline',
  'tab\there',
  "'; DROP DATABASE \"energy\"; SELECT '",
  'Cléon ☃ 𝄞',
  '',
];

describe('quoteString', () => {
  it.each(HOSTILE)('keeps %j inside one string literal, verbatim', (hostile) => {
    const literal = quoteString(hostile);
    const scanned = scanQuoted(`${literal} AND "device" = 'd'`);
    expect(scanned.value).toBe(hostile);
    expect(scanned.rest).toBe(` AND "device" = 'd'`);
  });

  it('escapes quotes, backslashes and newlines exactly', () => {
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString('a\\b')).toBe("'a\\\\b'");
    expect(quoteString('a\nb')).toBe("'a\\nb'");
    expect(quoteString("' OR 1=1 --")).toBe("'\\' OR 1=1 --'");
    expect(quoteString('"double"')).toBe(`'"double"'`);
  });

  it.each(['cr\rx', 'nul\u0000x', 'bell\u0007'])('refuses %j, which InfluxQL cannot express', (text) => {
    expect(() => quoteString(text)).toThrow(InfluxqlValueError);
  });
});

describe('quoteIdent', () => {
  it.each(HOSTILE)('keeps %j inside one identifier, verbatim', (hostile) => {
    const scanned = scanQuoted(`${quoteIdent(hostile)}."readings"`);
    expect(scanned.value).toBe(hostile);
    expect(scanned.rest).toBe('."readings"');
  });

  it('escapes double quotes, not single ones', () => {
    expect(quoteIdent('energy')).toBe('"energy"');
    expect(quoteIdent('"; DROP DATABASE energy')).toBe('"\\"; DROP DATABASE energy"');
    expect(quoteIdent("it's")).toBe(`"it's"`);
  });
});

describe('tagConditions', () => {
  it('quotes keys and values and skips undefined tags', () => {
    expect(tagConditions({ site: "a' OR 1=1 --", device: undefined, quantity: 'power_w' })).toEqual([
      `"site" = 'a\\' OR 1=1 --'`,
      `"quantity" = 'power_w'`,
    ]);
  });
});

describe('tzClause', () => {
  it.each(['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5'])('accepts %s', (zone) => {
    expect(tzClause(zone)).toBe(`tz('${zone}')`);
  });

  it.each([
    "Europe/Paris') ; DROP DATABASE \"energy\" --",
    "Europe/Paris'",
    'Europe/Paris\n',
    '../../etc/passwd',
    '/etc/localtime',
    'Mars/Olympus_Mons',
    '',
    'Europe/Paris Europe/Berlin',
    'Europe\\Paris',
  ])('refuses %j', (zone) => {
    expect(() => tzClause(zone)).toThrow(InfluxqlValueError);
  });
});

describe('widthLiteral and timeLiteral', () => {
  it('passes only the widths of BUCKET_WIDTHS', () => {
    expect(widthLiteral('15m')).toBe('15m');
    expect(widthLiteral('1d')).toBe('1d');
    expect(() => widthLiteral('1h) fill(0); DROP DATABASE "energy' as BucketWidth)).toThrow(InfluxqlValueError);
    expect(() => widthLiteral('2h' as BucketWidth)).toThrow(InfluxqlValueError);
  });

  it('writes integral epoch ms with the ms unit and refuses anything else', () => {
    expect(timeLiteral(1_700_000_000_123)).toBe('1700000000123ms');
    expect(timeLiteral(0)).toBe('0ms');
    for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(() => timeLiteral(bad)).toThrow(InfluxqlValueError);
  });
});
