import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';

import { FlowDecomposerController } from '../api/flow-decomposer.controller';
import type { DryRun } from '../api/dry-run';
import type { DecomposerService } from '../decomposer/decomposer.service';
import { DECOMPOSER_SERVICE, DRY_RUN } from './tokens';

export interface FlowDecomposerParts {
  decomposer: DecomposerService;
  dryRun: DryRun;
}

/** The gRPC controller over the parts bootstrap built before Nest starts. */
@Module({})
export class AppModule {
  public static with(parts: FlowDecomposerParts): DynamicModule {
    return {
      module: AppModule,
      controllers: [FlowDecomposerController],
      providers: [
        { provide: DECOMPOSER_SERVICE, useValue: parts.decomposer },
        { provide: DRY_RUN, useValue: parts.dryRun }
      ]
    };
  }
}
