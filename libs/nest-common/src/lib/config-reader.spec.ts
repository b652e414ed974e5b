import {
  bool,
  ConfigError,
  describeOptions,
  hostPort,
  hostPortList,
  int,
  oneOf,
  port,
  readConfig,
  str
} from './config-reader';

const specs = {
  backend: oneOf(
    'backend',
    'BACKEND',
    'embedded',
    ['embedded', 'consul', 'etcd', 'none'] as const,
    'KV backend'
  ),
  consul: hostPort('consul', 'CONSUL', 'localhost:8500', 'Consul agent'),
  kafka: hostPortList('kafka', 'KAFKA', [], 'Kafka brokers'),
  grpcPort: port('grpc-port', 'GRPC_PORT', 50057, 'gRPC port'),
  queue: int('queue-size', 'QUEUE_SIZE', 100, 'queue size', { min: 1, max: 1000 }),
  verbose: bool('verbose', 'VERBOSE', false, 'verbose'),
  instanceId: str('instance-id', 'INSTANCE_ID', 'vcore-0', 'instance id')
};

describe('readConfig', () => {
  it('should use defaults when nothing is set', () => {
    expect(readConfig(specs, [], {})).toEqual({
      backend: 'embedded',
      consul: 'localhost:8500',
      kafka: [],
      grpcPort: 50057,
      queue: 100,
      verbose: false,
      instanceId: 'vcore-0'
    });
  });

  it('should prefer flags over environment variables over defaults', () => {
    const cfg = readConfig(specs, ['--backend', 'etcd', '--grpc-port=6000'], {
      BACKEND: 'consul',
      KAFKA: 'a:1, b:2',
      VERBOSE: 'yes'
    });
    expect(cfg.backend).toBe('etcd');
    expect(cfg.grpcPort).toBe(6000);
    expect(cfg.kafka).toEqual(['a:1', 'b:2']);
    expect(cfg.verbose).toBe(true);
  });

  it('should report every problem at once with its source', () => {
    let error: unknown;
    try {
      readConfig(specs, ['--backend', 'redis', '--nope', '--grpc-port', '70000'], {
        CONSUL: 'nohost',
        QUEUE_SIZE: '0'
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('unknown flag --nope');
    expect(problems).toContain("--backend: 'redis' is not one of embedded, consul, etcd, none");
    expect(problems).toContain('--grpc-port: 70000 is above the maximum 65535');
    expect(problems).toContain("CONSUL: 'nohost' is not host:port");
    expect(problems).toContain('QUEUE_SIZE: 0 is below the minimum 1');
  });

  it('should reject a flag without a value', () => {
    expect(() => readConfig(specs, ['--consul'], {})).toThrow('flag --consul needs a value');
  });

  it('should describe every option with its flag and variable', () => {
    const help = describeOptions(specs);
    expect(help).toContain('--backend');
    expect(help).toContain('BACKEND');
    expect(help).toContain('KV backend (embedded | consul | etcd | none)');
  });
});
