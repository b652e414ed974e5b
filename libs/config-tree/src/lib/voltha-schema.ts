import {
  accessOption,
  childNodeOption,
  messageTypeRegistry,
  registry,
  toJsonWithDefaults
} from '@voltha/proto';

import { createProtoSchema, TsProtoCodec } from './proto-schema';
import type { ConfigSchema } from './schema';

let shared: ConfigSchema | undefined;

/** The VOLTHA schema: structure from the annotations of the `@voltha/proto` descriptor set (memoised). */
export function volthaSchema(): ConfigSchema {
  shared ??= createProtoSchema({
    registry,
    messageTypeRegistry: messageTypeRegistry as unknown as ReadonlyMap<string, TsProtoCodec>,
    childNodeOption,
    accessOption,
    toJsonWithDefaults: toJsonWithDefaults as (m: unknown) => unknown
  });
  return shared;
}
