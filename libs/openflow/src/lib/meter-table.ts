import { ofpMeterModCommand } from '@voltha/proto';
import type { ofpMeterBandHeader, ofpMeterEntry, ofpMeterMod } from '@voltha/proto';

import { isAllMeters } from './constants';
import { MeterExistsError, UnknownMeterError } from './errors';
import { validateMeterMod } from './validation';

export interface MeterTableDelta {
  readonly added: ofpMeterEntry[];
  readonly removed: ofpMeterEntry[];
  readonly replaced: { readonly before: ofpMeterEntry; readonly after: ofpMeterEntry }[];
}

export const emptyMeterDelta = (): MeterTableDelta => ({ added: [], removed: [], replaced: [] });

export function isEmptyMeterDelta(d: MeterTableDelta): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.replaced.length === 0;
}

export function meterIdOfEntry(entry: ofpMeterEntry): number {
  return entry.config?.meterId ?? entry.stats?.meterId ?? 0;
}

/** A meter entry `{config{flags, meter_id, bands}, stats{meter_id, zero counters}}`. */
export function meterEntry(
  meterId: number,
  flags: number,
  bands: readonly ofpMeterBandHeader[]
): ofpMeterEntry {
  return {
    $type: 'openflow_13.ofp_meter_entry',
    config: { $type: 'openflow_13.ofp_meter_config', flags, meterId, bands: bands.slice() },
    stats: {
      $type: 'openflow_13.ofp_meter_stats',
      meterId,
      flowCount: 0,
      packetInCount: '0',
      byteInCount: '0',
      durationSec: 0,
      durationNsec: 0,
      bandStats: bands.map(() => ({
        $type: 'openflow_13.ofp_meter_band_stats',
        packetBandCount: '0',
        byteBandCount: '0'
      }))
    }
  };
}

/** A DROP band. */
export function dropBand(rate: number, burstSize = 0): ofpMeterBandHeader {
  return {
    $type: 'openflow_13.ofp_meter_band_header',
    type: 1,
    rate,
    burstSize,
    drop: { $type: 'openflow_13.ofp_meter_band_drop' }
  };
}

export function meterMod(
  command: ofpMeterModCommand,
  meterId: number,
  flags = 0,
  bands: readonly ofpMeterBandHeader[] = []
): ofpMeterMod {
  return { $type: 'openflow_13.ofp_meter_mod', command, flags, meterId, bands: bands.slice() };
}

/** The meter table (id → entry, insertion order); plan() is pure. */
export class MeterTable {
  private readonly byId = new Map<number, ofpMeterEntry>();

  public constructor(meters: Iterable<ofpMeterEntry> = []) {
    for (const m of meters) this.byId.set(meterIdOfEntry(m), m);
  }

  public get size(): number {
    return this.byId.size;
  }

  public get(meterId: number): ofpMeterEntry | undefined {
    return this.byId.get(meterId);
  }

  public has(meterId: number): boolean {
    return this.byId.has(meterId);
  }

  public values(): IterableIterator<ofpMeterEntry> {
    return this.byId.values();
  }

  public ids(): IterableIterator<number> {
    return this.byId.keys();
  }

  public toArray(): ofpMeterEntry[] {
    return [...this.byId.values()];
  }

  public clone(): MeterTable {
    return new MeterTable(this.byId.values());
  }

  /**
   * OFPMC_ADD (exists → MeterExistsError), OFPMC_MODIFY (absent → UnknownMeterError; counters
   * kept), OFPMC_DELETE (an id or OFPM_ALL; an absent id is not an error).
   */
  public plan(mod: ofpMeterMod): MeterTableDelta {
    validateMeterMod(mod);
    switch (mod.command) {
      case ofpMeterModCommand.OFPMC_ADD:
        if (this.byId.has(mod.meterId)) throw new MeterExistsError(mod.meterId);
        return { ...emptyMeterDelta(), added: [meterEntry(mod.meterId, mod.flags, mod.bands)] };
      case ofpMeterModCommand.OFPMC_MODIFY: {
        const before = this.byId.get(mod.meterId);
        if (before === undefined) throw new UnknownMeterError(mod.meterId);
        const fresh = meterEntry(mod.meterId, mod.flags, mod.bands);
        const after: ofpMeterEntry =
          before.stats === undefined
            ? fresh
            : { ...fresh, stats: { ...before.stats, bandStats: fresh.stats?.bandStats ?? [] } };
        return { ...emptyMeterDelta(), replaced: [{ before, after }] };
      }
      default: {
        if (isAllMeters(mod.meterId)) return { ...emptyMeterDelta(), removed: this.toArray() };
        const m = this.byId.get(mod.meterId);
        return { ...emptyMeterDelta(), removed: m === undefined ? [] : [m] };
      }
    }
  }

  public commit(delta: MeterTableDelta): void {
    for (const m of delta.removed) this.byId.delete(meterIdOfEntry(m));
    for (const { before, after } of delta.replaced) {
      if (meterIdOfEntry(before) !== meterIdOfEntry(after)) this.byId.delete(meterIdOfEntry(before));
      this.byId.set(meterIdOfEntry(after), after);
    }
    for (const m of delta.added) this.byId.set(meterIdOfEntry(m), m);
  }
}
