import type { DecomposerStats, FailedFlow } from '@voltha/proto/services';

import type { Column, View } from '../format/output';

/** Tables of flow-decomposer's answers. 64-bit counters are the decimal strings of the API. */

const col = <T>(header: string, value: (item: T) => string): Column<T> => ({ header, value });

export const decomposerStatsView: View<DecomposerStats> = {
  columns: [
    col('LOGICALDEVICES', (s) => String(s.logicalDevices)),
    col('LOGICALFLOWS', (s) => String(s.logicalFlows)),
    col('DEVICEFLOWS', (s) => String(s.deviceFlows)),
    col('FAILEDFLOWS', (s) => String(s.failedFlows)),
    col('EVENTS', (s) => s.eventsProcessed),
    col('BATCHES', (s) => s.batchesWritten),
    col('RECONCILES', (s) => s.reconciles),
    col('LASTSEQ', (s) => s.lastSeq),
    col('SOURCE', (s) => s.eventSource)
  ],
  id: (s) => s.eventSource
};

export const failedFlowView: View<FailedFlow> = {
  columns: [
    col('LOGICALDEVICE', (f) => f.logicalDeviceId),
    col('FLOWID', (f) => f.flowId),
    col('REASON', (f) => f.reason),
    col('MESSAGE', (f) => f.message)
  ],
  id: (f) => f.flowId
};
