import { create, createFileRegistry, setExtension } from '@bufbuild/protobuf';
import type { FileRegistry, MessageInitShape } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  MethodOptionsSchema
} from '@bufbuild/protobuf/wkt';
import type { DescriptorProto, DescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { registry } from '@voltha/proto';

/** A google.api.HttpRule as plain data (pattern as one of get/post/put/delete/patch/custom). */
export interface RuleInit {
  get?: string;
  post?: string;
  put?: string;
  delete?: string;
  patch?: string;
  custom?: { kind: string; path: string };
  body?: string;
  responseBody?: string;
  additionalBindings?: RuleInit[];
}

export interface SyntheticMethod {
  name: string;
  input: string;
  output: string;
  serverStreaming?: boolean;
  clientStreaming?: boolean;
  http?: RuleInit;
}

const {
  STRING: TYPE_STRING,
  BOOL: TYPE_BOOL,
  ENUM: TYPE_ENUM,
  UINT64: TYPE_UINT64,
  INT32: TYPE_INT32,
  MESSAGE: TYPE_MESSAGE
} = FieldDescriptorProto_Type;
const { OPTIONAL, REPEATED } = FieldDescriptorProto_Label;

/**
 * Messages of the synthetic file (package `test`): Query has one field of each kind the gateway maps
 * from paths and query strings; Inner is a nested message.
 */
const MESSAGES: Array<MessageInitShape<typeof DescriptorProtoSchema>> = [
  {
    name: 'Query',
    field: [
      { name: 'id', number: 1, type: TYPE_STRING, label: OPTIONAL, jsonName: 'id' },
      { name: 'flag', number: 2, type: TYPE_BOOL, label: OPTIONAL, jsonName: 'flag' },
      {
        name: 'admin_state',
        number: 3,
        type: TYPE_ENUM,
        typeName: '.voltha.AdminState.AdminState',
        label: OPTIONAL,
        jsonName: 'adminState'
      },
      { name: 'big_count', number: 4, type: TYPE_UINT64, label: OPTIONAL, jsonName: 'bigCount' },
      { name: 'tags', number: 5, type: TYPE_STRING, label: REPEATED, jsonName: 'tags' },
      {
        name: 'inner',
        number: 6,
        type: TYPE_MESSAGE,
        typeName: '.test.Inner',
        label: OPTIONAL,
        jsonName: 'inner'
      },
      { name: 'limit', number: 7, type: TYPE_INT32, label: OPTIONAL, jsonName: 'limit' },
      {
        name: 'items',
        number: 8,
        type: TYPE_MESSAGE,
        typeName: '.test.Inner',
        label: REPEATED,
        jsonName: 'items'
      }
    ]
  },
  {
    name: 'Inner',
    field: [
      { name: 'name', number: 1, type: TYPE_STRING, label: OPTIONAL, jsonName: 'name' },
      { name: 'level', number: 2, type: TYPE_INT32, label: OPTIONAL, jsonName: 'level' }
    ]
  }
];

/**
 * A registry with one synthetic service `test.TestService` whose methods carry the given
 * google.api.http rules, next to every type of the real descriptor set. Lets the route-table and
 * mapping tests exercise annotations the real protos do not use (additional bindings, custom verbs,
 * body fields, response_body, bad rules).
 */
export function syntheticRegistry(
  methods: SyntheticMethod[],
  extraMessages: DescriptorProto[] = []
): FileRegistry {
  const httpExt = registry.getExtension('google.api.http')!;
  const ruleSchema = registry.getMessage('google.api.HttpRule')!;
  const toRule = (r: RuleInit): unknown => {
    const pattern = r.custom
      ? { case: 'custom', value: create(registry.getMessage('google.api.CustomHttpPattern')!, r.custom) }
      : (['get', 'post', 'put', 'delete', 'patch'] as const)
          .filter((k) => r[k] !== undefined)
          .map((k) => ({ case: k, value: r[k] }))[0];
    return create(ruleSchema, {
      pattern,
      body: r.body ?? '',
      responseBody: r.responseBody ?? '',
      additionalBindings: (r.additionalBindings ?? []).map(toRule)
    } as never);
  };
  const file = create(FileDescriptorProtoSchema, {
    name: 'test/synthetic.proto',
    package: 'test',
    syntax: 'proto3',
    dependency: ['google/api/annotations.proto', 'google/protobuf/empty.proto', 'voltha_protos/common.proto'],
    messageType: [...MESSAGES, ...extraMessages],
    service: [
      {
        name: 'TestService',
        method: methods.map((m) => {
          const options = create(MethodOptionsSchema);
          if (m.http) setExtension(options, httpExt, toRule(m.http) as never);
          return {
            name: m.name,
            inputType: '.' + m.input,
            outputType: '.' + m.output,
            serverStreaming: m.serverStreaming ?? false,
            clientStreaming: m.clientStreaming ?? false,
            options
          };
        })
      }
    ]
  });
  const own = createFileRegistry(file, (name) => registry.getFile(name));
  return createFileRegistry(registry, own);
}
