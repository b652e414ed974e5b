import { getOption, hasOption } from '@bufbuild/protobuf';
import type {
  DescExtension,
  DescField,
  DescMessage,
  DescMethod,
  DescService,
  Registry
} from '@bufbuild/protobuf';

import { compareSpecificity, matchPathTemplate, parsePathTemplate } from './path-template';
import type { PathParams, PathTemplate } from './path-template';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One HTTP binding of an RPC. */
export interface GatewayRoute {
  httpMethod: HttpMethod;
  template: PathTemplate;
  rpc: DescMethod;
  /** gRPC method path, '/voltha.VolthaService/GetDevice'. */
  grpcPath: string;
  /** '' (no body), '*' (the whole request message) or the name of a request field. */
  body: string;
  /** '' (the whole response message) or the name of a response field. */
  responseBody: string;
  /** Server-streaming RPC: served as Server-Sent Events. */
  streaming: boolean;
  /** 'annotation': from google.api.http; 'gateway': a binding this gateway adds (see GATEWAY_BINDINGS). */
  source: 'annotation' | 'gateway';
  /** Unique id of the operation in OpenAPI: the RPC name, suffixed for additional bindings. */
  operationId: string;
}

/** An RPC the table does not serve, and why (logged at start, listed in the docs). */
export interface SkippedRpc {
  rpc: string;
  reason: string;
}

/** Result of a route lookup. */
export type RouteMatch =
  | { kind: 'found'; route: GatewayRoute; params: PathParams }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] }
  | { kind: 'not-found' };

/** A binding the gateway adds for an RPC that has no annotation (the protos stay untouched). */
export interface ExtraBinding {
  /** Full RPC name, 'voltha.VolthaService.ReceiveChangeEvents'. */
  rpc: string;
  method: HttpMethod;
  path: string;
}

/**
 * ReceiveChangeEvents has no google.api.http annotation (it streams); the gateway serves it as
 * Server-Sent Events at GET /api/v1/events.
 */
export const GATEWAY_BINDINGS: readonly ExtraBinding[] = [
  { rpc: 'voltha.VolthaService.ReceiveChangeEvents', method: 'GET', path: '/api/v1/events' }
];

export class RouteTableError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RouteTableError';
  }
}

/** The decoded google.api.HttpRule of a method (the fields the gateway uses). */
interface HttpRule {
  pattern: { case: string | undefined; value?: unknown };
  body: string;
  responseBody: string;
  additionalBindings: HttpRule[];
}

export class RouteTable {
  public constructor(
    public readonly routes: readonly GatewayRoute[],
    public readonly skipped: readonly SkippedRpc[]
  ) {}

  /**
   * Finds the route of a request. A path that matches some template but under another HTTP method
   * gives 'method-not-allowed' with the methods that would match.
   */
  public match(method: string, path: string): RouteMatch {
    const allow = new Set<HttpMethod>();
    // routes are kept sorted by specificity, so the first match for the method wins
    for (const route of this.routes) {
      const params = matchPathTemplate(route.template, path);
      if (!params) continue;
      if (route.httpMethod === method) return { kind: 'found', route, params };
      allow.add(route.httpMethod);
    }
    if (allow.size) return { kind: 'method-not-allowed', allow: HTTP_METHODS.filter((m) => allow.has(m)) };
    return { kind: 'not-found' };
  }
}

/**
 * Builds the route table of the given services from the `google.api.http` method options in the
 * descriptors (the extension is looked up in `registry`). Unannotated, client-streaming and
 * bidirectional RPCs are skipped; server-streaming RPCs become SSE routes. Extra bindings add
 * routes for unannotated RPCs. Bad annotations (unknown body field, variable naming no scalar
 * field, clashing routes) throw RouteTableError: the gateway must not start half-configured.
 */
export function buildRouteTable(
  registry: Registry,
  serviceNames: readonly string[],
  extra: readonly ExtraBinding[] = GATEWAY_BINDINGS
): RouteTable {
  const httpExt = registry.getExtension('google.api.http');
  if (!httpExt) throw new RouteTableError('google.api.http is missing from the descriptors');
  const routes: GatewayRoute[] = [];
  const skipped: SkippedRpc[] = [];
  const services = serviceNames.map((name) => {
    const s = registry.getService(name);
    if (!s) throw new RouteTableError(`unknown service ${name}`);
    return s;
  });
  for (const service of services) {
    for (const rpc of service.methods) {
      const fullName = `${service.typeName}.${rpc.name}`;
      const extraBindings = extra.filter((b) => b.rpc === fullName);
      const rules = ruleOf(rpc, httpExt);
      if (!rules && extraBindings.length === 0) {
        skipped.push({ rpc: fullName, reason: 'no google.api.http annotation' });
        continue;
      }
      if (rpc.methodKind === 'client_streaming' || rpc.methodKind === 'bidi_streaming') {
        skipped.push({ rpc: fullName, reason: `${rpc.methodKind.replace('_', '-')} RPCs have no HTTP form` });
        continue;
      }
      const bindings: Array<{ method: HttpMethod; path: string; body: string; responseBody: string }> = [];
      if (rules) {
        for (const rule of [rules, ...rules.additionalBindings]) bindings.push(bindingOf(fullName, rule));
      }
      for (const b of extraBindings)
        bindings.push({ method: b.method, path: b.path, body: '', responseBody: '' });
      bindings.forEach((b, i) => {
        routes.push(
          makeRoute(service, rpc, b, {
            source: rules && i <= rules.additionalBindings.length ? 'annotation' : 'gateway',
            operationId: i === 0 ? rpc.name : `${rpc.name}_${i + 1}`
          })
        );
      });
    }
  }
  for (const b of extra) {
    if (!routes.some((r) => `${r.rpc.parent.typeName}.${r.rpc.name}` === b.rpc)) {
      throw new RouteTableError(`gateway binding for unknown RPC ${b.rpc}`);
    }
  }
  checkClashes(routes);
  routes.sort((a, b) => compareSpecificity(a.template, b.template));
  return new RouteTable(routes, skipped);
}

