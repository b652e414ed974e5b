import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';

import { AdapterAgentController } from '../api/adapter-agent.controller';
import type { AdapterHost } from '../host/adapter-host';
import { ADAPTER_HOST, ADVERTISED_ENDPOINT } from './tokens';

export interface AdapterAgentParts {
  host: AdapterHost;
  endpoint: string;
}

/** The gRPC controller over the adapter host that bootstrap built before Nest starts. */
@Module({})
export class AppModule {
  public static with(parts: AdapterAgentParts): DynamicModule {
    return {
      module: AppModule,
      controllers: [AdapterAgentController],
      providers: [
        { provide: ADAPTER_HOST, useValue: parts.host },
        { provide: ADVERTISED_ENDPOINT, useValue: parts.endpoint }
      ]
    };
  }
}
