import {
  PathDecodeError,
  TemplateSyntaxError,
  compareSpecificity,
  matchPathTemplate,
  openApiPath,
  parsePathTemplate
} from './path-template';

describe('path templates', () => {
  it('should parse literals and single-segment variables', () => {
    const t = parsePathTemplate('/api/v1/devices/{id}/enable');
    expect(t.segments).toEqual([
      { kind: 'literal', value: 'api' },
      { kind: 'literal', value: 'v1' },
      { kind: 'literal', value: 'devices' },
      { kind: 'one' },
      { kind: 'literal', value: 'enable' }
    ]);
    expect(t.variables).toEqual([{ fieldPath: ['id'], start: 3, end: 4 }]);
    expect(t.verb).toBeUndefined();
  });

  it('should parse nested field paths, sub-patterns, ** and verbs', () => {
    const t = parsePathTemplate('/v1/{parent.name=shelves/*}/books/{book_id}:archive');
    expect(t.variables).toEqual([
      { fieldPath: ['parent', 'name'], start: 1, end: 3 },
      { fieldPath: ['book_id'], start: 4, end: 5 }
    ]);
    expect(t.verb).toBe('archive');
    const rest = parsePathTemplate('/files/{path=**}');
    expect(rest.segments[1]).toEqual({ kind: 'rest' });
  });

  it('should accept the root template', () => {
    const t = parsePathTemplate('/');
    expect(t.segments).toEqual([]);
    expect(matchPathTemplate(t, '/')).toEqual(new Map());
    expect(matchPathTemplate(t, '/x')).toBeUndefined();
  });

  it.each([
    ['api/v1', "must start with '/'"],
    ['/a/{id', 'unbalanced braces'],
    ['/a/{id}x', 'malformed variable'],
    ['/a/{id}}', 'unbalanced braces'],
    ['/a//b', 'empty segment'],
    ['/a/{1x}', 'bad field path'],
    ['/a/{id}/{id}', 'appears twice'],
    ['/a/**/b', "'**' must be the last segment"],
    ['/a/{x={y}}', 'unbalanced braces'],
    ['/a/b c', "bad literal 'b c'"]
  ])('should reject %s', (source, problem) => {
    expect(() => parsePathTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => parsePathTemplate(source)).toThrow(problem);
  });

  it('should match paths and bind percent-decoded variables', () => {
    const t = parsePathTemplate('/api/v1/devices/{id}/ports');
    expect(matchPathTemplate(t, '/api/v1/devices/abc/ports')).toEqual(new Map([['id', 'abc']]));
    expect(matchPathTemplate(t, '/api/v1/devices/a%20b%2Fc/ports')).toEqual(new Map([['id', 'a b/c']]));
    expect(matchPathTemplate(t, '/api/v1/devices/abc')).toBeUndefined();
    expect(matchPathTemplate(t, '/api/v1/devices//ports')).toBeUndefined();
    expect(matchPathTemplate(t, '/api/v1/devices/abc/ports/x')).toBeUndefined();
    expect(() => matchPathTemplate(t, '/api/v1/devices/%E0%A4%A/ports')).toThrow(PathDecodeError);
  });

  it('should bind multi-segment variables with their slashes', () => {
    const t = parsePathTemplate('/v1/{name=shelves/*/books/*}');
    expect(matchPathTemplate(t, '/v1/shelves/s1/books/b%2F2')).toEqual(
      new Map([['name', 'shelves/s1/books/b%2F2']])
    );
    expect(matchPathTemplate(t, '/v1/shelves/s1/boxes/b2')).toBeUndefined();
    const rest = parsePathTemplate('/files/{path=**}');
    expect(matchPathTemplate(rest, '/files/a/b/c')).toEqual(new Map([['path', 'a/b/c']]));
    expect(matchPathTemplate(rest, '/files')).toEqual(new Map([['path', '']]));
  });

  it('should match verbs', () => {
    const t = parsePathTemplate('/v1/{id}:cancel');
    expect(matchPathTemplate(t, '/v1/op1:cancel')).toEqual(new Map([['id', 'op1']]));
    expect(matchPathTemplate(t, '/v1/op1')).toBeUndefined();
  });

  it('should order literals before variables before **', () => {
    const templates = ['/a/{id}', '/a/**', '/a/special', '/a/{id}:go'].map(parsePathTemplate);
    const sorted = [...templates].sort(compareSpecificity).map((t) => t.source);
    expect(sorted).toEqual(['/a/special', '/a/{id}:go', '/a/{id}', '/a/**']);
  });

  it('should render OpenAPI paths', () => {
    expect(openApiPath(parsePathTemplate('/api/v1/devices/{id}/enable'))).toBe('/api/v1/devices/{id}/enable');
    expect(openApiPath(parsePathTemplate('/v1/{name=shelves/*}:go'))).toBe('/v1/{name}:go');
    expect(openApiPath(parsePathTemplate('/api/v1'))).toBe('/api/v1');
  });
});
