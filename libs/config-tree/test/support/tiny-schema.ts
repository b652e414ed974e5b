import { ConfigSchema, deepClone, JsonObject, Message, TypeInfo } from '../../src';

export const note = (text: string): Message => ({ $type: 'tiny.Note', text }) as Message;

/**
 * A tiny synthetic schema (JSON encoding) with an unkeyed repeated child field, which the VOLTHA schema does
 * not have: containers without keys can be listed but not indexed.
 */
export function tinySchema(): ConfigSchema {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const make = (
    typeName: string,
    children: TypeInfo['children'],
    defaults: Record<string, unknown>
  ): TypeInfo => {
    const normalize = (m: Message): Message =>
      ({ ...deepClone(defaults), ...deepClone(m), $type: typeName }) as Message;
    const encode = (m: Message): Uint8Array =>
      encoder.encode(JSON.stringify(Object.entries(m as unknown as Record<string, unknown>).sort()));
    return {
      typeName,
      children,
      readOnlyFields: [],
      create: () => normalize({ $type: typeName }),
      normalize,
      encode,
      decode: (b) => Object.fromEntries(JSON.parse(decoder.decode(b))) as Message,
      clone: (m) => deepClone(m),
      equals: (a, b) => JSON.stringify(encode(a)) === JSON.stringify(encode(b)),
      toJson: (m) => deepClone(m) as unknown as JsonObject
    };
  };
  const types: Record<string, TypeInfo> = {
    'tiny.Root': make(
      'tiny.Root',
      [{ name: 'notes', localName: 'notes', typeName: 'tiny.Note', repeated: true }],
      {
        name: '',
        notes: []
      }
    ),
    'tiny.Note': make('tiny.Note', [], { text: '' })
  };
  return { typeInfo: (t) => types[t] };
}
