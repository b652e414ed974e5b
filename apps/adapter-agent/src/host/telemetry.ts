import { KAFKA_TOPICS } from '@voltha/kafka-events';
import type { ReliablePublisher } from '@voltha/kafka-events';
import { toJsonWithDefaults } from '@voltha/proto';
import type { AlarmEvent, KpiEvent } from '@voltha/proto';

export interface TelemetryLogger {
  debug(event: string, fields?: Record<string, unknown>): void;
}

/** Where KPIs, alarms and packet-ins of the hosted adapters go. */
export interface TelemetrySink {
  kpis(adapterId: string, kpis: KpiEvent): void;
  alarm(adapterId: string, deviceId: string, alarm: AlarmEvent): void;
  packetIn(adapterId: string, logicalDeviceId: string, logicalPortNo: number, packet: Uint8Array): void;
  readonly counts: { kpis: number; alarms: number; packetIns: number };
}

/** The device a KPI slice is about: the id in its first prefix `voltha.<adapter>.<device>`. */
export function kpiDeviceId(kpis: KpiEvent): string {
  const first = Object.keys(kpis.prefixes)[0] ?? '';
  return first.split('.')[2] ?? '';
}

/**
 * KPIs to `voltha.kpis` and alarms to `voltha.alarms` as JSON (proto field names, defaults included),
 * keyed by device id, through the reliable publisher (retried, in order); or, without Kafka, at debug
 * level in the log. Packet-ins have no consumer in this rebuild (no ofagent): counted and logged.
 */
export class Telemetry implements TelemetrySink {
  public readonly counts = { kpis: 0, alarms: 0, packetIns: 0 };

  public constructor(
    private readonly logger: TelemetryLogger,
    private readonly publisher?: ReliablePublisher
  ) {}

  public kpis(adapterId: string, kpis: KpiEvent): void {
    this.counts.kpis++;
    const json = toJsonWithDefaults(kpis);
    const deviceId = kpiDeviceId(kpis);
    if (this.publisher) {
      this.publisher.publish([{ topic: KAFKA_TOPICS.kpis, key: deviceId, value: JSON.stringify(json) }]);
    } else {
      this.logger.debug('kpis', { adapter: adapterId, deviceId, kpis: json });
    }
  }

  public alarm(adapterId: string, deviceId: string, alarm: AlarmEvent): void {
    this.counts.alarms++;
    const json = toJsonWithDefaults(alarm);
    if (this.publisher) {
      this.publisher.publish([{ topic: KAFKA_TOPICS.alarms, key: deviceId, value: JSON.stringify(json) }]);
    } else {
      this.logger.debug('alarm', { adapter: adapterId, deviceId, alarm: json });
    }
  }

  public packetIn(
    adapterId: string,
    logicalDeviceId: string,
    logicalPortNo: number,
    packet: Uint8Array
  ): void {
    this.counts.packetIns++;
    this.logger.debug('packet-in', {
      adapter: adapterId,
      logicalDeviceId,
      logicalPortNo,
      bytes: packet.length
    });
  }
}
