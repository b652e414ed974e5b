import { createHash } from 'node:crypto';

import type { ofpMatch, ofpOxmField, ofpOxmOfbField } from '@voltha/proto';

import { OFB_FIELD_SPECS, ofbFieldSpec, sortedOxmFields } from './match';
import type { OfbFieldSpec, OfbRawValue } from './match';
import { parseU64 } from './uint64';

/** What identifies a flow entry (OpenFlow 1.3: table, priority and match). */
export interface FlowIdentity {
  readonly tableId: number;
  readonly priority: number;
  readonly match: ofpMatch | undefined;
}

function rawSize(s: OfbFieldSpec, raw: OfbRawValue | undefined): number {
  if (raw === undefined) return 0;
  if (s.kind === 'u32') return 4;
  if (s.kind === 'u64') return 8;
  return (raw as Buffer).length;
}

function writeRaw(buf: Buffer, off: number, s: OfbFieldSpec, raw: OfbRawValue | undefined): number {
  if (raw === undefined) return off;
  if (s.kind === 'u32') return buf.writeUInt32BE((raw as number) >>> 0, off);
  if (s.kind === 'u64') return buf.writeBigUInt64BE(parseU64(raw as string), off);
  const b = raw as Buffer;
  buf.set(b, off);
  return off + b.length;
}

/** The spec whose value member is set: the declared type's member, else the first member set. */
function valueOf(field: ofpOxmOfbField): [OfbFieldSpec, OfbRawValue] | undefined {
  const declared = ofbFieldSpec(field.type);
  if (declared !== undefined) {
    const v = field[declared.key] as OfbRawValue | undefined;
    if (v !== undefined) return [declared, v];
  }
  for (const s of OFB_FIELD_SPECS) {
    const v = field[s.key] as OfbRawValue | undefined;
    if (v !== undefined) return [s, v];
  }
  return undefined;
}

function maskOf(field: ofpOxmOfbField): [OfbFieldSpec, OfbRawValue] | undefined {
  const declared = ofbFieldSpec(field.type);
  if (declared?.maskKey !== undefined) {
    const m = field[declared.maskKey] as OfbRawValue | undefined;
    if (m !== undefined) return [declared, m];
  }
  for (const s of OFB_FIELD_SPECS) {
    if (s.maskKey === undefined) continue;
    const m = field[s.maskKey] as OfbRawValue | undefined;
    if (m !== undefined) return [s, m];
  }
  return undefined;
}

/**
 * The big-endian byte string that the flow id hashes (VOLTHA 2.x recipe, flow-decomposer.md §2.2):
 * `u32 table_id, u32 priority, u32 match.type`, then for every OXM field in (class, type) order
 * `u32 oxm_class` and either `u32 type, value, u8 has_mask[, mask]` (basic fields; u32 values for
 * ≤32-bit fields, u64 for METADATA/TUNNEL_ID, raw bytes for MAC/IPv6) or `u32 experimenter,
 * u32 oxm_header` (experimenter fields).
 */
export function flowIdentityBytes(identity: FlowIdentity): Buffer {
  const fields: ofpOxmField[] = identity.match === undefined ? [] : sortedOxmFields(identity.match.oxmFields);
  let size = 12;
  const parts: ([OfbFieldSpec, OfbRawValue] | undefined)[][] = [];
  for (const f of fields) {
    size += 4;
    if (f.ofbField !== undefined) {
      const v = valueOf(f.ofbField);
      const m = f.ofbField.hasMask ? maskOf(f.ofbField) : undefined;
      parts.push([v, m]);
      size +=
        4 + (v === undefined ? 0 : rawSize(v[0], v[1])) + 1 + (m === undefined ? 0 : rawSize(m[0], m[1]));
    } else {
      parts.push([]);
      if (f.experimenterField !== undefined) size += 8;
    }
  }
  const buf = Buffer.allocUnsafe(size);
  let off = buf.writeUInt32BE(identity.tableId >>> 0, 0);
  off = buf.writeUInt32BE(identity.priority >>> 0, off);
  off = buf.writeUInt32BE((identity.match?.type ?? 0) >>> 0, off);
  fields.forEach((f, i) => {
    off = buf.writeUInt32BE(f.oxmClass >>> 0, off);
    if (f.ofbField !== undefined) {
      const [v, m] = parts[i];
      off = buf.writeUInt32BE(f.ofbField.type >>> 0, off);
      if (v !== undefined) off = writeRaw(buf, off, v[0], v[1]);
      off = buf.writeUInt8(f.ofbField.hasMask ? 1 : 0, off);
      if (m !== undefined) off = writeRaw(buf, off, m[0], m[1]);
    } else if (f.experimenterField !== undefined) {
      off = buf.writeUInt32BE(f.experimenterField.experimenter >>> 0, off);
      off = buf.writeUInt32BE(f.experimenterField.oxmHeader >>> 0, off);
    }
  });
  return off === size ? buf : buf.subarray(0, off);
}

/**
 * The flow id: the first 8 bytes of md5(flowIdentityBytes), read big-endian, as an unsigned 64-bit
 * decimal string. Cookie, flags and instructions are not part of the identity.
 */
export function computeFlowId(identity: FlowIdentity): string {
  const digest = createHash('md5').update(flowIdentityBytes(identity)).digest();
  return digest.readBigUInt64BE(0).toString();
}
