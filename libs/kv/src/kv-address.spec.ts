import {
  DEFAULT_CONSUL_ADDRESS,
  DEFAULT_ETCD_ADDRESS,
  parseConsulAddress,
  parseEtcdEndpoints,
  parseHostPort
} from './kv-address';
import { InvalidKvRequestError } from './kv.error';

describe('parseHostPort', () => {
  it('should parse host:port, bare hosts, IPv6 literals and URLs', () => {
    expect(parseHostPort('consul:8600', 8500)).toEqual({ host: 'consul', port: 8600 });
    expect(parseHostPort('consul', 8500)).toEqual({ host: 'consul', port: 8500 });
    expect(parseHostPort('[::1]:2379', 1)).toEqual({ host: '::1', port: 2379 });
    expect(parseHostPort('::1', 2379)).toEqual({ host: '::1', port: 2379 });
    expect(parseHostPort('http://10.0.0.1:2379/', 1)).toEqual({ host: '10.0.0.1', port: 2379 });
  });

  it('should reject empty hosts and bad ports', () => {
    for (const bad of ['', ':80', 'host:0', 'host:70000', 'host:abc', '[::1']) {
      expect(() => parseHostPort(bad, 1)).toThrow(InvalidKvRequestError);
    }
  });
});

describe('VOLTHA address defaults', () => {
  it('should default consul to localhost:8500 and etcd to localhost:2379', () => {
    expect(DEFAULT_CONSUL_ADDRESS).toBe('localhost:8500');
    expect(DEFAULT_ETCD_ADDRESS).toBe('localhost:2379');
    expect(parseConsulAddress()).toEqual({ host: 'localhost', port: 8500 });
    expect(parseEtcdEndpoints()).toEqual(['http://localhost:2379']);
  });

  it('should turn etcd address lists into URLs, keeping explicit schemes', () => {
    expect(parseEtcdEndpoints('a:1, b ,https://c:3')).toEqual(['http://a:1', 'http://b:2379', 'https://c:3']);
    expect(parseEtcdEndpoints('a:1', true)).toEqual(['https://a:1']);
    expect(parseEtcdEndpoints('[::1]:2379')).toEqual(['http://[::1]:2379']);
    expect(() => parseEtcdEndpoints(' , ')).toThrow(InvalidKvRequestError);
  });
});
