import type { Message } from './schema';

/** Topic name of config change events in VOLTHA 1.x (`model-change-events`). */
export const MODEL_CHANGE_EVENTS_TOPIC = 'model-change-events';

/**
 * One committed change. Every committed add/remove/update emits exactly one event (never for a no-op,
 * never for a write inside an open transaction; a commit emits one event per merged change, all with the
 * commit's `seq`). Events are delivered in commit order, after the store committed the change and before
 * the POST callbacks of that change run. Subscribers share the event object and must not mutate it.
 */
export interface ConfigChangeEvent {
  readonly type: 'add' | 'remove' | 'update';
  /** New revision hash of the announcing node (the updated node, or the container's owner for add/remove). */
  readonly hash: string;
  /**
   * JSON text of the data (1.x style: default values included, proto field names): the added message (with
   * its children), the removed child's node-local data, or the updated node's new node-local data.
   */
  readonly data: string;
  /** The same data as a typed message (a copy). */
  readonly message: Readonly<Message>;
  /** Full type name of `message`. */
  readonly typeName: string;
  /** Full path of the announcing node, e.g. `/logical_devices/ld1` for a port added under it. */
  readonly path: string;
  /** Root revision hash after the change. */
  readonly rootHash: string;
  /** Commit sequence number of the root (monotonic, persisted). */
  readonly seq: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export type ConfigChangeListener = (event: ConfigChangeEvent) => unknown;
