import 'reflect-metadata';

import { runService } from '@voltha/nest-common';

import { startCoreConfig } from './app/bootstrap';
import { CORE_CONFIG_OPTIONS } from './app/core-config.config';

void runService({
  name: 'core-config',
  options: CORE_CONFIG_OPTIONS,
  start: (config, log) => startCoreConfig(config, log)
});
