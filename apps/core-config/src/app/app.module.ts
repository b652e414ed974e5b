import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';

import type { ConfigRoot } from '@voltha/config-tree';

import { ConfigController } from '../config/config.controller';
import type { EventHub } from '../events/event-hub';
import type { DevicesService } from '../voltha/devices.service';
import type { FlowsService } from '../voltha/flows.service';
import { VolthaController } from '../voltha/voltha.controller';
import { CONFIG_ROOT, DEVICES_SERVICE, EVENT_HUB, FLOWS_SERVICE, SERVICE_VERSION } from './tokens';

export interface CoreConfigParts {
  root: ConfigRoot;
  devices: DevicesService;
  flows: FlowsService;
  events: EventHub;
  version: string;
}

/** The gRPC controllers over parts that bootstrap built (tree, services, events) before Nest starts. */
@Module({})
export class AppModule {
  public static with(parts: CoreConfigParts): DynamicModule {
    return {
      module: AppModule,
      controllers: [VolthaController, ConfigController],
      providers: [
        { provide: CONFIG_ROOT, useValue: parts.root },
        { provide: DEVICES_SERVICE, useValue: parts.devices },
        { provide: FLOWS_SERVICE, useValue: parts.flows },
        { provide: EVENT_HUB, useValue: parts.events },
        { provide: SERVICE_VERSION, useValue: parts.version }
      ]
    };
  }
}
