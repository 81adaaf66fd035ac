/**
 * TypeScript declarations of API answers, generated from the OpenAPI document the service
 * publishes at /docs/json (the zod response schemas). dashboard/types/api.d.ts is this output,
 * kept in step by test/unit/api/contract.test.ts (`toMatchFileSnapshot`; `vitest -u` rewrites it),
 * so the dashboard's JSDoc types cannot drift from what the server sends.
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  description?: string;
};

export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }> }>>;
  components: { schemas: Record<string, JsonSchema> };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function indent(text: string): string {
  return text.replace(/\n/g, '\n  ');
}

/** One schema as a TypeScript type; `$ref`s become the component's name (declared once, below). */
export function schemaToTs(s: JsonSchema): string {
  if (s.$ref) return s.$ref.split('/').pop()!;
  const union = s.anyOf ?? s.oneOf;
  let type: string;
  if (union) type = [...new Set(union.map(schemaToTs))].join(' | ');
  else if (s.allOf && s.allOf.length > 0) type = s.allOf.map(schemaToTs).join(' & ');
  else if (s.const !== undefined) type = JSON.stringify(s.const);
  else if (s.enum) type = s.enum.map((v) => JSON.stringify(v)).join(' | ');
  else if (Array.isArray(s.type)) type = s.type.map((t) => schemaToTs({ ...s, type: t, nullable: false })).join(' | ');
  else {
    switch (s.type) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'null':
        type = s.type;
        break;
      case 'integer':
        type = 'number';
        break;
      case 'array':
        type = `Array<${s.items ? schemaToTs(s.items) : 'unknown'}>`;
        break;
      case 'object':
      case undefined:
        type = objectToTs(s);
        break;
      default:
        throw new Error(`openapi-types: unsupported schema type ${JSON.stringify(s.type)}`);
    }
  }
  return s.nullable ? `(${type}) | null` : type;
}

function objectToTs(s: JsonSchema): string {
  const props = Object.entries(s.properties ?? {});
  if (props.length === 0) return s.additionalProperties && typeof s.additionalProperties === 'object' ? `Record<string, ${schemaToTs(s.additionalProperties)}>` : 'Record<string, unknown>';
  const lines = props.map(([name, sub]) => {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    const optional = s.required?.includes(name) ? '' : '?';
    const doc = sub.description ? `/** ${sub.description.replace(/\*\//g, '* /')} */\n` : '';
    return indent(`${doc}${key}${optional}: ${schemaToTs(sub)};`);
  });
  return `{\n  ${lines.join('\n  ')}\n}`;
}

/** The components the given schemas reach, transitively, in a stable (sorted) order. */
function reachedComponents(doc: OpenApiDocument, roots: JsonSchema[]): string[] {
  const seen = new Set<string>();
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) return s.forEach(visit);
    const ref = (s as JsonSchema).$ref;
    if (typeof ref === 'string') {
      const name = ref.split('/').pop()!;
      if (!seen.has(name)) {
        seen.add(name);
        visit(doc.components.schemas[name]);
      }
    }
    Object.values(s).forEach(visit);
  };
  roots.forEach(visit);
  return [...seen].sort();
}

/** `export type <Name> = …` for the 200 JSON answer of each `GET path`, plus the components they use. */
export function answerTypes(doc: OpenApiDocument, answers: Record<string, string>, header: string): string {
  const roots: Array<[string, JsonSchema]> = Object.entries(answers).map(([name, path]) => {
    const schema = doc.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema;
    if (!schema) throw new Error(`openapi-types: no 200 JSON answer documented for GET ${path}`);
    return [name, schema];
  });
  const out = [header];
  for (const [name, schema] of roots) out.push(`/** GET ${answers[name]} */\nexport type ${name} = ${schemaToTs(schema)};`);
  for (const name of reachedComponents(doc, roots.map(([, s]) => s))) out.push(`export type ${name} = ${schemaToTs(doc.components.schemas[name]!)};`);
  return `${out.join('\n\n')}\n`;
}
