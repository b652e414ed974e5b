/**
 * The path templates of `google.api.http` rules, parsed and matched. Grammar (from google/api/http.proto):
 *
 *     Template = "/" Segments [ Verb ] ;
 *     Segments = Segment { "/" Segment } ;
 *     Segment  = "*" | "**" | LITERAL | Variable ;
 *     Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *     FieldPath = IDENT { "." IDENT } ;
 *     Verb     = ":" LITERAL ;
 *
 * `{id}` is short for `{id=*}` (one segment). `**` matches zero or more segments and may only be the
 * last segment. A single-segment variable value is percent-decoded; a multi-segment one keeps its '/'.
 */

export type TemplateSegment =
  | { kind: 'literal'; value: string }
  | { kind: 'one' } // '*': exactly one segment
  | { kind: 'rest' }; // '**': zero or more segments

export interface TemplateVariable {
  /** Field path of the request message, e.g. ['id'] or ['flow_mod', 'table_id']. */
  fieldPath: string[];
  /** Index of the first segment the variable covers. */
  start: number;
  /** One past the last segment the variable covers. */
  end: number;
}

export interface PathTemplate {
  /** The template text as written in the annotation. */
  source: string;
  segments: TemplateSegment[];
  variables: TemplateVariable[];
  verb: string | undefined;
}

export class TemplateSyntaxError extends Error {
  public constructor(template: string, problem: string) {
    super(`invalid path template '${template}': ${problem}`);
    this.name = 'TemplateSyntaxError';
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERAL = /^[A-Za-z0-9\-._~!$&'()+,;=@%]+$/;

export function parsePathTemplate(source: string): PathTemplate {
  if (!source.startsWith('/')) throw new TemplateSyntaxError(source, "it must start with '/'");
  let body = source.slice(1);
  let verb: string | undefined;
  // A verb follows the last '/' and sits outside braces.
  const lastSlash = body.lastIndexOf('/');
  const colon = body.indexOf(':', lastSlash + 1);
  if (colon >= 0 && !body.slice(colon).includes('}')) {
    verb = body.slice(colon + 1);
    body = body.slice(0, colon);
    if (!LITERAL.test(verb)) throw new TemplateSyntaxError(source, `bad verb '${verb}'`);
  }
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  if (body === '') return { source, segments, variables, verb };

  const parts = splitOutsideBraces(source, body);
  for (const part of parts) {
    if (part.startsWith('{')) {
      if (!part.endsWith('}')) throw new TemplateSyntaxError(source, `malformed variable '${part}'`);
      const inner = part.slice(1, -1);
      const eq = inner.indexOf('=');
      const path = eq >= 0 ? inner.slice(0, eq) : inner;
      const fieldPath = path.split('.');
      if (!fieldPath.every((p) => IDENT.test(p))) {
        throw new TemplateSyntaxError(source, `bad field path '${path}'`);
      }
      if (variables.some((v) => v.fieldPath.join('.') === path)) {
        throw new TemplateSyntaxError(source, `variable '${path}' appears twice`);
      }
      const start = segments.length;
      const sub = eq >= 0 ? inner.slice(eq + 1) : '*';
      if (sub === '') throw new TemplateSyntaxError(source, `empty pattern of variable '${path}'`);
      for (const s of sub.split('/')) {
        if (s.includes('{')) throw new TemplateSyntaxError(source, 'nested variables');
        segments.push(plainSegment(source, s));
      }
      variables.push({ fieldPath, start, end: segments.length });
    } else {
      segments.push(plainSegment(source, part));
    }
  }
  const restAt = segments.findIndex((s) => s.kind === 'rest');
  if (restAt >= 0 && restAt !== segments.length - 1) {
    throw new TemplateSyntaxError(source, "'**' must be the last segment");
  }
  return { source, segments, variables, verb };
}

function splitOutsideBraces(source: string, body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    if (depth < 0 || depth > 1) throw new TemplateSyntaxError(source, 'unbalanced braces');
    if (ch === '/' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0) throw new TemplateSyntaxError(source, 'unbalanced braces');
  parts.push(current);
  return parts;
}

function plainSegment(source: string, text: string): TemplateSegment {
  if (text === '*') return { kind: 'one' };
  if (text === '**') return { kind: 'rest' };
  if (text === '') throw new TemplateSyntaxError(source, 'empty segment');
  if (!LITERAL.test(text)) throw new TemplateSyntaxError(source, `bad literal '${text}'`);
  return { kind: 'literal', value: text };
}

/** Variable values of a matched path, keyed by dotted field path. */
export type PathParams = Map<string, string>;

export class PathDecodeError extends Error {
  public constructor(segment: string) {
    super(`malformed percent-encoding in path segment '${segment}'`);
    this.name = 'PathDecodeError';
  }
}

/**
 * Matches a request path (without query string) against a template; returns the variable values or
 * undefined. Throws PathDecodeError for bad percent-encoding inside a variable.
 */
export function matchPathTemplate(template: PathTemplate, path: string): PathParams | undefined {
  let rawPath = path;
  if (template.verb !== undefined) {
    const suffix = `:${template.verb}`;
    if (!rawPath.endsWith(suffix)) return undefined;
    rawPath = rawPath.slice(0, -suffix.length);
  }
  if (!rawPath.startsWith('/')) return undefined;
  const parts = rawPath === '/' ? [] : rawPath.slice(1).split('/');
  const segs = template.segments;
  const hasRest = segs.length > 0 && segs[segs.length - 1].kind === 'rest';
  if (hasRest ? parts.length < segs.length - 1 : parts.length !== segs.length) return undefined;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg.kind === 'rest') break;
    const part = parts[i];
    if (seg.kind === 'literal') {
      if (part !== seg.value) return undefined;
    } else if (part === '') return undefined;
  }
  const params: PathParams = new Map();
  for (const v of template.variables) {
    const coversRest = v.end === segs.length && hasRest;
    const covered = parts.slice(v.start, coversRest ? parts.length : v.end);
    const value =
      covered.length === 1 && !coversRest ? decode(covered[0]) : covered.map(decodeKeepSlash).join('/');
    params.set(v.fieldPath.join('.'), value);
  }
  return params;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new PathDecodeError(segment);
  }
}

function decodeKeepSlash(segment: string): string {
  return decode(segment.replace(/%2F/gi, '%252F'));
}

/**
 * Orders templates from most to least specific: segment by segment a literal beats '*', which beats
 * '**'; then a verb beats none. Used to pick one route when several templates match a path.
 */
export function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (s: TemplateSegment | undefined): number =>
    s === undefined ? 0 : s.kind === 'literal' ? 3 : s.kind === 'one' ? 2 : 1;
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const d = rank(b.segments[i]) - rank(a.segments[i]);
    if (d !== 0) return d;
  }
  return (b.verb === undefined ? 0 : 1) - (a.verb === undefined ? 0 : 1);
}

/** OpenAPI form of a template: '/api/v1/devices/{id}'; multi-segment variables keep their name. */
export function openApiPath(template: PathTemplate): string {
  const out: string[] = [];
  let i = 0;
  while (i < template.segments.length) {
    const v = template.variables.find((x) => x.start === i);
    if (v) {
      out.push(`{${v.fieldPath.join('.')}}`);
      i = Math.max(v.end, i + 1);
      continue;
    }
    const s = template.segments[i];
    out.push(s.kind === 'literal' ? s.value : s.kind === 'one' ? '*' : '**');
    i++;
  }
  return '/' + out.join('/') + (template.verb !== undefined ? `:${template.verb}` : '');
}
