import { InvalidKvRequestError } from './kv.error';

/** VOLTHA's default Consul agent address (`--consul`). */
export const DEFAULT_CONSUL_ADDRESS = 'localhost:8500';
/** VOLTHA's default etcd address (`--etcd`). */
export const DEFAULT_ETCD_ADDRESS = 'localhost:2379';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parse `host:port`, `host`, `[v6]:port` or `scheme://host:port` (scheme ignored here).
 * A missing port takes `defaultPort`.
 */
export function parseHostPort(text: string, defaultPort: number): HostPort {
  let rest = text
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '');
  if (rest === '') {
    throw new InvalidKvRequestError(`address must be host:port, got "${text}"`);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end === -1) {
      throw new InvalidKvRequestError(`address has an unterminated IPv6 literal: "${text}"`);
    }
    host = rest.slice(1, end);
    rest = rest.slice(end + 1);
    portText = rest.startsWith(':') ? rest.slice(1) : rest === '' ? undefined : rest;
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon !== -1 && rest.indexOf(':') !== colon) {
      // Bare IPv6 without brackets: no port.
      host = rest;
    } else if (colon === -1) {
      host = rest;
    } else {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  const port = portText === undefined || portText === '' ? defaultPort : Number(portText);
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidKvRequestError(`address must be host:port, got "${text}"`);
  }
  return { host, port };
}

/** Consul address (`--consul`, default `localhost:8500`). */
export function parseConsulAddress(text: string = DEFAULT_CONSUL_ADDRESS): HostPort {
  return parseHostPort(text, 8500);
}

/**
 * etcd endpoints (`--etcd`, default `localhost:2379`): comma-separated `host:port` or URLs, returned
 * as URLs (`http://` unless `https` is asked for or an endpoint carries its own scheme).
 */
export function parseEtcdEndpoints(text: string = DEFAULT_ETCD_ADDRESS, secure = false): string[] {
  const endpoints = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (endpoints.length === 0) {
    throw new InvalidKvRequestError(`etcd address must be host:port[,host:port...], got "${text}"`);
  }
  return endpoints.map((endpoint) => {
    const scheme = /^(https?):\/\//i.exec(endpoint)?.[1]?.toLowerCase() ?? (secure ? 'https' : 'http');
    const { host, port } = parseHostPort(endpoint, 2379);
    return `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  });
}
