/**
 * JSON Pointer (RFC 6901): "" is the whole document, "/a/0/b" walks object keys and array
 * indexes, "~1" is "/" and "~0" is "~" (§4: ~1 is decoded before ~0).
 */
export type CompiledPointer = readonly string[];

export function compilePointer(pointer: string): CompiledPointer | string {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return 'a JSON pointer starts with "/" (RFC 6901), e.g. "/data/energy"';
  const tokens = pointer.slice(1).split('/');
  for (const t of tokens) if (/~[^01]|~$/.test(t)) return `"~" must be followed by 0 or 1 in "${t}" (RFC 6901 §3)`;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at the pointer, or undefined when a step is missing. */
export function resolvePointer(document: unknown, pointer: CompiledPointer): unknown {
  let v = document;
  for (const token of pointer) {
    if (Array.isArray(v)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return undefined;
      v = v[Number(token)];
    } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, token)) {
      v = (v as Record<string, unknown>)[token];
    } else return undefined;
  }
  return v;
}
