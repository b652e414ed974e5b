import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

import type { ProbeRegistry, ProbeStatus } from '@voltha/nest-common';

/** Prometheus metrics and probe statuses of flow-decomposer (served on /metrics, /readyz). */
export class DecomposerMetrics {
  public readonly eventsProcessed: Counter;
  public readonly batchesWritten: Counter;
  public readonly writes: Counter<'op'>;
  public readonly writeFailures: Counter;
  public readonly writeSeconds: Histogram;
  public readonly reconciles: Counter;
  public readonly flowFailures: Counter<'reason'>;
  public readonly flowRecoveries: Counter;
  public readonly lagSeconds: Gauge;

  public constructor(
    registry: Registry,
    private readonly probes: ProbeRegistry,
    gauges: {
      failedFlows(): number;
      logicalFlows(): number;
      deviceFlows(): number;
      lastSeq(): number;
      staleEvents(): number;
      echoes(): number;
    }
  ) {
    const registers = [registry];
    this.eventsProcessed = new Counter({
      name: 'flow_decomposer_events_processed_total',
      help: 'Change events applied (echoes of our own writes excluded)',
      registers
    });
    this.batchesWritten = new Counter({
      name: 'flow_decomposer_batches_written_total',
      help: 'Transactions written to core-config (one per batch or reconcile with changes)',
      registers
    });
    this.writes = new Counter({
      name: 'flow_decomposer_device_writes_total',
      help: 'Device table writes by kind (add, update, remove of a device flow; groups: a group table)',
      labelNames: ['op'],
      registers
    });
    this.writeFailures = new Counter({
      name: 'flow_decomposer_write_failures_total',
      help: 'Failed write transactions (retried after re-reading the device tables)',
      registers
    });
    this.writeSeconds = new Histogram({
      name: 'flow_decomposer_write_seconds',
      help: 'Time to write one batch transaction',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers
    });
    this.reconciles = new Counter({
      name: 'flow_decomposer_reconciles_total',
      help: 'Full recomputations from a fresh read (start, gap, request, failed write)',
      registers
    });
    this.flowFailures = new Counter({
      name: 'flow_decomposer_flow_failures_total',
      help: 'Logical flows that became impossible to decompose, by reason',
      labelNames: ['reason'],
      registers
    });
    this.flowRecoveries = new Counter({
      name: 'flow_decomposer_flow_recoveries_total',
      help: 'Failed logical flows that decompose again',
      registers
    });
    this.lagSeconds = new Gauge({
      name: 'flow_decomposer_event_lag_seconds',
      help: 'Age of the last applied change event when it was applied',
      registers
    });
    new Counter({
      name: 'flow_decomposer_stale_events_total',
      help: 'Change events skipped as already reflected (delivered again after a reconnect or resync)',
      registers,
      collect() {
        this.reset();
        this.inc(gauges.staleEvents());
      }
    });
    new Counter({
      name: 'flow_decomposer_echo_events_total',
      help: 'Change events of our own writes (origin flow-decomposer), ignored',
      registers,
      collect() {
        this.reset();
        this.inc(gauges.echoes());
      }
    });
    new Gauge({
      name: 'flow_decomposer_failed_flows',
      help: 'Logical flows currently failing to decompose',
      registers,
      collect() {
        this.set(gauges.failedFlows());
      }
    });
    new Gauge({
      name: 'flow_decomposer_logical_flows',
      help: 'Logical flows followed',
      registers,
      collect() {
        this.set(gauges.logicalFlows());
      }
    });
    new Gauge({
      name: 'flow_decomposer_device_flows',
      help: 'Device flows held by the devices of the logical devices',
      registers,
      collect() {
        this.set(gauges.deviceFlows());
      }
    });
    new Gauge({
      name: 'flow_decomposer_last_seq',
      help: 'Sequence number of the last applied change event',
      registers,
      collect() {
        this.set(gauges.lastSeq());
      }
    });
  }

  public probe(name: string, s: ProbeStatus, detail?: string): void {
    this.probes.set(name, s, detail);
  }
}
