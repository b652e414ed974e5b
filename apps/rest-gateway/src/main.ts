import { runService } from '@voltha/nest-common';

import { startRestGateway } from './app/rest-gateway';
import { REST_GATEWAY_OPTIONS } from './app/rest-gateway.config';

void runService({
  name: 'rest-gateway',
  options: REST_GATEWAY_OPTIONS,
  start: (config, log) => startRestGateway(config, log, { defaultMetrics: true })
});
