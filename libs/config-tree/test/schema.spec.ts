import { create, createFileRegistry, setExtension } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema
} from '@bufbuild/protobuf/wkt';
import { accessOption, childNodeOption, registry, toJsonWithDefaults } from '@voltha/proto';

import { ConfigRoot, createProtoSchema, Message, volthaSchema } from '../src';
import { expectKind } from './support/fixtures';
import { note, tinySchema } from './support/tiny-schema';

describe('schema from the voltha annotations', () => {
  const schema = volthaSchema();

  it('derives child nodes (sorted by name), keys and READ_ONLY fields at run time', () => {
    const root = schema.typeInfo('voltha.VolthaInstance');
    expect(root.children.map((f) => [f.name, f.repeated, f.key?.name ?? null])).toEqual([
      ['adapters', true, 'id'],
      ['alarm_filters', true, 'id'],
      ['device_groups', true, 'id'],
      ['device_types', true, 'id'],
      ['devices', true, 'id'],
      ['health', false, null],
      ['logical_devices', true, 'id']
    ]);
    expect(root.readOnlyFields.map((f) => f.name)).toEqual(['instance_id', 'version']);
    const device = schema.typeInfo('voltha.Device');
    const ports = device.children.find((f) => f.name === 'ports');
    expect(ports?.key).toEqual({ name: 'port_no', localName: 'portNo', kind: 'int' });
    expect(device.children.find((f) => f.name === 'image_downloads')?.key?.name).toBe('name');
    expect(device.children.filter((f) => !f.repeated).map((f) => f.name)).toEqual([
      'flow_groups',
      'flows',
      'pm_configs'
    ]);
    const ld = schema.typeInfo('voltha.LogicalDevice');
    expect(ld.children.map((f) => f.name)).toEqual(['flow_groups', 'flows', 'meters', 'ports']);
    expect(schema.typeInfo('voltha.Adapter').children).toEqual([]);
    expect(schema.typeInfo('voltha.Adapter').readOnlyFields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['id', 'vendor', 'version'])
    );
    expect(schema.typeInfo('voltha.HealthStatus').readOnlyFields.map((f) => f.name)).toEqual(['state']);
    expect(schema.typeInfo('voltha.Adapter')).toBe(schema.typeInfo('voltha.Adapter'));
    expect(() => schema.typeInfo('voltha.Nope')).toThrow(expect.objectContaining({ kind: 'KeyError' }));
  });

  it('rejects unsupported key types with NotImplementedError when a type is first inspected', () => {
    const childNode = childNodeOption;
    if (childNode.fieldKind !== 'message') throw new Error('child_node must be a message option');
    const options = create(FieldOptionsSchema);
    setExtension(options, childNode, create(childNode.message, { key: 'flag' }) as never);
    const file = create(FileDescriptorProtoSchema, {
      name: 'synthetic.proto',
      package: 'synthetic',
      syntax: 'proto3',
      dependency: ['voltha_protos/meta.proto'],
      messageType: [
        {
          name: 'Child',
          field: [
            {
              name: 'flag',
              number: 1,
              type: FieldDescriptorProto_Type.BOOL,
              label: FieldDescriptorProto_Label.OPTIONAL
            }
          ]
        },
        {
          name: 'Parent',
          field: [
            {
              name: 'kids',
              number: 1,
              type: FieldDescriptorProto_Type.MESSAGE,
              typeName: '.synthetic.Child',
              label: FieldDescriptorProto_Label.REPEATED,
              options
            }
          ]
        }
      ]
    });
    const synthetic = createFileRegistry(file, (name) => registry.getFile(name));
    const codec = {
      encode: () => ({ finish: () => new Uint8Array() }),
      decode: () => ({}),
      fromPartial: () => ({})
    };
    const s = createProtoSchema({
      registry: synthetic,
      messageTypeRegistry: new Map([
        ['synthetic.Parent', codec],
        ['synthetic.Child', codec]
      ]),
      childNodeOption,
      accessOption,
      toJsonWithDefaults
    });
    expect(() => s.typeInfo('synthetic.Parent')).toThrow(
      expect.objectContaining({
        kind: 'NotImplementedError',
        code: 'UNIMPLEMENTED',
        message: expect.stringContaining('unsupported key type')
      })
    );
  });
});

describe('a synthetic schema with an unkeyed container', () => {
  it('lists an unkeyed container; indexing it is LookupError on read and ValueError on write', async () => {
    const root = await ConfigRoot.create(
      { $type: 'tiny.Root', name: 'r', notes: [note('a'), note('b')] } as Message,
      {
        schema: tinySchema()
      }
    );
    expect(await root.get('/notes')).toEqual([note('a'), note('b')]);
    await expectKind(root.get('/notes/0'), 'LookupError');
    await expectKind(root.update('/notes/0', note('x')), 'ValueError');
    await expectKind(root.add('/notes', note('c')), 'ValueError');
    expect(await root.get('/', { deep: true })).toEqual({
      $type: 'tiny.Root',
      name: 'r',
      notes: [note('a'), note('b')]
    });
    // the list is kept across updates of its owner
    await root.update('/', { $type: 'tiny.Root', name: 'r2' } as Message);
    expect(await root.get('/notes')).toEqual([note('a'), note('b')]);
  });
});
