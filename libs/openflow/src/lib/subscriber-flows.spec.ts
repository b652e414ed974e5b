import { computeFlowId } from './flow-id';
import { flowStatsFromFlowMod } from './flow';
import { subscriberFlowMods } from './subscriber-flows';
import { validateFlowMod } from './validation';

describe('subscriberFlowMods', () => {
  it('should give the five valid flow-mods of one subscriber, with distinct identities', () => {
    const mods = subscriberFlowMods({ uni: 101, nni: 65536, cTag: 100, sTag: 7 });
    expect(mods).toHaveLength(5);
    for (const m of mods) expect(() => validateFlowMod(m)).not.toThrow();
    const ids = new Set(mods.map((m) => computeFlowId(flowStatsFromFlowMod(m))));
    expect(ids.size).toBe(5);
    expect(mods.map((m) => m.priority)).toEqual([10000, 10000, 10000, 1000, 1000]);
  });

  it('should carry the S-tag and NNI upstream, the C-tag and UNI downstream, in write-metadata', () => {
    const [, , , up, down] = subscriberFlowMods({ uni: 101, nni: 129, cTag: 100, sTag: 7 });
    const metadataOf = (m: typeof up) => m.instructions.find((i) => i.writeMetadata)?.writeMetadata?.metadata;
    expect(BigInt(metadataOf(up) ?? '0') & 0xffffffffn).toBe(129n);
    expect(BigInt(metadataOf(up) ?? '0') >> 48n).toBe(7n);
    expect(BigInt(metadataOf(down) ?? '0') & 0xffffffffn).toBe(101n);
    expect(BigInt(metadataOf(down) ?? '0') >> 48n).toBe(100n);
  });
});