function ruleOf(rpc: DescMethod, httpExt: DescExtension): HttpRule | undefined {
  if (!hasOption(rpc, httpExt)) return undefined;
  return getOption(rpc, httpExt) as unknown as HttpRule;
}

function bindingOf(
  rpc: string,
  rule: HttpRule
): { method: HttpMethod; path: string; body: string; responseBody: string } {
  const { pattern } = rule;
  let method: string;
  let path: string;
  if (pattern.case === 'custom') {
    const custom = pattern.value as { kind: string; path: string };
    method = custom.kind.toUpperCase();
    path = custom.path;
  } else if (pattern.case) {
    method = pattern.case.toUpperCase();
    path = String(pattern.value);
  } else {
    throw new RouteTableError(`${rpc}: google.api.http rule without a pattern`);
  }
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    throw new RouteTableError(`${rpc}: HTTP method ${method} is not supported`);
  }
  return { method: method as HttpMethod, path, body: rule.body, responseBody: rule.responseBody };
}

function makeRoute(
  service: DescService,
  rpc: DescMethod,
  b: { method: HttpMethod; path: string; body: string; responseBody: string },
  meta: { source: GatewayRoute['source']; operationId: string }
): GatewayRoute {
  const where = `${service.typeName}.${rpc.name} (${b.method} ${b.path})`;
  let template: PathTemplate;
  try {
    template = parsePathTemplate(b.path);
  } catch (e) {
    throw new RouteTableError(`${where}: ${(e as Error).message}`);
  }
  for (const v of template.variables) {
    const field = resolveFieldPath(rpc.input, v.fieldPath);
    if (!field)
      throw new RouteTableError(`${where}: no field '${v.fieldPath.join('.')}' in ${rpc.input.typeName}`);
    if (!isSingularScalar(field)) {
      throw new RouteTableError(
        `${where}: path variable '${v.fieldPath.join('.')}' is not a singular scalar`
      );
    }
  }
  if (b.body !== '' && b.body !== '*') {
    const field = rpc.input.fields.find((f) => f.name === b.body);
    if (!field) throw new RouteTableError(`${where}: body field '${b.body}' not in ${rpc.input.typeName}`);
    if (template.variables.some((v) => v.fieldPath[0] === b.body)) {
      throw new RouteTableError(`${where}: body field '${b.body}' is also bound by the path`);
    }
  }
  if (b.responseBody !== '' && !rpc.output.fields.some((f) => f.name === b.responseBody)) {
    throw new RouteTableError(
      `${where}: response_body field '${b.responseBody}' not in ${rpc.output.typeName}`
    );
  }
  const streaming = rpc.methodKind === 'server_streaming';
  if (streaming && b.method !== 'GET')
    throw new RouteTableError(`${where}: streaming RPCs are served by GET only`);
  return {
    httpMethod: b.method,
    template,
    rpc,
    grpcPath: `/${service.typeName}/${rpc.name}`,
    body: b.body,
    responseBody: b.responseBody,
    streaming,
    source: meta.source,
    operationId: meta.operationId
  };
}

/** The field a dotted path names, walking singular message fields; proto names only. */
export function resolveFieldPath(message: DescMessage, path: readonly string[]): DescField | undefined {
  let current: DescMessage | undefined = message;
  let field: DescField | undefined;
  for (const name of path) {
    if (!current) return undefined;
    field = current.fields.find((f) => f.name === name);
    if (!field) return undefined;
    current = field.fieldKind === 'message' ? field.message : undefined;
  }
  return field;
}

function isSingularScalar(field: DescField): boolean {
  return field.fieldKind === 'scalar' || field.fieldKind === 'enum';
}

function checkClashes(routes: GatewayRoute[]): void {
  const seen = new Map<string, GatewayRoute>();
  for (const r of routes) {
    // variables are interchangeable: '/a/{id}' and '/a/{name}' are the same route
    const shape =
      r.httpMethod +
      ' ' +
      r.template.segments
        .map((s) => (s.kind === 'literal' ? s.value : s.kind === 'one' ? '*' : '**'))
        .join('/') +
      (r.template.verb !== undefined ? `:${r.template.verb}` : '');
    const other = seen.get(shape);
    if (other) {
      throw new RouteTableError(
        `${r.httpMethod} ${r.template.source} of ${r.rpc.name} clashes with ${other.template.source} of ${other.rpc.name}`
      );
    }
    seen.set(shape, r);
  }
}
