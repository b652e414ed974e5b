import type {
  ofpFlowStats,
  ofpGroupEntry,
  ofpInstruction,
  ofpMeterEntry,
  ofpOxmOfbField
} from '@voltha/proto';
import { canonicalMatch, computeFlowId, dropBand, flowStats, meterEntry } from '@voltha/openflow';
import type { FlowSpec } from '@voltha/openflow';

/** The device flow a decomposition should produce: table 0, canonical match order, id recomputed. */
export function deviceFlow(spec: {
  priority?: number;
  cookie?: string | bigint;
  match: ofpOxmOfbField[];
  instructions: ofpInstruction[];
}): ofpFlowStats {
  const f = flowStats({ ...spec, tableId: 0 });
  const match = canonicalMatch(f.match ?? { $type: 'openflow_13.ofp_match', type: 1, oxmFields: [] });
  return { ...f, match, id: computeFlowId({ tableId: 0, priority: f.priority, match }) };
}

export const logicalFlow = (spec: FlowSpec): ofpFlowStats => flowStats(spec);

export function meterMap(...ids: number[]): Map<number, ofpMeterEntry> {
  return new Map(ids.map((id) => [id, meterEntry(id, 1, [dropBand(1000)])]));
}

export const noGroups = new Map<number, ofpGroupEntry>();
