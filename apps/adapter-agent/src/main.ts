import 'reflect-metadata';

import { runService } from '@voltha/nest-common';

import { ADAPTER_AGENT_OPTIONS } from './app/adapter-agent.config';
import { startAdapterAgent } from './app/bootstrap';

void runService({ name: 'adapter-agent', options: ADAPTER_AGENT_OPTIONS, start: startAdapterAgent });
