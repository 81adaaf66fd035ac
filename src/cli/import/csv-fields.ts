/**
 * One CSV record into fields (RFC 4180: quoted fields, "" for a quote inside quotes). Records
 * never span lines here: meter exports do not put line breaks inside fields, and a stray quote
 * then costs one line (reported by number) instead of swallowing the rest of the file.
 */
export function splitCsvLine(line: string, delimiter: string): string[] | { error: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return { error: 'a quoted field is not closed' };
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      if (i < line.length && line[i] !== delimiter) return { error: `text after a closing quote in field ${fields.length + 1}` };
      fields.push(value);
    } else {
      const next = line.indexOf(delimiter, i);
      fields.push((next < 0 ? line.slice(i) : line.slice(i, next)).trim());
      i = next < 0 ? line.length : next;
    }
    if (i >= line.length) return fields;
    i += 1; // the delimiter
    if (i === line.length) {
      fields.push('');
      return fields;
    }
  }
}

/** `;` (French spreadsheets), tab, or `,`: whichever the header holds most of, outside quotes. */
export function detectDelimiter(header: string): string {
  const outside = header.replace(/"[^"]*"/g, '');
  const counts = [';', '\t', ','].map((d) => ({ d, n: outside.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return counts[0]!.n > 0 ? counts[0]!.d : ',';
}

/**
 * A number as a meter export writes it: `1234.5`, or `1234,5` with a decimal comma (and then
 * perhaps spaces or dots as thousands separators: `1 234,5`, `1.234,5`). Null when it is not one.
 */
export function parseDecimal(text: string, decimal: '.' | ','): number | null {
  let t = text.trim().replace(/[\u00a0\u202f ]/g, '');
  if (t === '') return null;
  if (decimal === ',') t = t.replace(/\.(?=\d{3}(\D|$))/g, '').replace(',', '.');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const value = Number(t);
  return Number.isFinite(value) ? value : null;
}
