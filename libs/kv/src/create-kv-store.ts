import { ConsulKvStore, type ConsulKvOptions } from './drivers/consul/consul-kv.driver';
import { EmbeddedKvStore, type EmbeddedKvOptions } from './drivers/embedded/embedded-kv.driver';
import { EtcdKvStore, type EtcdKvOptions } from './drivers/etcd/etcd-kv.driver';
import { MemoryKvStore, type MemoryKvOptions } from './drivers/memory/memory-kv.driver';
import { InvalidKvRequestError } from './kv.error';
import type { KvStore } from './kv-store.interface';

/**
 * Options of `createKvStore`: the backend plus that driver's options. `none` (VOLTHA's
 * `--backend none`) is an alias of `memory`.
 */
export type CreateKvStoreOptions =
  | ({ readonly backend: 'memory' | 'none' } & MemoryKvOptions)
  | ({ readonly backend: 'embedded' } & EmbeddedKvOptions)
  | ({ readonly backend: 'etcd' } & EtcdKvOptions)
  | ({ readonly backend: 'consul' } & ConsulKvOptions);

/** Build the driver for `options.backend`. */
export function createKvStore(options: CreateKvStoreOptions): KvStore {
  switch (options.backend) {
    case 'memory':
    case 'none':
      return new MemoryKvStore(options);
    case 'embedded':
      return new EmbeddedKvStore(options);
    case 'etcd':
      return new EtcdKvStore(options);
    case 'consul':
      return new ConsulKvStore(options);
    default: {
      const backend: unknown = (options as { backend?: unknown }).backend;
      throw new InvalidKvRequestError(
        `unknown KV backend ${JSON.stringify(backend)}: expected memory, none, embedded, etcd or consul`
      );
    }
  }
}
