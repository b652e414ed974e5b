import { Controller, Inject } from '@nestjs/common';

import type { ID } from '@voltha/proto';
import { FlowDecomposerServiceControllerMethods } from '@voltha/proto/services';
import type {
  DecomposeRequest,
  DecomposeResponse,
  DecomposerStats,
  FailedFlows,
  FlowDecomposerServiceController,
  ReconcileRequest
} from '@voltha/proto/services';

import { DECOMPOSER_SERVICE, DRY_RUN } from '../app/tokens';
import { failedFlowOf } from '../decomposer/build';
import type { DecomposerService } from '../decomposer/decomposer.service';
import type { DryRun } from './dry-run';

/** FlowDecomposerService: dry runs, statistics, failed flows and on-demand reconciles. */
@Controller()
@FlowDecomposerServiceControllerMethods()
export class FlowDecomposerController implements FlowDecomposerServiceController {
  public constructor(
    @Inject(DECOMPOSER_SERVICE) private readonly decomposer: DecomposerService,
    @Inject(DRY_RUN) private readonly dryRun: DryRun
  ) {}

  public decompose(request: DecomposeRequest): Promise<DecomposeResponse> {
    return this.dryRun.decompose(request);
  }

  public getStats(): DecomposerStats {
    const s = this.decomposer.stats();
    return {
      $type: 'voltha.DecomposerStats',
      logicalDevices: s.logicalDevices,
      logicalFlows: s.logicalFlows,
      deviceFlows: s.deviceFlows,
      failedFlows: s.failedFlows,
      eventsProcessed: String(s.eventsProcessed),
      batchesWritten: String(s.batchesWritten),
      reconciles: String(s.reconciles),
      lastSeq: String(s.lastSeq),
      eventSource: s.eventSource
    };
  }

  public listFailedFlows(request: ID): FailedFlows {
    return {
      $type: 'voltha.FailedFlows',
      items: this.decomposer.state
        .failedFlows(request.id || undefined)
        .map((f) => failedFlowOf(f.logicalDeviceId, f.flowId, f.error))
    };
  }

  public async reconcile(request: ReconcileRequest): Promise<DecomposerStats> {
    await this.decomposer.reconcile(request.logicalDeviceId || undefined);
    return this.getStats();
  }
}
