/**
 * A very small template language for the alert e-mails, checked when compiled (evcc's
 * messenger/hub.go parses its templates when the hub is built, so a bad one fails at start-up):
 *
 *   {{name}}                    a value of the template's declared fields
 *   {{#if name}} … {{/if}}      kept when the field is a non-empty string, true, or a non-empty list
 *   {{#if name}} … {{else}} … {{/if}}
 *   {{#each name}} … {{/each}}  repeated for each item of a list field; inside, the item's fields
 *
 * An unknown placeholder, an `each` over a field that is not a list, or an unbalanced block is a
 * TemplateError naming the template, the placeholder and its line. Values are pre-formatted
 * strings (numbers and dates are formatted by the caller, per locale), so rendering cannot fail.
 */

/** What a template may use: a string/boolean field, or a list whose items have their own fields. */
export type FieldSpec = { readonly [name: string]: 'value' | FieldSpec };

export type TemplateValue = string | boolean | readonly TemplateScope[];
export interface TemplateScope {
  readonly [name: string]: TemplateValue | undefined;
}

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    readonly placeholder: string,
    readonly line: number,
    problem: string,
  ) {
    super(`template "${template}", line ${line}: ${problem}`);
    this.name = 'TemplateError';
  }
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'if'; name: string; then: Node[]; otherwise: Node[] }
  | { kind: 'each'; name: string; body: Node[] };

export interface CompiledTemplate {
  readonly name: string;
  /** Renders with every value passed through `escape` (identity for plain text, HTML escaping for HTML). */
  render(scope: TemplateScope, escape?: (value: string) => string): string;
}

const TAG_BODY = String.raw`\{\{\s*(#if|#each|\/if|\/each|else)?\s*([A-Za-z][A-Za-z0-9]*)?\s*\}\}`;
const TAG = new RegExp(TAG_BODY, 'g');
const ONE_TAG = new RegExp(`^${TAG_BODY}$`);

export function compileTemplate(name: string, source: string, fields: FieldSpec): CompiledTemplate {
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  // Anything that opens like a tag but does not parse as one is refused, not copied into the mail.
  for (const match of source.matchAll(/\{\{[^}]*\}\}|\{\{|\}\}/g)) {
    const exact = ONE_TAG.exec(match[0]);
    if (!exact || (!exact[1] && !exact[2]) || (exact[1] === 'else' && exact[2]) || (exact[1]?.startsWith('/') && exact[2])) {
      throw new TemplateError(name, match[0], lineAt(match.index), `malformed tag ${JSON.stringify(match[0])}`);
    }
  }

  interface Frame { kind: 'root' | 'if' | 'each'; name: string; nodes: Node[]; line: number; fields: FieldSpec; node?: Node & { kind: 'if' } }
  const stack: Frame[] = [{ kind: 'root', name: '', nodes: [], line: 1, fields }];
  const top = () => stack[stack.length - 1]!;
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    if (match.index > last) top().nodes.push({ kind: 'text', text: source.slice(last, match.index) });
    last = match.index + match[0].length;
    const [, keyword, field = ''] = match;
    const line = lineAt(match.index);
    const frame = top();
    const spec = frame.fields[field];
    if (keyword === undefined || keyword === '#if' || keyword === '#each') {
      if (spec === undefined) {
        const known = Object.keys(frame.fields).join(', ');
        throw new TemplateError(name, field, line, `unknown placeholder "${field}" (known here: ${known})`);
      }
    }
    if (keyword === undefined) {
      if (spec !== 'value') throw new TemplateError(name, field, line, `"${field}" is a list: use {{#each ${field}}}`);
      frame.nodes.push({ kind: 'value', name: field });
    } else if (keyword === '#if') {
      const node: Node & { kind: 'if' } = { kind: 'if', name: field, then: [], otherwise: [] };
      frame.nodes.push(node);
      stack.push({ kind: 'if', name: field, nodes: node.then, line, fields: frame.fields, node });
    } else if (keyword === '#each') {
      if (spec === 'value' || spec === undefined) throw new TemplateError(name, field, line, `"${field}" is not a list: {{#each}} needs one`);
      const node: Node = { kind: 'each', name: field, body: [] };
      frame.nodes.push(node);
      stack.push({ kind: 'each', name: field, nodes: node.body, line, fields: spec });
    } else if (keyword === 'else') {
      if (frame.kind !== 'if' || !frame.node || frame.nodes === frame.node.otherwise) {
        throw new TemplateError(name, '{{else}}', line, '{{else}} outside an {{#if}}');
      }
      frame.nodes = frame.node.otherwise;
    } else {
      const closes = keyword === '/if' ? 'if' : 'each';
      if (frame.kind !== closes) {
        const open = frame.kind === 'root' ? 'nothing is open' : `{{#${frame.kind} ${frame.name}}} of line ${frame.line} is open`;
        throw new TemplateError(name, `{{${keyword}}}`, line, `unbalanced {{${keyword}}}: ${open}`);
      }
      stack.pop();
    }
  }
  if (stack.length > 1) {
    const open = top();
    throw new TemplateError(name, `{{#${open.kind} ${open.name}}}`, open.line, `{{#${open.kind} ${open.name}}} is never closed`);
  }
  if (last < source.length) stack[0]!.nodes.push({ kind: 'text', text: source.slice(last) });
  const root = stack[0]!.nodes;

  return {
    name,
    render(scope, escape = (v) => v) {
      return renderNodes(root, [scope], escape);
    },
  };
}

function lookup(scopes: readonly TemplateScope[], name: string): TemplateValue | undefined {
  return scopes[scopes.length - 1]![name];
}

function renderNodes(nodes: readonly Node[], scopes: readonly TemplateScope[], escape: (v: string) => string): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') {
      const v = lookup(scopes, node.name);
      out += escape(typeof v === 'string' ? v : '');
    } else if (node.kind === 'if') {
      const v = lookup(scopes, node.name);
      const truthy = Array.isArray(v) ? v.length > 0 : v === true || (typeof v === 'string' && v !== '');
      out += renderNodes(truthy ? node.then : node.otherwise, scopes, escape);
    } else {
      const v = lookup(scopes, node.name);
      if (Array.isArray(v)) for (const item of v as readonly TemplateScope[]) out += renderNodes(node.body, [...scopes, item], escape);
    }
  }
  return out;
}
