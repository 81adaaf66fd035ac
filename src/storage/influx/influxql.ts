import { BUCKET_WIDTHS, type BucketWidth } from '../port.js';

/**
 * Builders for the only pieces of outside text that reach InfluxQL. Every string goes
 * through quoteString or quoteIdent; numbers, widths and time zones are checked, never quoted.
 *
 * InfluxQL's scanner (influxql/scanner.go, ScanString) reads a quoted string until the
 * closing quote and knows four escapes only: \n, \\, \' and \". A raw newline ends the
 * string with an error, CR is folded into a newline by the reader and NUL reads as EOF:
 * neither can be expressed, so they are refused instead of silently changed.
 */
export class InfluxqlValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InfluxqlValueError';
  }
}

function escapeQuoted(text: string, quote: "'" | '"'): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    // eslint-disable-next-line no-control-regex
    else if (ch !== '\t' && /[\u0000-\u001f]/.test(ch)) {
      throw new InfluxqlValueError(`control character U+${ch.charCodeAt(0).toString(16).padStart(4, '0')} cannot be written in InfluxQL`);
    } else out += ch;
  }
  return out;
}

/** A string literal: `'O\'Brien'`. */
export function quoteString(text: string): string {
  return `'${escapeQuoted(text, "'")}'`;
}

/** A double-quoted identifier (database, retention policy, measurement, tag key): `"my \"db\""`. */
export function quoteIdent(name: string): string {
  return `"${escapeQuoted(name, '"')}"`;
}

/** An absolute time as InfluxQL's epoch-with-unit literal (`1700000000000ms`). */
export function timeLiteral(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs)) throw new InfluxqlValueError(`time must be an integer of epoch ms, got ${epochMs}`);
  return `${epochMs}ms`;
}

/** A bucket width; only the widths of BUCKET_WIDTHS, whose spelling is the same in InfluxQL. */
export function widthLiteral(width: BucketWidth): string {
  if (!(BUCKET_WIDTHS as readonly string[]).includes(width)) throw new InfluxqlValueError(`unknown bucket width ${JSON.stringify(width)}`);
  return width;
}

/** Area/Location[/Sub] names, or UTC-like single names (IANA tz database naming rules, tz-link.html). */
const TIMEZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]{0,29}(\/[A-Za-z0-9][A-Za-z0-9_+-]{0,29}){0,2}$/;

/** `tz('Europe/Paris')`, for a valid IANA zone name only (shape checked, then known to ICU). */
export function tzClause(timezone: string): string {
  if (!TIMEZONE_SHAPE.test(timezone)) throw new InfluxqlValueError(`not an IANA time zone name: ${JSON.stringify(timezone)}`);
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new InfluxqlValueError(`unknown time zone ${JSON.stringify(timezone)}`);
  }
  return `tz(${quoteString(timezone)})`;
}

/** `"site" = '…' AND …` for the given tags, in a fixed order. */
export function tagConditions(tags: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(tags)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${quoteIdent(key)} = ${quoteString(value)}`);
}
