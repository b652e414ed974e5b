import { InvalidKvRequestError } from './kv.error';
import { assertValidKey, coreStorePrefix, normalizePrefix } from './kv-prefix';

describe('coreStorePrefix', () => {
  it("should build VOLTHA's per-core prefix", () => {
    expect(coreStorePrefix('0001')).toBe('service/voltha/data/core/0001');
    expect(coreStorePrefix()).toBe('service/voltha/data/core/0001');
    expect(coreStorePrefix('7', '/other/root/')).toBe('other/root/data/core/7');
  });

  it('should reject store ids that are not one path segment', () => {
    expect(() => coreStorePrefix('')).toThrow(InvalidKvRequestError);
    expect(() => coreStorePrefix('a/b')).toThrow(InvalidKvRequestError);
  });
});

describe('normalizePrefix and assertValidKey', () => {
  it('should strip slashes and validate keys', () => {
    expect(normalizePrefix('/a/b/')).toBe('a/b');
    expect(normalizePrefix('')).toBe('');
    expect(() => assertValidKey('root')).not.toThrow();
    expect(() => assertValidKey('')).toThrow(InvalidKvRequestError);
    expect(() => assertValidKey('/root')).toThrow(InvalidKvRequestError);
    expect(() => assertValidKey(42)).toThrow(InvalidKvRequestError);
  });
});
