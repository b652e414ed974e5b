import type { ConfigSchema, Message } from '@voltha/config-tree';

/**
 * The type of the node at a path (a path the tree announced, so it is valid): walks the schema
 * from the root type, field by field; keyed containers consume the next segment as the key.
 */
export function typeAtPath(schema: ConfigSchema, rootType: string, path: string): string {
  const segments = path.split('/').filter(Boolean);
  let type = rootType;
  for (let i = 0; i < segments.length; i++) {
    const field = schema.typeInfo(type).children.find((c) => c.name === segments[i]);
    if (!field) throw new Error(`no child field ${segments[i]} in ${type} (path ${path})`);
    type = field.typeName;
    if (field.repeated) i++;
  }
  return type;
}

/**
 * The path of the child an add/remove event is about: the announcing node is the container's owner
 * ('/' for a device added under /devices), so the child's own path is owner + field + key
 * ('/devices/d1'). Update events are about the announcing node itself. Undefined when the message
 * is not a keyed child of the owner.
 */
export function childPathOf(
  schema: ConfigSchema,
  rootType: string,
  ownerPath: string,
  message: Message
): string | undefined {
  const ownerType = typeAtPath(schema, rootType, ownerPath);
  const field = schema
    .typeInfo(ownerType)
    .children.find((c) => c.repeated && c.key !== undefined && c.typeName === message.$type);
  if (!field?.key) return undefined;
  const key = (message as unknown as Record<string, unknown>)[field.key.localName];
  return `${ownerPath === '/' ? '' : ownerPath}/${field.name}/${String(key)}`;
}
