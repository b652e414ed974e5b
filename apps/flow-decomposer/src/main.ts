import 'reflect-metadata';

import { runService } from '@voltha/nest-common';

import { startFlowDecomposer } from './app/bootstrap';
import { FLOW_DECOMPOSER_OPTIONS } from './app/flow-decomposer.config';

void runService({
  name: 'flow-decomposer',
  options: FLOW_DECOMPOSER_OPTIONS,
  start: (config, log) => startFlowDecomposer(config, log)
});
