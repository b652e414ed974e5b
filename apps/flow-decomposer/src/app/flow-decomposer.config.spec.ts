import { ConfigError } from '@voltha/nest-common';

import { readFlowDecomposerConfig } from './flow-decomposer.config';

describe('flow-decomposer settings', () => {
  it('should default to core-config on localhost and the Watch stream', () => {
    expect(readFlowDecomposerConfig([], {})).toMatchObject({
      core: 'localhost:50057',
      kafka: [],
      grpcPort: 50059,
      probePort: 8083,
      batchMax: 1000,
      batchWaitMs: 20,
      logLevel: 'info'
    });
  });

  it('should take flags over the environment', () => {
    const c = readFlowDecomposerConfig(
      ['--core', 'core:1234', '--batch-max=50', '--kafka', 'k1:9092,k2:9092'],
      { CORE: 'other:1', BATCH_WAIT_MS: '20', INSTANCE_ID: 'fd-1', LOG_LEVEL: 'debug' }
    );
    expect(c).toMatchObject({
      core: 'core:1234',
      batchMax: 50,
      batchWaitMs: 20,
      kafka: ['k1:9092', 'k2:9092'],
      instanceId: 'fd-1',
      logLevel: 'debug'
    });
  });

  it('should list every invalid setting', () => {
    expect(() =>
      readFlowDecomposerConfig(['--core', 'nope', '--batch-max', '0', '--grpc-port', 'x'], {})
    ).toThrow(ConfigError);
    try {
      readFlowDecomposerConfig(['--core', 'nope', '--batch-max', '0'], {});
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });
});
